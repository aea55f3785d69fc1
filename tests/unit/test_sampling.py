"""Sampling: same seed, same sample; N counts documents; every relevant document of a kept query stays."""

from __future__ import annotations

from pathlib import Path

import pytest

from evaluators.datasets import load_dataset
from evaluators.ingest.sampling import sample_corpus
from evaluators.types import Doc, Query, TrialInputError

DOCS = [Doc(id=f"d{i}", text=f"Document {i}.") for i in range(100)]
QUERIES = [Query(id=f"q{i}", text=f"query {i}") for i in range(30)]
QRELS = {f"q{i}": {f"d{i}": 1, f"d{i + 50}": 2} for i in range(30)}


def test_same_seed_same_sample_and_different_seed_differs() -> None:
    a = sample_corpus(DOCS, QUERIES, QRELS, 20, seed=7)
    b = sample_corpus(DOCS, QUERIES, QRELS, 20, seed=7)
    c = sample_corpus(DOCS, QUERIES, QRELS, 20, seed=8)
    assert a == b
    assert [d.id for d in a.docs] != [d.id for d in c.docs]


def test_n_is_the_document_count_and_relevant_docs_are_kept() -> None:
    """Exactly N docs; kept queries fit in half of N with all their relevant docs; the rest: distractors."""
    s = sample_corpus(DOCS, QUERIES, QRELS, 20, seed=3)
    kept = {d.id for d in s.docs}
    assert len(kept) == 20
    assert len(s.queries) == 5  # 2 relevant docs each, 10 = half of 20
    for q in s.queries:
        assert s.qrels[q.id] == QRELS[q.id] and set(QRELS[q.id]) <= kept
    assert [d.id for d in s.docs] == [d.id for d in DOCS if d.id in kept]  # input order kept
    assert s.info["applied"] is True and s.info["docs_before"] == 100


def test_query_dropped_whole_when_it_does_not_fit() -> None:
    """A query with more relevant docs than the budget is dropped, never kept with partial qrels."""
    qrels = {**QRELS, "q0": {f"d{i}": 1 for i in range(40)}}
    s = sample_corpus(DOCS, QUERIES, qrels, 20, seed=1)
    assert "q0" not in {q.id for q in s.queries}


def test_max_queries_and_no_op() -> None:
    assert len(sample_corpus(DOCS, QUERIES, QRELS, 60, seed=0, max_queries=4).queries) == 4
    whole = sample_corpus(DOCS, QUERIES, QRELS, 500, seed=0)
    assert whole.info["applied"] is False and len(whole.docs) == 100 and len(whole.queries) == 30


def test_no_queries_means_random_docs() -> None:
    s = sample_corpus(DOCS, [], {}, 10, seed=2)
    assert len(s.docs) == 10 and s.queries == []


@pytest.mark.parametrize("seed", [0, 1])
def test_load_dataset_sample_on_shared_squad(shared_data: Path, seed: int) -> None:
    """--sample on a real set: deterministic, reported in info, qrels resolve inside the sample."""
    a = load_dataset(shared_data / "squad_en", sample=120, seed=seed)
    b = load_dataset(shared_data / "squad_en", sample=120, seed=seed)
    assert a.info["fingerprint"] == b.info["fingerprint"]
    assert a.info["n_docs"] == 120 and a.info["n_docs_total"] == 1014
    assert a.info["sample"] == 120 and a.info["seed"] == seed and a.info["sampling"]["applied"]
    parents = {d.parent_id or d.id for d in a.corpus}
    assert all(set(rel) <= parents for rel in a.qrels.values())
    assert len({d for rel in a.qrels.values() for d in rel}) <= 60  # half of N; the rest are distractors
    assert len(a.queries) >= 40


def test_sample_then_synthetic(tmp_path: Path) -> None:
    for i in range(12):
        text = f"File {i} is about subject {i}. It has a second sentence here. The number {i} comes again."
        (tmp_path / f"f{i}.txt").write_text(text, encoding="utf-8")
    ds = load_dataset(tmp_path, sample=5, seed=4)
    assert ds.info["n_docs"] == 5 and ds.synthetic and 1 <= len(ds.queries) <= 5


def test_bad_sample_size_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(TrialInputError, match="sample size"):
        load_dataset(tmp_path, sample=0)
