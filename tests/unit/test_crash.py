"""A process killed mid-trial leaves a valid journal: the decision intact, the trial marked incomplete."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from storage import store

ROOT = Path(__file__).resolve().parents[2]

TRIAL = """
import sys, time
from storage import store
db = store.open_db(sys.argv[1])
did = store.create_decision(db, title="survives the crash", requirements={"domain": "legal"})
store.attach_recommendation(db, did, {"catalog_version": "t", "candidates": [{"id": "a", "reasons": ["r"]}]})
tid = store.begin_trial(db, did, dataset={"name": "demo", "fingerprint": "fp"}, settings={}, environment={})
store.add_trial_result(db, tid, {"model": "bm25", "metrics": {"ndcg@10": 0.5}})
# the second model is being encoded, inside an open write transaction, when the process dies
db.conn.execute("BEGIN IMMEDIATE")
db.table("trial_results").insert({"trial_id": tid, "created_at": "x", "model": "half", "status": "ok",
                                  "result_json": "{}"})
print(did, tid, flush=True)
time.sleep(60)
"""


def test_sigkill_mid_trial(tmp_path: Path) -> None:
    path = tmp_path / "j.db"
    proc = subprocess.Popen(
        [sys.executable, "-c", TRIAL, str(path)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line, proc.stderr.read() if proc.stderr else ""
        did, tid = (int(x) for x in line.split())
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL

    db = store.open_db(path)
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    decision = store.get_decision(db, did)
    assert decision.title == "survives the crash" and decision.requirements == {"domain": "legal"}
    assert decision.shortlist == ["a"]
    trial = store.get_trial(db, tid)
    assert trial.status == "incomplete" and not trial.complete
    assert [r["model"] for r in trial.results] == ["bm25"]  # the uncommitted row is gone, the first kept
