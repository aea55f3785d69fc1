"""Exact top-k retrieval over a dense matrix: one matrix product per query batch, no per-query Python loop.

Tie rule (shared by every ranking in embedscout): score descending, then corpus order (lower index first).
Kept apart from the runner so the benchmark and the BM25/hybrid rankers reuse the same selection code.
"""

from __future__ import annotations

import numpy as np

_MAX_BLOCK = 32_000_000
"""Largest score block (queries x docs) materialised at once: ~128 MB of float32."""


def topk_from_scores(scores: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Top-k (indices, scores) per row of a score matrix, ordered by score desc then column index asc."""
    scores = np.asarray(scores, dtype=np.float32)
    n_rows, n_cols = scores.shape
    k = min(k, n_cols)
    if k <= 0 or n_rows == 0:
        return np.zeros((n_rows, 0), dtype=np.int64), np.zeros((n_rows, 0), dtype=np.float32)
    if k == n_cols:
        cand = np.broadcast_to(np.arange(n_cols), scores.shape).copy()
    else:
        # Partition the scores themselves (negating would copy the whole block): the top k end up last.
        cand = np.argpartition(scores, n_cols - k, axis=1)[:, n_cols - k :]
        cand = _fix_boundary_ties(scores, cand, k)
    vals = np.take_along_axis(scores, cand, axis=1)
    # lexsort: last key is primary -> score desc, then index asc.
    order = np.lexsort((cand, -vals), axis=1)
    return np.take_along_axis(cand, order, axis=1).astype(np.int64), np.take_along_axis(vals, order, axis=1)


def _fix_boundary_ties(scores: np.ndarray, cand: np.ndarray, k: int) -> np.ndarray:
    """argpartition picks an arbitrary subset of the docs tied at the k-th score; keep the earliest ones."""
    kth = np.take_along_axis(scores, cand, axis=1).min(axis=1)
    n_ge = np.count_nonzero(scores >= kth[:, None], axis=1)
    bad = np.nonzero(n_ge > k)[0]
    if bad.size == 0:
        return cand
    sub = scores[bad]
    v = kth[bad][:, None]
    above = sub > v
    need = k - above.sum(axis=1)
    tied = sub == v
    keep = above | (tied & (np.cumsum(tied, axis=1) <= need[:, None]))
    rows, cols = np.nonzero(keep)  # row-major: exactly k columns per row, ascending
    cand = cand.copy()
    cand[bad] = cols.reshape(len(bad), k)
    return cand


def search(
    queries: np.ndarray, docs: np.ndarray, k: int = 10, *, batch_size: int | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Exact inner-product top-k of each query over `docs` (normalised vectors make this cosine).

    Returns (indices, scores), both shaped (n_queries, min(k, n_docs)).
    """
    q = np.ascontiguousarray(queries, dtype=np.float32)
    d = np.ascontiguousarray(docs, dtype=np.float32)
    if q.ndim != 2 or d.ndim != 2 or (len(d) and q.shape[1] != d.shape[1]):
        raise ValueError(f"shape mismatch: queries {q.shape}, docs {d.shape}")
    n_docs = len(d)
    step = batch_size or max(1, min(len(q) or 1, _MAX_BLOCK // max(n_docs, 1)))
    kk = min(k, n_docs)
    idx = np.zeros((len(q), kk), dtype=np.int64)
    val = np.zeros((len(q), kk), dtype=np.float32)
    for start in range(0, len(q), step):
        block = q[start : start + step] @ d.T
        idx[start : start + step], val[start : start + step] = topk_from_scores(block, kk)
    return idx, val


def maxp(idx: np.ndarray, val: np.ndarray, parents: list[str], k: int = 10) -> list[list[tuple[str, float]]]:
    """MaxP: rank parent documents by their best chunk. Input rankings are already tie-broken, so the first
    time a parent appears is its best chunk and its rank; returns up to k (parent id, score) per query."""
    out: list[list[tuple[str, float]]] = []
    for row_i, row_v in zip(idx.tolist(), val.tolist(), strict=True):
        seen: dict[str, float] = {}
        for i, v in zip(row_i, row_v, strict=True):
            p = parents[i]
            if p not in seen:
                seen[p] = v
                if len(seen) == k:
                    break
        out.append(list(seen.items()))
    return out
