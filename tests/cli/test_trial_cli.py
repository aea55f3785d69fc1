"""`embedscout trial`: JSON rows with flattened metrics, a failed row for a missing model, --save."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from tui.cli import main


def _tiny_beir(src: Path, dst: Path, n_queries: int = 10, n_docs: int = 30) -> Path:
    """A BEIR folder with the first queries, their relevant docs, and distractors up to n_docs."""
    lines = (src / "qrels.tsv").read_text("utf-8").splitlines()
    queries = [json.loads(x) for x in (src / "queries.jsonl").open(encoding="utf-8")][:n_queries]
    qids = {q["_id"] for q in queries}
    qrels = [x for x in lines[1:] if x.split("\t")[0] in qids]
    need = {x.split("\t")[1] for x in qrels}
    corpus = [json.loads(x) for x in (src / "corpus.jsonl").open(encoding="utf-8")]
    docs = [c for c in corpus if c["_id"] in need] + [c for c in corpus if c["_id"] not in need]
    dst.mkdir()
    (dst / "corpus.jsonl").write_text("".join(json.dumps(c) + "\n" for c in docs[:n_docs]), "utf-8")
    (dst / "queries.jsonl").write_text("".join(json.dumps(q) + "\n" for q in queries), "utf-8")
    (dst / "qrels.tsv").write_text("\n".join([lines[0], *qrels]) + "\n", "utf-8")
    return dst


@pytest.fixture(scope="module")
def corpus(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _tiny_beir(shared_data / "squad_en", tmp_path_factory.mktemp("cli") / "squad_tiny")


def _run(*args: str) -> Result:
    return CliRunner().invoke(main, ["trial", *args], catch_exceptions=False)


@pytest.mark.slow
def test_json_rows_for_bm25_minilm_and_a_missing_model(corpus: Path, minilm_path: str) -> None:
    res = _run(
        "--corpus",
        str(corpus),
        "--chunk-tokens",
        "0",
        "--backend",
        "torch",
        "--json",
        "--model",
        "bm25",
        "--model",
        "minilm",
        "--model",
        "nobody/no-such-model",
    )
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["dataset"]["n_chunks"] == 30 and data["dataset"]["n_queries_evaluated"] == 10
    rows = {r["model"]: r for r in data["results"]}
    assert set(rows) == {"bm25", "sentence-transformers/all-MiniLM-L6-v2", "nobody/no-such-model"}
    for name in ("bm25", "sentence-transformers/all-MiniLM-L6-v2"):
        row = rows[name]
        assert row["status"] == "ok"
        for key in ("ndcg@10", "recall@10", "mrr@10", "hit@1", "docs_per_s", "peak_mem_mb"):
            assert isinstance(row[key], float), key
        assert row["ndcg@10"] == row["metrics"]["ndcg@10"] and len(row["ci95"]["ndcg@10"]) == 2
    missing = rows["nobody/no-such-model"]
    assert missing["status"] == "failed" and missing["error"]


def test_table_names_the_tokenizer_and_save_records_the_trial(corpus: Path, home: Path) -> None:
    res = _run("--corpus", str(corpus), "--chunk-tokens", "0", "--model", "bm25", "--save", "--title", "t1")
    assert res.exit_code == 0, res.output
    assert "10 queries" in res.stdout and "tokenizer en:" in res.stdout and "bootstrap" in res.stdout
    assert "Saved trial #" in res.stderr
    from storage.store import get_decision, open_db

    decision = get_decision(open_db(), 1)
    assert decision.title == "t1"
    (trial,) = decision.trials
    assert trial.status == "complete" and [r["model"] for r in trial.results] == ["bm25"]
    assert trial.dataset["n_chunks"] == 30 and trial.settings["models"] == ["bm25"]


def test_usage_errors_are_one_line(tmp_path: Path) -> None:
    res = CliRunner().invoke(main, ["trial", "--model", "bm25"])
    assert res.exit_code == 2 and "--corpus" in res.output
    empty = tmp_path / "empty"
    empty.mkdir()
    res = CliRunner().invoke(main, ["trial", "--corpus", str(empty), "--model", "bm25"])
    assert res.exit_code == 1 and "error" in res.output.lower()


def test_first_ctrl_c_asks_the_trial_to_stop(monkeypatch: pytest.MonkeyPatch) -> None:
    """Ctrl-C sets the stop flag and waits for the worker (which keeps finished rows) instead of dying."""
    import threading

    from tui.cli.console_run import _Bars
    from tui.cli.console_run import wait as _wait

    stop, finished = threading.Event(), threading.Event()
    real_wait, calls = finished.wait, []

    def wait(timeout: float | None = None) -> bool:
        calls.append(timeout)
        if len(calls) == 1:
            raise KeyboardInterrupt
        if len(calls) == 3:
            finished.set()  # the worker saw the stop flag and returned
        return real_wait(timeout)

    monkeypatch.setattr(finished, "wait", wait)
    assert _wait(finished, stop, _Bars()) is True
    assert stop.is_set() and len(calls) == 3
