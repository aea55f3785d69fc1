"""The scale-out round trip, for real: a saved local trial, export-task, the generated run_mteb.py run by
mteb in a subprocess on CPU with the packaged MiniLM (offline, from its local folder), import-results.

One mteb run (its import alone takes ~20 s) feeds every check: the imported nDCG@10 equals the local
trial's within 1e-3, per query too; the journal shows where it ran; and the import refuses the same run
twice, a journal without the local trial, results for other data and a missing result file.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from evaluators.datasets import load_demo
from storage import store
from tui.cli import main

N_QUERIES, N_DOCS, MAX_WORDS = 12, 36, 120


def _short_docs_beir(dst: Path) -> Path:
    """A BEIR folder from the bundled demo (CC BY-SA 4.0): 12 questions, their paragraphs and same-article
    distractors, all short enough for MiniLM's 256-token window (so the trial cuts no chunks)."""
    ds = load_demo(chunk_tokens=None)
    short = [d for d in ds.corpus if len(d.text.split()) <= MAX_WORDS]
    ids = {d.id for d in short}
    queries = [q for q in ds.queries if set(ds.qrels[q.id]) <= ids][:N_QUERIES]
    relevant = {d for q in queries for d in ds.qrels[q.id]}
    titles = {d.title for d in short if d.id in relevant}
    docs = [d for d in short if d.id in relevant]
    docs += [d for d in short if d.id not in relevant and d.title in titles][: N_DOCS - len(docs)]
    dst.mkdir()
    rows = [{"_id": d.id, "title": d.title, "text": d.text} for d in docs]
    (dst / "corpus.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), "utf-8")
    qrows = [{"_id": q.id, "text": q.text} for q in queries]
    (dst / "queries.jsonl").write_text("".join(json.dumps(r) + "\n" for r in qrows), "utf-8")
    lines = [f"{q.id}\t{d}\t{g}" for q in queries for d, g in ds.qrels[q.id].items()]
    (dst / "qrels.tsv").write_text("\n".join(["query-id\tcorpus-id\tscore", *lines]) + "\n", "utf-8")
    return dst


def _cli(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


@pytest.mark.slow
def test_mteb_round_trip_matches_the_local_trial(
    tmp_path: Path, minilm_path: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    journal = tmp_path / "journal.db"
    monkeypatch.setenv("EMBEDSCOUT_DB", str(journal))
    corpus = _short_docs_beir(tmp_path / "short")
    res = _cli("trial", "--corpus", str(corpus), "--chunk-tokens", "0", "-m", "minilm", "-m", "bm25",
               "--backend", "torch", "--no-cache", "--save")  # fmt: skip
    assert res.exit_code == 0, res.output
    local = store.get_trial(store.open_db(journal), 1)
    minilm = next(r for r in local.results if r["details"]["kind"] == "dense")
    assert minilm["perf"]["truncated_share"] == 0.0  # every document fits the window: nothing was cut
    assert 0.5 < minilm["metrics"]["ndcg@10"] < 1.0  # a ranking with misses, so equality means something

    task = tmp_path / "task"
    res = _cli("export-task", "1", "-o", str(task))
    assert res.exit_code == 0, res.output
    assert "not exported: bm25" in res.output and "model sentence-transformers/all-MiniLM-L6-v2" in res.output

    env = {
        **os.environ,
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "MTEB_CACHE": str(tmp_path / "c"),
    }
    ran = subprocess.run(
        [sys.executable, str(task / "run_mteb.py"), "--device", "cpu", "--label", "test-box"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert ran.returncode == 0, ran.stdout[-3000:] + ran.stderr[-3000:]
    assert f"loading {minilm_path}" in ran.stdout  # the local folder, not a download
    assert "query prompt None, passage prompt None, normalise yes, similarity: dot product" in ran.stdout
    results = task / "mteb-results"
    assert (
        results / "results" / "sentence-transformers__all-MiniLM-L6-v2" / "local" / "EmbedscoutTrial1.json"
    ).is_file()

    res = _cli("import-results", str(results), "--json")
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    assert out["beside_trial"] == 1 and out["decision_id"] == local.decision_id
    imported = store.get_trial(store.open_db(journal), out["trial_id"])
    row = imported.results[0]
    assert row["model"] == "sentence-transformers/all-MiniLM-L6-v2 (mteb on test-box)"
    for metric in ("ndcg@10", "recall@1", "recall@10", "mrr@10", "hit@1"):
        assert row["metrics"][metric] == pytest.approx(minilm["metrics"][metric], abs=1e-3), metric
    for qid, value in minilm["per_query"]["ndcg@10"].items():  # the same ranking, query by query
        assert row["per_query"]["ndcg@10"][qid] == pytest.approx(value, abs=1e-6), qid
    assert row["ci95"]["ndcg@10"][0] <= row["metrics"]["ndcg@10"] <= row["ci95"]["ndcg@10"][1]
    assert imported.environment["source"] == "mteb" and imported.environment["packages"]["mteb"].startswith(
        "2."
    )
    assert imported.dataset["fingerprint"] == local.dataset["fingerprint"]  # nothing re-chunked: same data

    monkeypatch.setenv("COLUMNS", "220")  # rich wraps the model column at 80
    shown = _cli("show", str(local.decision_id)).output
    assert "all-MiniLM-L6-v2 (mteb on test-box)" in shown and shown.index("Trial 1") < shown.index("Trial 2")
    md = _cli("export", str(local.decision_id)).output
    assert "Source: mteb on test-box; device cpu, float32" in md and "comparable with, local trial 1" in md

    _refusals(results, tmp_path, journal, monkeypatch)


def _refusals(results: Path, tmp_path: Path, journal: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each refusal is one line, exit 1, and writes nothing."""
    n_trials = len(store.get_decision(store.open_db(journal), 1).trials)
    again = _cli("import-results", str(results))
    assert again.exit_code == 1 and "already in the journal" in again.output

    monkeypatch.setenv("EMBEDSCOUT_DB", str(tmp_path / "other.db"))
    elsewhere = _cli("import-results", str(results))
    assert elsewhere.exit_code == 1 and "matches no trial in this journal" in elsewhere.output
    monkeypatch.setenv("EMBEDSCOUT_DB", str(journal))

    edited = tmp_path / "edited"
    shutil.copytree(results, edited)
    result_file = next((edited / "results").glob("*/*/EmbedscoutTrial1.json"))
    data = json.loads(result_file.read_text("utf-8"))
    result_file.write_text(json.dumps({**data, "dataset_revision": "0" * 16}), "utf-8")
    other = _cli("import-results", str(edited))
    assert other.exit_code == 1 and "other data than this export" in other.output
    result_file.unlink()
    missing = _cli("import-results", str(edited))
    assert missing.exit_code == 1 and "result file is missing" in missing.output
    assert all(len(r.output.strip().splitlines()) == 1 for r in (again, elsewhere, other, missing))
    assert len(store.get_decision(store.open_db(journal), 1).trials) == n_trials
