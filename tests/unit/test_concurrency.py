"""Two writer processes saving into one journal at the same time: both succeed, every row is there."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from storage import store

ROOT = Path(__file__).resolve().parents[2]
PER_WRITER = 40

WRITER = """
import sys, time
from pathlib import Path
from storage import store
path, name, count, gate = sys.argv[1], sys.argv[2], int(sys.argv[3]), Path(sys.argv[4])
db = store.open_db(path)
(gate / f"ready-{name}").touch()
while not (gate / "go").exists():  # start both write loops together
    time.sleep(0.005)
started = time.time()
for i in range(count):
    did = store.create_decision(db, title=f"{name}-{i}", requirements={"writer": name}, tags=[name])
    store.attach_recommendation(db, did, {"catalog_version": "t", "candidates": [{"id": "m", "reasons": []}]})
    tid = store.begin_trial(db, did, dataset={"name": "demo"}, settings={}, environment={})
    store.add_trial_result(db, tid, {"model": "bm25", "metrics": {"ndcg@10": i / 100}})
    store.finish_trial(db, tid, complete=True)
print("done", name, started, time.time())
"""


def test_two_writer_processes(tmp_path: Path) -> None:
    """Both processes start on a missing file (racing the migrations too) and all of their rows are saved."""
    path, gate = tmp_path / "shared.db", tmp_path / "gate"
    gate.mkdir()
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(path), name, str(PER_WRITER), str(gate)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in ("alpha", "beta")
    ]
    deadline = time.monotonic() + 60
    while len(list(gate.glob("ready-*"))) < 2 and time.monotonic() < deadline:
        if any(p.poll() is not None for p in procs):
            break
        time.sleep(0.01)
    (gate / "go").touch()
    outputs = [p.communicate(timeout=120) for p in procs]
    windows = []
    for proc, (out, err) in zip(procs, outputs, strict=True):
        assert proc.returncode == 0, err
        assert out.startswith("done")
        windows.append(tuple(float(x) for x in out.split()[2:4]))
    assert max(w[0] for w in windows) < min(w[1] for w in windows), "the two writers did not overlap"
    db = store.open_db(path)
    titles = {d.title for d in store.list_decisions(db)}
    assert titles == {f"{n}-{i}" for n in ("alpha", "beta") for i in range(PER_WRITER)}
    assert db.table("trials").count == 2 * PER_WRITER
    assert db.table("trial_results").count == 2 * PER_WRITER
    assert db.table("recommendations").count == 2 * PER_WRITER
    assert len(store.list_decisions(db, tag="beta")) == PER_WRITER
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
