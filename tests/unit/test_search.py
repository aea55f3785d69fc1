"""Exact top-k: same answer as a full stable sort, ties by corpus order, batch size never changes results."""

from __future__ import annotations

import numpy as np
import pytest

from evaluators.search import maxp, search, topk_from_scores


def _reference(scores: np.ndarray, k: int) -> np.ndarray:
    return np.array([sorted(range(len(r)), key=lambda i: (-r[i], i))[:k] for r in scores])


@pytest.mark.parametrize("k", [1, 5, 10, 37])
def test_matches_full_sort_with_many_ties(k: int) -> None:
    rng = np.random.default_rng(0)
    scores = rng.integers(0, 4, size=(50, 200)).astype(np.float32)  # heavy ties at every boundary
    idx, val = topk_from_scores(scores, k)
    assert np.array_equal(idx, _reference(scores, k))
    assert np.array_equal(val, np.take_along_axis(scores, idx, axis=1))


def test_all_equal_scores_keep_corpus_order() -> None:
    idx, _ = topk_from_scores(np.zeros((3, 50), dtype=np.float32), 10)
    assert (idx == np.arange(10)).all()


def test_search_is_exact_and_batch_independent() -> None:
    rng = np.random.default_rng(1)
    docs = rng.normal(size=(500, 16)).astype(np.float32)
    queries = rng.normal(size=(40, 16)).astype(np.float32)
    idx, val = search(queries, docs, 10)
    ref = _reference(queries @ docs.T, 10)
    assert np.array_equal(idx, ref)
    idx2, val2 = search(queries, docs, 10, batch_size=7)
    assert np.array_equal(idx, idx2) and np.allclose(val, val2)


def test_k_larger_than_corpus_and_shape_errors() -> None:
    idx, _ = search(np.ones((2, 3)), np.eye(3), 10)
    assert idx.shape == (2, 3)
    with pytest.raises(ValueError):
        search(np.ones((2, 4)), np.eye(3), 10)


def test_maxp_ranks_parents_by_best_chunk() -> None:
    parents = ["a", "a", "b", "c", "b"]
    idx = np.array([[1, 0, 4, 2, 3]])
    val = np.array([[0.9, 0.8, 0.7, 0.6, 0.5]], dtype=np.float32)
    assert maxp(idx, val, parents, k=2) == [[("a", pytest.approx(0.9)), ("b", pytest.approx(0.7))]]
