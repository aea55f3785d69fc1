"""Hybrid retrieval by reciprocal rank fusion (RRF) of ranked lists (Cormack et al., 2009).

score(d) = sum over systems of 1 / (k + rank(d)), rank 1-based, k = 60 (the paper's constant, which damps the
weight of the very top ranks). Each system contributes its top `depth` documents. Fused ties are broken
like every other ranking: score descending, then corpus order.
"""

from __future__ import annotations

import numpy as np

from evaluators.search import topk_from_scores

RRF_K = 60
"""The RRF constant from Cormack, Clarke and Buettcher (SIGIR 2009)."""
DEPTH = 100
"""How many documents each system contributes to the fusion."""


def rrf(
    rankings: list[np.ndarray], n_docs: int, k: int = 10, *, rrf_k: int = RRF_K
) -> tuple[np.ndarray, np.ndarray]:
    """Fuse per-system rankings ((n_queries, depth) doc indices, best first) into top-k (indices, scores)."""
    if not rankings:
        raise ValueError("rrf needs at least one ranking")
    n_q = rankings[0].shape[0]
    kk = min(k, n_docs)
    idx = np.zeros((n_q, kk), dtype=np.int64)
    val = np.zeros((n_q, kk), dtype=np.float32)
    step = max(1, 8_000_000 // max(n_docs, 1))
    for start in range(0, n_q, step):
        stop = min(n_q, start + step)
        fused = np.zeros((stop - start, n_docs), dtype=np.float64)
        rows = np.arange(stop - start)[:, None]
        for ranking in rankings:
            part = ranking[start:stop]
            weights = 1.0 / (rrf_k + np.arange(1, part.shape[1] + 1, dtype=np.float64))
            np.add.at(fused, (np.broadcast_to(rows, part.shape), part), np.broadcast_to(weights, part.shape))
        # float64 sums of a few fractions, rounded once to float32: equal sums stay equal (ties: corpus order)
        idx[start:stop], val[start:stop] = topk_from_scores(fused.astype(np.float32), kk)
    return idx, val
