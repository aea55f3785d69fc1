"""Uncertainty for per-query metrics: seeded 95% bootstrap intervals and a paired randomisation test.

Separate from metrics.py because these are about comparing numbers, not computing them. Both are
vectorised over resamples and deterministic for a given seed.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

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
    means = np.empty(n_boot)
    for start, idx in query_resamples(x.size, n_boot=n_boot, seed=seed):
        means[start : start + len(idx)] = x[idx].mean(axis=1)
    alpha = (1.0 - level) / 2.0
    return (_quantile(means, alpha), _quantile(means, 1.0 - alpha))


def _quantile(x: np.ndarray, q: float) -> float:
    """np.quantile's default ('linear') for one q; np.quantile imports numpy.ma (~60 ms of start-up)."""
    s = np.sort(x)
    pos = q * (s.size - 1)
    lo = int(np.floor(pos))
    hi = min(lo + 1, s.size - 1)
    return float(s[lo] + (s[hi] - s[lo]) * (pos - lo))


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
    """Mark the best ok row by nDCG@10 (first wins ties) and give every other ok row paired p-values (for
    every metric, and for extra per-query metrics both rows have, such as answer-hit@1)."""
    ok = [r for r in rows if r.status == "ok" and r.metrics]
    if not ok:
        return
    best = max(ok, key=lambda r: r.metrics.get(PRIMARY, 0.0))
    best.details["best"] = True
    for row in ok:
        if row is best:
            continue
        row.details["compared_with"] = best.model
        for m in [*METRICS, *(k for k in best.per_query if k not in METRICS and k in row.per_query)]:
            a, b = aligned(best.per_query.get(m, {}), row.per_query.get(m, {}))
            row.p_vs_best[m] = paired_randomization_test(a, b, seed=0)


def query_resamples(
    n_queries: int, *, n_boot: int = N_BOOT, seed: int = 0
) -> Iterator[tuple[int, np.ndarray]]:
    """(first resample number, indices shaped (chunk, n_queries)): the bootstrap's resamples of the queries.

    The one stream every bootstrap here draws from: with the same seed and query count, a paired statistic
    sees exactly the resamples behind each model's `bootstrap_ci`.
    """
    rng = np.random.default_rng(seed)
    for start in range(0, n_boot, _CHUNK):
        yield start, rng.integers(0, n_queries, size=(min(_CHUNK, n_boot - start), n_queries))


def winner_shares(means: np.ndarray) -> np.ndarray:
    """Per system (rows of `means`, systems x resamples): the share of resamples it is best in; systems tied
    for best split that resample equally (so two identical systems get half each)."""
    m = np.asarray(means, dtype=np.float64)
    top = m >= m.max(axis=0, keepdims=True) - 1e-12
    return np.asarray((top / top.sum(axis=0, keepdims=True)).mean(axis=1))


def paired_win_shares(matrix: np.ndarray, *, n_boot: int = N_BOOT, seed: int = 0) -> np.ndarray:
    """Share of paired bootstrap resamples of the queries (the same resample for every system) in which each
    system (rows of `matrix`, systems x queries, one query order) has the best mean; ties split equally."""
    x = np.asarray(matrix, dtype=np.float64)
    if x.ndim != 2 or x.shape[1] == 0:
        raise ValueError("paired_win_shares needs a systems x queries matrix with at least one query")
    means = np.empty((x.shape[0], n_boot))
    for start, idx in query_resamples(x.shape[1], n_boot=n_boot, seed=seed):
        for row in range(x.shape[0]):  # one system at a time keeps the peak at one (chunk x queries) block
            means[row, start : start + len(idx)] = x[row][idx].mean(axis=1)
    return winner_shares(means)
