"""The reranking stage: a tiny cross-encoder built here re-scores BM25's top-k, its row's metrics match a
hand computation, its added latency is measured, and failures stay one row (offline HF id, bad reference)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from evaluators.rerank import rerank
from evaluators.runner import run_trial
from evaluators.types import Dataset, Doc, Query
from tests.unit._tiny_reranker import build_tiny_cross_encoder
from tui.cli import main

MARKER = "castle"
DOCS = [
    ("d1", "The river boat tour leaves at noon from the old harbour."),
    ("d2", "The castle tour starts at the harbour gate."),
    ("d3", "A harbour boat tour for families, with river views."),
]
QUERIES = [("q1", "river boat tour from the harbour", "d2"), ("q2", "family river views", "d3")]


@pytest.fixture(scope="module")
def cross_encoder(minilm_path: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A CrossEncoder folder whose score is higher exactly when the passage contains 'castle'."""
    return str(build_tiny_cross_encoder(tmp_path_factory.mktemp("ce") / "tiny-ce", minilm_path, MARKER))


def _dataset() -> Dataset:
    return Dataset(
        "castles",
        tuple(Doc(i, t) for i, t in DOCS),
        tuple(Query(q, t) for q, t, _ in QUERIES),
        {q: {d: 1} for q, _, d in QUERIES},
        query_origin="dataset",
    )


def _ndcg_at_rank(rank: int) -> float:
    return 1 / math.log2(rank + 1)


def test_rerank_row_matches_a_hand_computed_reordering(cross_encoder: str) -> None:
    """BM25 ranks q1's relevant d2 (the only 'castle' passage) third and q2's relevant d3 first. The
    cross-encoder moves d2 to the top of both lists and keeps the others in BM25's order (equal scores), so:
      q1: rank 3 -> 1;  q2: d3 goes from rank 1 to rank 2.
    nDCG@10 mean: BM25 (1/log2(4) + 1) / 2 = 0.75; reranked (1 + 1/log2(3)) / 2 = 0.815."""
    result = run_trial(_dataset(), ["bm25"], rerank=cross_encoder, rerank_depth=10)
    bm25, rr = result.results
    assert bm25.model == "bm25" and rr.model == f"bm25 -> {cross_encoder}", rr.error
    assert bm25.per_query["ndcg@10"] == pytest.approx({"q1": _ndcg_at_rank(3), "q2": 1.0})
    assert rr.per_query["ndcg@10"] == pytest.approx({"q1": 1.0, "q2": _ndcg_at_rank(2)})
    assert rr.metrics["ndcg@10"] == pytest.approx((1 + _ndcg_at_rank(2)) / 2)
    assert rr.metrics["mrr@10"] == pytest.approx((1 + 1 / 2) / 2)
    assert rr.metrics["hit@1"] == 0.5 == bm25.metrics["hit@1"]
    assert rr.details["best"] and bm25.details["compared_with"] == rr.model
    assert rr.ci95["ndcg@10"][0] <= rr.metrics["ndcg@10"] <= rr.ci95["ndcg@10"][1]
    assert set(bm25.p_vs_best) >= {"ndcg@10", "mrr@10"}
    # The added latency: every query's pairs timed; the end-to-end p50 adds it to BM25's.
    assert rr.perf["rerank_p50_ms"] > 0 and rr.perf["rerank_p95_ms"] >= rr.perf["rerank_p50_ms"]
    assert rr.perf["query_p50_ms"] == pytest.approx(bm25.perf["query_p50_ms"] + rr.perf["rerank_p50_ms"])
    assert rr.details["rerank_pairs"] == 2 * 3 and rr.details["rerank_latency_probes"] == 2
    assert rr.details["first_stage"] == "bm25" and rr.details["kind"] == "rerank"


def test_depth_one_changes_nothing(cross_encoder: str) -> None:
    """Re-scoring only the top unit cannot reorder anything: the row equals its first stage."""
    bm25, rr = run_trial(_dataset(), ["bm25"], rerank=cross_encoder, rerank_depth=1).results
    assert rr.per_query["ndcg@10"] == bm25.per_query["ndcg@10"]
    assert rr.details["rerank_depth"] == 1 and rr.details["rerank_pairs"] == 2


def test_trial_cli_rerank_end_to_end(cross_encoder: str, tmp_path: Path) -> None:
    """`trial --rerank <folder>` from files: JSON and table both show the reranked row and its latency."""
    folder = tmp_path / "castles"
    folder.mkdir()
    lines = [json.dumps({"_id": i, "text": t}) + "\n" for i, t in DOCS]
    (folder / "corpus.jsonl").write_text("".join(lines))
    lines = [json.dumps({"_id": q, "text": t}) + "\n" for q, t, _ in QUERIES]
    (folder / "queries.jsonl").write_text("".join(lines))
    lines = ["query-id\tcorpus-id\tscore\n", *(f"{q}\t{d}\t1\n" for q, _, d in QUERIES)]
    (folder / "qrels.tsv").write_text("".join(lines))
    args = ["trial", "--corpus", str(folder), "-m", "bm25", "--rerank", cross_encoder, "--rerank-depth", "10"]
    res = CliRunner().invoke(main, [*args, "--json"], catch_exceptions=False)
    assert res.exit_code == 0, res.output
    rows = {r["model"]: r for r in json.loads(res.stdout)["results"]}
    rr = rows[f"bm25 -> {cross_encoder}"]
    assert rr["ndcg@10"] == pytest.approx((1 + _ndcg_at_rank(2)) / 2) and rr["rerank_p50_ms"] > 0
    table = CliRunner().invoke(main, args, catch_exceptions=False)
    text = " ".join(table.stdout.split())  # the table folds long names and wraps notes
    assert table.exit_code == 0 and f"bm25 -> {cross_encoder}: torch" in text and "reranking adds" in text


def test_an_unavailable_reranker_fails_its_rows_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Offline, a Hugging Face id not in the cache gives the clear 'not available offline' reason; the
    first-stage row is unaffected and the failed load is not retried per row."""
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    ref = "cross-encoder/ms-marco-MiniLM-L6-v2"
    result = run_trial(_dataset(), ["bm25", "bm25"], rerank=ref)
    statuses = [(r.model, r.status) for r in result.results]
    assert statuses == [("bm25", "ok"), (f"bm25 -> {ref}", "failed")] * 2
    assert "not in the local Hugging Face cache" in (result.results[1].error or "")
    assert result.results[0].details["best"]


def test_rerank_keeps_first_stage_order_for_ties_and_beyond_depth() -> None:
    class ByLength:
        name = "len"
        details: dict[str, object] = {}

        def score(self, query: str, passages: list[str]) -> np.ndarray:
            return np.array([float(len(p) > 1) for p in passages], dtype=np.float32)

    texts = ["aa", "b", "cc", "d", "ee"]
    idx = np.array([[1, 0, 3, 2, 4]])
    out = rerank(ByLength(), idx, texts, ["q"], depth=3)
    # Top 3 (1, 0, 3) re-scored: 0 ('aa') wins; 1 and 3 tie and keep their order; 2 and 4 stay after.
    assert out.idx.tolist() == [[0, 1, 3, 2, 4]]
    assert out.val[0, 3] < out.val[0, 2] and out.n_pairs == 3 and len(out.times_s) == 1
