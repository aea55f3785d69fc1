"""Bradley-Terry over shared tasks: known answers on tiny synthetic tables, the shared-task rule, the prior
that keeps thin evidence from outranking broad evidence, and honest standard errors."""

from __future__ import annotations

import math

import numpy as np
import pytest

from catalog.evidence_fit import TAU, fit, tally, win_rate

NAN = math.nan


def _fit(scores: list[list[float]], sd: float = 1e6):  # noqa: ANN202 - (Comparisons, Fit)
    table = np.array(scores, dtype=float)
    comp = tally(table, np.ones(table.shape[1]))
    n = table.shape[0]
    return comp, fit(comp, np.zeros(n), np.full(n, sd))


def test_two_models_known_answer() -> None:
    """A beats B by d points on every task: the soft win is sigmoid(d / TAU), so without a prior the fitted
    gap is exactly d / TAU (the maximum-likelihood answer for a constant win probability)."""
    d = 3.0
    comp, result = _fit([[50.0 + d] * 6, [50.0] * 6])
    assert comp.games[0, 1] == pytest.approx(2 * 6)  # two players: each task is worth 2 games
    assert comp.wins[0, 1] / comp.games[0, 1] == pytest.approx(1 / (1 + math.exp(-d / TAU)))
    assert result.theta[0] - result.theta[1] == pytest.approx(d / TAU, rel=1e-6)


def test_three_models_are_ordered_and_transitive() -> None:
    """A > B > C by 4 points each; C never meets A, yet A ranks above C through B."""
    comp, result = _fit(
        [
            [64.0, 64.0, 64.0, NAN, NAN, NAN],
            [60.0, 60.0, 60.0, 60.0, 60.0, 60.0],
            [NAN, NAN, NAN, 56.0, 56.0, 56.0],
        ]
    )
    assert comp.games[0, 2] == 0 and comp.wins[0, 2] == 0  # the shared-task rule: never compared
    theta = result.theta
    assert theta[0] > theta[1] > theta[2]
    assert theta[0] - theta[1] == pytest.approx(theta[1] - theta[2], rel=1e-3)


def test_comparisons_only_over_tasks_both_ran() -> None:
    """A's tasks that B never ran do not enter the A-B tally, however lopsided they are."""
    shared = [[70.0, 60.0], [60.0, 70.0]]  # one win each on the two shared tasks
    extra_a = [[99.0, 99.0, 99.0], [NAN, NAN, NAN]]  # A alone: no opponent, no games
    table = [a + b for a, b in zip(shared, extra_a, strict=True)]
    comp, result = _fit(table)
    assert comp.wins[0, 1] == pytest.approx(comp.wins[1, 0])
    assert comp.tasks.tolist() == [2, 2]
    assert result.theta[0] == pytest.approx(result.theta[1], abs=1e-9)


def test_each_task_counts_the_same_however_many_models_ran_it() -> None:
    """Evidence is counted in tasks, not opponents: a model's total games on a task is 2 x its weight."""
    rng = np.random.default_rng(0)
    table = rng.uniform(20, 80, size=(7, 5))
    table[3:, 0] = NAN  # task 0: 3 models; tasks 1-4: all 7
    comp = tally(table, np.array([1.0, 1.0, 0.5, 1.0, 1.0]))
    assert comp.games.sum(axis=1)[0] == pytest.approx(2 * (1 + 1 + 0.5 + 1 + 1))
    assert comp.games.sum(axis=1)[5] == pytest.approx(2 * (1 + 0.5 + 1 + 1))
    assert np.allclose(comp.wins + comp.wins.T, comp.games)


def test_weak_prior_keeps_two_lucky_tasks_below_forty_good_ones() -> None:
    """'thin' wins its 2 tasks by 10 points against everyone; 'broad' wins 32 of its 40 by 5 points. With
    the prior, the broad record ranks first and the thin one carries the wider interval."""
    n_tasks, rng = 40, np.random.default_rng(1)
    base = rng.uniform(40, 60, size=(6, n_tasks))
    broad = base.max(axis=0) + np.where(np.arange(n_tasks) < 32, 5.0, -5.0)
    thin = np.full(n_tasks, NAN)
    thin[:2] = base[:, :2].max(axis=0) + 10.0
    table = np.vstack([base, broad, thin])
    comp = tally(table, np.ones(n_tasks))
    result = fit(comp, np.zeros(8), np.full(8, 1.0))
    assert result.theta[6] > result.theta[7]
    assert result.se[7] > 1.5 * result.se[6]
    no_prior = fit(comp, np.zeros(8), np.full(8, 1e6))
    assert no_prior.theta[7] > no_prior.theta[6]  # without the prior the two lucky tasks would win


def test_standard_error_shrinks_with_more_tasks() -> None:
    """The same model measured on 3 tasks, then on 24, against the same twenty references (a pool that
    large pins the common level, so the standard error is about the model itself)."""
    rng = np.random.default_rng(2)
    refs = rng.uniform(45, 55, size=(20, 24))
    model = refs.mean(axis=0) + rng.normal(0, 3, 24)
    few = np.where(np.arange(24) < 3, model, NAN)
    se = [_fit(np.vstack([refs, row]).tolist(), sd=1.0)[1].se[20] for row in (few, model)]
    assert se[1] < 0.6 * se[0]


def test_win_rate_is_the_mean_pairwise_probability() -> None:
    assert win_rate(0.0, np.array([0.0, 0.0])) == pytest.approx(0.5)
    assert win_rate(1.0, np.array([0.0])) == pytest.approx(1 / (1 + math.exp(-1)))
    assert win_rate(1.0, np.zeros(0)) == 0.5


def test_empty_pool_fits_nothing() -> None:
    comp = tally(np.zeros((0, 3)), np.ones(3))
    assert fit(comp, np.zeros(0), np.zeros(0)).theta.size == 0
