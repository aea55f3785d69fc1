"""Bootstrap CIs are seeded and bracket the mean; the paired test finds a system equal to itself."""

from __future__ import annotations

import numpy as np

from evaluators.stats import (
    aligned,
    bootstrap_ci,
    compare_to_best,
    paired_randomization_test,
    paired_win_shares,
    query_resamples,
)
from evaluators.types import ModelResult


def test_bootstrap_is_deterministic_and_brackets_mean() -> None:
    x = np.random.default_rng(3).random(300)
    lo, hi = bootstrap_ci(x, seed=5)
    assert (lo, hi) == bootstrap_ci(x, seed=5)
    assert lo < x.mean() < hi and hi - lo < 0.1


def test_bootstrap_of_constant_is_a_point() -> None:
    assert bootstrap_ci([1.0] * 50) == (1.0, 1.0)
    assert bootstrap_ci([]) == (0.0, 0.0)


def test_model_vs_itself_is_not_significant() -> None:
    x = np.random.default_rng(0).random(200)
    assert paired_randomization_test(x, x) == 1.0


def test_clear_difference_is_significant_and_noise_is_not() -> None:
    rng = np.random.default_rng(1)
    a = rng.random(200)
    assert paired_randomization_test(a, a - 0.2, n_perm=2000) < 0.001
    b = a + rng.normal(0, 0.01, 200) * rng.choice([-1, 1], 200)
    assert paired_randomization_test(a, b, n_perm=2000) > 0.05


def test_aligned_uses_shared_queries_in_one_order() -> None:
    a, b = aligned({"q2": 2.0, "q1": 1.0, "q3": 3.0}, {"q1": 10.0, "q2": 20.0})
    assert a.tolist() == [1.0, 2.0] and b.tolist() == [10.0, 20.0]


def test_compare_to_best_marks_best_and_skips_failed() -> None:
    def row(name: str, vals: list[float]) -> ModelResult:
        pq = {m: {f"q{i}": v for i, v in enumerate(vals)} for m in ("ndcg@10", "hit@1")}
        return ModelResult(name, metrics={"ndcg@10": float(np.mean(vals))}, per_query=pq)

    rows = [row("weak", [0.0] * 30), row("strong", [1.0] * 30), ModelResult("x", status="failed")]
    compare_to_best(rows)
    assert rows[1].details["best"] and not rows[1].p_vs_best
    assert rows[0].p_vs_best["ndcg@10"] < 0.001 and rows[0].details["compared_with"] == "strong"
    assert not rows[2].p_vs_best


def test_query_resamples_are_the_ones_behind_bootstrap_ci() -> None:
    """A paired statistic on query_resamples sees exactly the resamples each model's interval came from."""
    x = np.random.default_rng(7).random(57)
    means = np.concatenate([x[idx].mean(axis=1) for _, idx in query_resamples(57, n_boot=2500, seed=3)])
    assert len(means) == 2500
    assert bootstrap_ci(x, n_boot=2500, seed=3) == tuple(np.quantile(means, [0.025, 0.975]))


def test_win_shares_are_paired() -> None:
    """A system a hair below another on every query never wins a paired resample, although the two
    intervals overlap almost entirely; a clearly worse third system never wins either."""
    a = np.random.default_rng(8).random(80)
    b, c = a - 0.001, a - 0.3
    shares = paired_win_shares(np.vstack([b, a, c]))
    assert shares.tolist() == [0.0, 1.0, 0.0]
    lo_a, hi_a = bootstrap_ci(a)
    lo_b, hi_b = bootstrap_ci(b)
    assert lo_a < hi_b and lo_b < hi_a
    pair = np.vstack([a, a + np.random.default_rng(9).normal(0, 0.2, 80)])
    noisy = paired_win_shares(pair, seed=1)
    assert noisy.sum() == 1.0 and 0 < noisy[0] < 1
    assert noisy.tolist() == paired_win_shares(pair, seed=1).tolist()
