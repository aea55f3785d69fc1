"""The trade-off table kept in the cache folder: a re-run reads back exactly the table a fresh computation
gives; anything the table depends on (vectors, labels, options) computes it afresh; a damaged file is
recomputed; the nDCG-only scorer the table uses equals the row's own nDCG@10."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from evaluators.metrics import PRIMARY, per_query_metrics, per_query_ndcg
from evaluators.runner import run_trial
from evaluators.search import search
from evaluators.tradeoff_cache import cached_table, table_key
from evaluators.tradeoffs import tradeoff_table
from tests.unit.test_runner import beir_slice


def _without_timing(table: dict[str, object]) -> dict[str, object]:
    return {k: v for k, v in table.items() if k not in ("seconds", "cached")}


@pytest.mark.slow
def test_a_cached_rerun_reads_back_the_computed_table(
    shared_data: Path, minilm_path: str, tmp_path: Path
) -> None:
    """First run computes and stores the table; the re-run on the cached vectors reads it back, equal to the
    computed one and to a computation without any cache; another set of labels computes a new table."""
    ds = beir_slice(shared_data / "squad_en", 60, 20)
    fresh = run_trial(ds, ["minilm"], backend="torch")  # no cache folder: always computed
    first = run_trial(ds, ["minilm"], backend="torch", cache_dir=tmp_path)
    again = run_trial(ds, ["minilm"], backend="torch", cache_dir=tmp_path)
    computed, cached = first.results[0].details["tradeoffs"], again.results[0].details["tradeoffs"]
    assert "cached" not in computed and cached["cached"] is True
    assert _without_timing(cached) == _without_timing(computed) == _without_timing(
        fresh.results[0].details["tradeoffs"]
    )
    assert len(list((tmp_path / "tradeoffs").glob("*.json"))) == 1
    fewer = beir_slice(shared_data / "squad_en", 60, 10)  # same vectors, other queries: another table
    other = run_trial(fewer, ["minilm"], backend="torch", cache_dir=tmp_path).results[0].details["tradeoffs"]
    assert "cached" not in other and other["n_queries"] == 10
    assert len(list((tmp_path / "tradeoffs").glob("*.json"))) == 2


def _case(seed: int = 0) -> tuple[np.ndarray, np.ndarray, dict[str, dict[str, int]]]:
    rng = np.random.default_rng(seed)
    docs = rng.normal(size=(120, 32)).astype(np.float32)
    docs /= np.linalg.norm(docs, axis=1, keepdims=True)
    queries = (docs[:30] + rng.normal(scale=0.8, size=(30, 32))).astype(np.float32)
    queries /= np.linalg.norm(queries, axis=1, keepdims=True)
    qrels = {f"q{i}": {f"d{i}": 1, f"d{i + 30}": int(rng.integers(0, 3))} for i in range(30)}
    return queries, docs, qrels


def _table(queries: np.ndarray, docs: np.ndarray, qrels: dict[str, dict[str, int]]) -> dict[str, object]:
    ids = [f"d{i}" for i in range(len(docs))]
    qids = sorted(qrels, key=lambda q: int(q[1:]))

    def score(idx: np.ndarray, val: np.ndarray) -> dict[str, float]:
        rows = zip(qids, idx.tolist(), strict=True)
        return per_query_ndcg({q: [ids[i] for i in row[:10]] for q, row in rows}, qrels)

    reference = score(*search(queries, docs, 100))
    return tradeoff_table(queries, docs, score=score, reference=reference)


def test_key_follows_vectors_labels_and_options() -> None:
    queries, docs, qrels = _case()
    key = table_key(queries, docs, {"qrels": qrels}, {"depth": 100})
    assert key == table_key(queries.copy(), docs.copy(), {"qrels": dict(qrels)}, {"depth": 100})
    moved = docs.copy()
    moved[5, 3] += 1e-6  # one value of one vector
    assert table_key(queries, moved, {"qrels": qrels}, {"depth": 100}) != key
    assert table_key(queries, docs, {"qrels": {**qrels, "q0": {"d1": 1}}}, {"depth": 100}) != key
    assert table_key(queries, docs, {"qrels": qrels}, {"depth": 50}) != key


def test_stored_table_round_trips_and_a_damaged_file_is_recomputed(tmp_path: Path) -> None:
    queries, docs, qrels = _case(1)
    calls: list[int] = []

    def compute() -> dict[str, object]:
        calls.append(1)
        return _table(queries, docs, qrels)

    first = cached_table(tmp_path, "k", compute)
    second = cached_table(tmp_path, "k", compute)
    assert len(calls) == 1 and second["cached"] is True and _without_timing(second) == _without_timing(first)
    (tmp_path / "tradeoffs" / "k.json").write_text("{not json", encoding="utf-8")
    third = cached_table(tmp_path, "k", compute)
    assert len(calls) == 2 and "cached" not in third and _without_timing(third) == _without_timing(first)
    stored = json.loads((tmp_path / "tradeoffs" / "k.json").read_text("utf-8"))
    assert stored["table"]["rows"] == first["rows"]  # rewritten whole
    assert cached_table(None, "k", compute) and len(calls) == 3  # no cache folder: always computed


def test_ndcg_scorer_equals_the_rows_ndcg() -> None:
    """Graded labels, queries without a relevant document, and missing rankings: the same floats."""
    rng = np.random.default_rng(3)
    qrels = {f"q{i}": {f"d{j}": int(rng.integers(-1, 3)) for j in rng.choice(40, 5)} for i in range(60)}
    ranked = {f"q{i}": [f"d{j}" for j in rng.permutation(40)[:12]] for i in range(55)}  # q55..q59 unranked
    assert per_query_ndcg(ranked, qrels) == per_query_metrics(ranked, qrels)[PRIMARY]
    assert any(v > 0 for v in per_query_ndcg(ranked, qrels).values())
