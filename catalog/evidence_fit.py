"""Bradley-Terry fit on head-to-head results over shared tasks, with a Gaussian prior (pure numpy).

Input: a models x slices score matrix (NaN = not run) and a weight per slice. Two models are compared only
on slices both ran. A comparison is a soft win, sigmoid(score difference / TAU), so a 0.1-point gap is
nearly a tie and a 5-point gap nearly a sure win. Each slice gives every model that ran it about
2 x weight comparisons in total, however many others ran it: evidence is counted in tasks, not in
opponents, so a model with 2 tasks cannot outweigh one with 40, and the prior N(mean, sd^2) pulls thin
evidence toward the prior mean. Newton's method on the concave log-posterior; standard errors from the
Hessian.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

TAU = 5.0
"""Score points (nDCG@10 x100, accuracy x100, ...) at which a gap counts as a 73% win; 15 points is a
95% win. Wide enough that margins matter, not just who is ahead by 0.1."""
MAX_ITER = 50
TOL = 1e-8

Array = NDArray[np.float64]


@dataclass(frozen=True)
class Comparisons:
    """Weighted pairwise tallies: wins[i, j] = weighted soft wins of i over j; games[i, j] = weight played."""

    wins: Array
    games: Array
    tasks: NDArray[np.int64]
    """Slices each model ran (with at least one other model)."""


def tally(scores: Array, weights: Array, tau: float = TAU, block: int = 32) -> Comparisons:
    """Pairwise tallies over shared slices. scores: (models, slices) with NaN for 'not run'.

    Vectorised over blocks of slices (a models x models x block array at a time), so ~120 models x ~250
    slices take milliseconds and bounded memory."""
    n, n_slices = scores.shape
    ran = ~np.isnan(scores)
    k = ran.sum(axis=0)
    per_pair = np.where((k >= 2) & (weights > 0), weights * 2.0 / np.maximum(k - 1, 1), 0.0)
    # float32 halves the time of the n x n x block exponentials; tallies are summed in float64
    filled = (np.where(ran, scores, 0.0) / tau).astype(np.float32)
    ran_f = ran.astype(np.float32)
    pair_w = per_pair.astype(np.float32)
    wins = np.zeros((n, n))
    for start in range(0, n_slices, block):
        cols = slice(start, start + block)
        with np.errstate(over="ignore"):  # exp overflow -> inf -> a sure loss (0), as it should
            p = np.exp(filled[None, :, cols] - filled[:, None, cols])
        p += 1.0
        np.reciprocal(p, out=p)
        p *= ran_f[:, None, cols]
        p *= ran_f[None, :, cols]
        wins += p @ pair_w[cols]
    weighted = ran * per_pair
    games = weighted @ ran.T.astype(float)
    np.fill_diagonal(wins, 0.0)
    np.fill_diagonal(games, 0.0)
    tasks = (ran & (per_pair > 0)).sum(axis=1).astype(np.int64)
    return Comparisons(wins, games, tasks)


@dataclass(frozen=True)
class Fit:
    theta: Array
    """Strength on the log-odds scale: P(i beats j on a task) = sigmoid(theta_i - theta_j)."""
    se: Array
    """Posterior standard error of theta."""
    iterations: int


def fit(comp: Comparisons, prior_mean: Array, prior_sd: Array) -> Fit:
    """Posterior mode of theta under the Bradley-Terry likelihood and independent Gaussian priors."""
    n = prior_mean.size
    if n == 0:
        return Fit(np.zeros(0), np.zeros(0), 0)
    theta = prior_mean.astype(float).copy()
    precision = 1.0 / np.square(prior_sd)
    iterations = 0
    hessian = -np.diag(precision)
    for iterations in range(1, MAX_ITER + 1):  # noqa: B007 - reported after the loop
        p = 1.0 / (1.0 + np.exp(-(theta[:, None] - theta[None, :])))
        grad = (comp.wins - comp.games * p).sum(axis=1) - precision * (theta - prior_mean)
        curv = comp.games * p * (1.0 - p)
        hessian = curv - np.diag(curv.sum(axis=1) + precision)
        step = np.linalg.solve(hessian, grad)
        theta = theta - step
        if float(np.max(np.abs(step))) < TOL:
            break
    se = np.sqrt(np.diag(np.linalg.inv(-hessian)))
    return Fit(theta, se, iterations)


_GH_X, _GH_W = np.polynomial.hermite_e.hermegauss(7)
_GH_W = _GH_W / _GH_W.sum()


def win_rate(theta: float, others: Array, se: float = 0.0) -> float:
    """Expected share of head-to-head tasks won against `others` (the eligible pool's strengths).

    With `se`, the expectation is over the posterior theta ~ N(theta, se^2) (Gauss-Hermite): the honest
    estimate for an uncertain model, a little closer to 50% than plugging in the posterior mode."""
    if others.size == 0:
        return 0.5
    points = theta + se * _GH_X if se > 0 else np.array([theta])
    weights = _GH_W if se > 0 else np.array([1.0])
    p = 1.0 / (1.0 + np.exp(-(points[:, None] - others[None, :])))
    return float(weights @ p.mean(axis=1))
