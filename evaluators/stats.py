"""Uncertainty for per-query metrics: seeded 95% bootstrap intervals and a paired randomisation test.

Separate from metrics.py because these are about comparing numbers, not computing them. Both are
vectorised over resamples and deterministic for a given seed.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from evaluators.metrics import METRICS, PRIMARY
from evaluators.types import ModelResult

N_BOOT = 2000
N_PERM = 10000
_CHUNK = 1000


def bootstrap_ci(
    values: Sequence[float] | np.ndarray, *, n_boot: int = N_BOOT, seed: int = 0, level: float = 0.95
) -> tuple[float, float]:
    """Percentile bootstrap interval of the mean, resampling queries with replacement."""
    x = np.asarray(values, dtype=np.float64)
    if x.size == 0:
        return (0.0, 0.0)
    rng = np.random.default_rng(seed)
    means = np.empty(n_boot)
    for start in range(0, n_boot, _CHUNK):
        n = min(_CHUNK, n_boot - start)
        means[start : start + n] = x[rng.integers(0, x.size, size=(n, x.size))].mean(axis=1)
    alpha = (1.0 - level) / 2.0
    lo, hi = np.quantile(means, [alpha, 1.0 - alpha])
    return (float(lo), float(hi))


def paired_randomization_test(
    a: Sequence[float] | np.ndarray, b: Sequence[float] | np.ndarray, *, n_perm: int = N_PERM, seed: int = 0
) -> float:
    """Two-sided p-value that systems a and b (same queries, same order) have equal mean.

    Randomly swaps each query's pair (sign flip of the difference); p = (extreme + 1) / (n_perm + 1).
    Identical inputs give p = 1.
    """
    d = np.asarray(a, dtype=np.float64) - np.asarray(b, dtype=np.float64)
    if d.size == 0:
        return 1.0
    observed = abs(d.mean())
    tol = 1e-12
    rng = np.random.default_rng(seed)
    extreme = 0
    for start in range(0, n_perm, _CHUNK):
        n = min(_CHUNK, n_perm - start)
        signs = rng.integers(0, 2, size=(n, d.size)) * 2 - 1
        extreme += int((np.abs((signs * d).mean(axis=1)) >= observed - tol).sum())
    return (extreme + 1) / (n_perm + 1)


def bootstrap_cis(
    matrix: np.ndarray, *, n_boot: int = N_BOOT, seed: int = 0, level: float = 0.95
) -> list[tuple[float, float]]:
    """`bootstrap_ci` of each row (systems x queries) from one shared stream of resamples: row i's interval
    equals bootstrap_ci(matrix[i], seed=seed), at the cost of drawing the resamples once."""
    x = np.asarray(matrix, dtype=np.float64)
    if x.ndim != 2 or x.shape[1] == 0:
        return [(0.0, 0.0)] * (len(x) if x.ndim == 2 else 0)
    rng = np.random.default_rng(seed)
    means = np.empty((x.shape[0], n_boot))
    for start in range(0, n_boot, _CHUNK):
        n = min(_CHUNK, n_boot - start)
        idx = rng.integers(0, x.shape[1], size=(n, x.shape[1]))
        for row in range(x.shape[0]):
            means[row, start : start + n] = x[row][idx].mean(axis=1)
    alpha = (1.0 - level) / 2.0
    bounds = np.quantile(means, [alpha, 1.0 - alpha], axis=1)
    return [(float(lo), float(hi)) for lo, hi in bounds.T]


def paired_pvalues(
    base: np.ndarray, matrix: np.ndarray, *, n_perm: int = N_PERM, seed: int = 0
) -> list[float]:
    """`paired_randomization_test(base, row)` for every row of `matrix` from one shared stream of sign flips
    (each p equals the single test's with the same seed)."""
    d = np.asarray(base, dtype=np.float64)[None, :] - np.asarray(matrix, dtype=np.float64)
    if d.shape[1] == 0:
        return [1.0] * d.shape[0]
    observed = np.abs(d.mean(axis=1))
    tol = 1e-12
    rng = np.random.default_rng(seed)
    extreme = np.zeros(d.shape[0], dtype=np.int64)
    for start in range(0, n_perm, _CHUNK):
        n = min(_CHUNK, n_perm - start)
        signs = rng.integers(0, 2, size=(n, d.shape[1])) * 2 - 1
        means = (signs @ d.T) / d.shape[1]
        extreme += (np.abs(means) >= observed[None, :] - tol).sum(axis=0)
    return [float((e + 1) / (n_perm + 1)) for e in extreme]


def aligned(per_query_a: dict[str, float], per_query_b: dict[str, float]) -> tuple[np.ndarray, np.ndarray]:
    """The two systems' values on their shared queries, in one order (for the paired test)."""
    keys = sorted(set(per_query_a) & set(per_query_b))
    return (
        np.array([per_query_a[k] for k in keys], dtype=np.float64),
        np.array([per_query_b[k] for k in keys], dtype=np.float64),
    )


def compare_to_best(rows: list[ModelResult]) -> None:
    """Mark the best ok row by nDCG@10 (first wins ties) and give every other ok row paired p-values."""
    ok = [r for r in rows if r.status == "ok" and r.metrics]
    if not ok:
        return
    best = max(ok, key=lambda r: r.metrics.get(PRIMARY, 0.0))
    best.details["best"] = True
    for row in ok:
        if row is best:
            continue
        row.details["compared_with"] = best.model
        for m in METRICS:
            a, b = aligned(best.per_query.get(m, {}), row.per_query.get(m, {}))
            row.p_vs_best[m] = paired_randomization_test(a, b, seed=0)
