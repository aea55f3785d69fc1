"""Size/quality trade-offs from a trial's own vectors: the quantisers against sentence-transformers' own,
the rescoring and the suggestion rule by hand, and a real MiniLM trial on a SQuAD slice where int8 keeps
quality and binary without rescoring does not."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from catalog.sizing import human_bytes, index_bytes
from evaluators.runner import run_trial
from evaluators.tradeoffs import (
    _mark_suggestion,
    display_rows,
    quantise,
    rescore,
    settings_for,
    summary_line,
    truncate,
)
from evaluators.types import Dataset, TrialResult
from tests.unit.test_runner import beir_slice


def test_settings_grid() -> None:
    """Matryoshka sizes from the catalog when listed, else plain halvings; every precision at each size."""
    plain = settings_for(384, None)
    assert [(s.dims, s.truncation) for s in plain[::5]] == [(384, "none"), (192, "plain"), (96, "plain")]
    assert [s.precision for s in plain[:5]] == ["fp32", "fp16", "int8", "binary", "binary+rescore"]
    mrl = settings_for(768, (128, 256, 512, 768))
    assert [s.dims for s in mrl[::5]] == [768, 512, 256, 128] and mrl[5].label == "512d (Matryoshka) fp32"


def test_int8_levels_are_sentence_transformers_buckets() -> None:
    """Our de-quantised int8 values sit at the centres of the buckets quantize_embeddings assigns."""
    st = pytest.importorskip("sentence_transformers")
    rng = np.random.default_rng(0)
    docs = rng.normal(size=(50, 16)).astype(np.float32)
    queries = rng.normal(size=(5, 16)).astype(np.float32)
    q_levels, d_levels = quantise(queries, docs, "int8")
    lo, hi = docs.min(axis=0), docs.max(axis=0)
    step = (hi - lo) / 255
    for vectors, levels in ((docs, d_levels), (queries, q_levels)):
        codes = st.quantize_embeddings(vectors, precision="int8", calibration_embeddings=docs)
        buckets = codes.astype(int) + 128
        np.testing.assert_allclose(levels, (buckets + 0.5) * step + lo, rtol=1e-5, atol=1e-6)


def test_binary_scores_rank_like_hamming_distance() -> None:
    """±1 inner products are d - 2 x Hamming distance of the packed sign bits (ST's 'ubinary')."""
    st = pytest.importorskip("sentence_transformers")
    rng = np.random.default_rng(1)
    docs, queries = rng.normal(size=(40, 64)), rng.normal(size=(3, 64))
    qb, db = quantise(queries, docs, "binary")
    bits_d = st.quantize_embeddings(docs, precision="ubinary")
    bits_q = st.quantize_embeddings(queries, precision="ubinary")
    hamming = np.unpackbits(bits_q[:, None, :] ^ bits_d[None, :, :], axis=2).sum(axis=2).astype(int)
    np.testing.assert_array_equal(qb @ db.T, 64 - 2 * hamming)


def test_truncate_renormalises_like_truncate_dim() -> None:
    x = np.array([[3.0, 4.0, 12.0]], dtype=np.float32) / 13
    np.testing.assert_allclose(truncate(x, 2, True), [[0.6, 0.8]], rtol=1e-6)
    np.testing.assert_allclose(truncate(x, 2, False), x[:, :2])


def test_rescore_reorders_the_head_only() -> None:
    """The first k candidates are re-ranked by exact score (ties: corpus order); the tail keeps its order."""
    docs = np.array([[1.0, 0], [0, 1.0], [0.6, 0.8], [0.8, 0.6], [-1.0, 0]], dtype=np.float32)
    query = np.array([[1.0, 0]], dtype=np.float32)
    idx = np.array([[1, 2, 3, 4, 0]])
    new_idx, new_val = rescore(idx, query, docs, 3)
    assert new_idx.tolist() == [[3, 2, 1, 4, 0]]
    assert np.all(np.diff(new_val[0]) < 0)  # scores still descend, tail below the head


def _row(label: str, size: int, ndcg: float, within: bool) -> dict[str, object]:
    return {"label": label, "bytes_per_vector": size, "ndcg@10": ndcg, "within": within}


def test_suggestion_is_the_smallest_within() -> None:
    """Fewest bytes among rows within full precision; a tie goes to the higher nDCG@10; none within: full."""
    rows = [_row("full", 1536, 0.8, True), _row("int8", 384, 0.79, True), _row("bin", 48, 0.7, False)]
    rows += [_row("bin+r", 48, 0.79, True), _row("bin+r2", 48, 0.795, True)]
    _mark_suggestion(rows)
    assert [r["label"] for r in rows if r["suggested"]] == ["bin+r2"]
    alone = [_row("full", 1536, 0.8, False), _row("int8", 384, 0.5, False)]
    _mark_suggestion(alone)
    assert alone[0]["suggested"] and not alone[1]["suggested"]


@pytest.fixture(scope="module")
def squad_slice(shared_data: Path) -> Dataset:
    """80 SQuAD questions over 200 paragraphs (theirs and distractors): enough for binary's loss to show."""
    return beir_slice(shared_data / "squad_en", 200, 80)


@pytest.fixture(scope="module")
def minilm_trial(squad_slice: Dataset, minilm_path: str) -> TrialResult:
    return run_trial(squad_slice, ["minilm", "bm25"], backend="torch")


@pytest.mark.slow
def test_int8_keeps_quality_binary_alone_does_not(minilm_trial: TrialResult) -> None:
    """On real vectors: int8 and binary+rescore stay within full precision, binary alone falls out of it, and
    the suggestion is the smallest setting that stayed within."""
    dense, bm = minilm_trial.results
    assert dense.status == "ok", dense.error
    table = dense.details["tradeoffs"]
    rows = {r["label"]: r for r in table["rows"]}
    full = rows["384d fp32"]
    assert full["ndcg@10"] == pytest.approx(dense.metrics["ndcg@10"])
    assert full["ci95"] == pytest.approx(list(dense.ci95["ndcg@10"]))
    assert rows["384d int8"]["within"] and rows["384d fp16"]["within"]
    binary = rows["384d binary"]
    assert not binary["within"] and binary["p_vs_full"] < 0.05
    assert binary["ndcg@10"] < table["full_ci95"][0]  # below the full-precision interval, not just "p < 0.05"
    assert rows["384d binary+rescore"]["within"]
    within = [r for r in table["rows"] if r["within"]]
    smallest = min(r["bytes_per_vector"] for r in within)
    suggested = [r for r in table["rows"] if r["suggested"]]
    assert len(suggested) == 1 and suggested[0]["bytes_per_vector"] == smallest
    assert suggested[0]["precision"] == "binary+rescore" and table["suggested"] == suggested[0]["label"]
    assert table["n_queries"] == 80 and table["n_vectors"] == 200
    assert "tradeoffs" not in bm.details  # BM25 has no vectors to re-score


@pytest.mark.slow
def test_tradeoffs_round_trip_and_cost(minilm_trial: TrialResult) -> None:
    """The table survives TrialResult JSON; re-scoring took a small share of the model's own time."""
    back = TrialResult.from_dict(minilm_trial.to_dict())
    assert back.results[0].details["tradeoffs"] == minilm_trial.results[0].details["tradeoffs"]
    table = back.results[0].details["tradeoffs"]
    assert table["seconds"] < 0.25 * back.results[0].details["wall_s"]
    cells = display_rows(table, 1_000_000)
    assert cells[0][0] == "384d fp32" and cells[0][4] == human_bytes(index_bytes(1_000_000, 1536, m=16))
    line = summary_line(table)
    assert line is not None and line.startswith(f"trade-offs: {table['suggested']} keeps nDCG@10")


@pytest.mark.slow
def test_runner_option_turns_tradeoffs_off(shared_data: Path, minilm_path: str, tmp_path: Path) -> None:
    """tradeoffs=False: the dense row carries no table; the default run (from the cache) does."""
    tiny = beir_slice(shared_data / "squad_en", 12, 4)
    off = run_trial(tiny, ["minilm"], backend="torch", cache_dir=tmp_path, tradeoffs=False)
    on = run_trial(tiny, ["minilm"], backend="torch", cache_dir=tmp_path)
    assert off.results[0].status == on.results[0].status == "ok"
    assert "tradeoffs" not in off.results[0].details
    assert on.results[0].details["tradeoffs"]["n_vectors"] == 12


def test_shared_stream_stats_equal_one_test_each() -> None:
    """bootstrap_cis / paired_pvalues give each row exactly what bootstrap_ci / paired_randomization_test
    give it alone with the same seed (identical rows: p = 1)."""
    from evaluators.stats import bootstrap_ci, bootstrap_cis, paired_pvalues, paired_randomization_test

    rng = np.random.default_rng(7)
    base = rng.integers(0, 4, size=57) / 3  # coarse values: many ties, like nDCG on small sets
    matrix = np.vstack([base, np.clip(base + rng.normal(0, 0.2, 57), 0, 1), rng.random(57), base * 0.9])
    assert bootstrap_cis(matrix, seed=3) == [bootstrap_ci(row, seed=3) for row in matrix]
    singles = [paired_randomization_test(base, row, seed=3) for row in matrix]
    assert paired_pvalues(base, matrix, seed=3) == singles
    assert paired_pvalues(base, matrix)[0] == 1.0
    assert paired_pvalues(np.zeros(0), np.zeros((2, 0))) == [1.0, 1.0]
