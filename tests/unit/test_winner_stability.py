"""Winner stability through the real trial engine: a sample whose winner flips with the whole corpus is
flagged (and the flip is real), a sample whose winner holds is not, and the data that cannot say says so."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from evaluators.metrics import PRIMARY
from evaluators.runner import run_trial
from evaluators.stats import paired_win_shares
from evaluators.types import ModelResult, TrialResult
from evaluators.winner.assess import (
    MAX_FACTOR,
    MIN_DISTRACTORS,
    THRESHOLD,
    advice,
    queries_needed,
    winner_stability,
)
from evaluators.winner.model import COULD_CHANGE, UNKNOWN, UNLIKELY
from evaluators.winner.text import detail_lines, stability_text, summary_line
from tests.unit._winner_cases import MODELS, make_case, use_tables


def _best(result: TrialResult) -> str:
    return next(r.model for r in result.results if r.details.get("best"))


@pytest.mark.parametrize("seed", [0, 1])
def test_a_sample_that_flips_the_winner_says_so(monkeypatch: pytest.MonkeyPatch, seed: int) -> None:
    """200 of 400 documents: lexical/like leads on the sample, semantic/like on all 400; the trial on the
    sample says the sample could change the answer and advises running on all 400 documents."""
    case = make_case(0.004, seed=seed)
    use_tables(monkeypatch, case)
    sampled, full = run_trial(case.sample, MODELS), run_trial(case.full, MODELS)
    assert (_best(sampled), _best(full)) == ("lexical/like", "semantic/like")  # the construction flips
    ws = sampled.stability
    assert ws is not None and ws.best == "lexical/like" and ws.sample is not None
    s = ws.sample
    assert s.verdict == COULD_CHANGE and (s.n_docs, s.n_docs_total, s.n_distractors) == (200, 400, 100)
    assert s.projected[0][0] == "semantic/like" and s.backtest_error is not None
    truth = {r.model: r.metrics[PRIMARY] for r in full.results}
    for model, value in s.projected:  # the projection lands near what all 400 documents measure
        assert abs(value - truth[model]) < 0.1, (model, value, truth[model])
    assert "run on all 400 documents" in ws.advice
    line = summary_line(ws)
    assert "sample of 200/400 documents could change the answer" in line and line.endswith(ws.advice)


@pytest.mark.parametrize("seed", [0, 1])
def test_a_sample_whose_winner_holds_is_not_flagged(monkeypatch: pytest.MonkeyPatch, seed: int) -> None:
    """Fewer look-alikes: lexical/like loses ground with the corpus but stays ahead; the check says the
    sample is unlikely to change the answer and gives no advice."""
    case = make_case(0.001, seed=seed)
    use_tables(monkeypatch, case)
    sampled, full = run_trial(case.sample, MODELS), run_trial(case.full, MODELS)
    assert _best(sampled) == _best(full) == "lexical/like"
    ws = sampled.stability
    assert ws is not None and ws.sample is not None and ws.sample.verdict == UNLIKELY
    assert ws.stability >= THRESHOLD and ws.advice == ""
    assert ws.sample.backtest_ok and ws.sample.projected[0][0] == "lexical/like"
    assert "unlikely to change it" in summary_line(ws)


@pytest.mark.slow
def test_near_the_tipping_point_a_flip_is_never_called_unlikely(monkeypatch: pytest.MonkeyPatch) -> None:
    """Eight corpora around the point where lexical/like's look-alikes overturn its lead: every sample whose
    winner the whole corpus overturns is flagged, none is called 'unlikely to change'."""
    flips = flagged = 0
    for p, confused, seed in [(p, c, s) for p in (0.002, 0.003) for c in (0.4, 0.5) for s in (0, 1)]:
        case = make_case(p, confused=confused, seed=seed)
        use_tables(monkeypatch, case)
        sampled, full = run_trial(case.sample, MODELS), run_trial(case.full, MODELS)
        ws = sampled.stability
        assert ws is not None and ws.sample is not None
        if _best(full) != _best(sampled):
            flips += 1
            assert ws.sample.verdict != UNLIKELY, (p, confused, seed, ws.sample.reason)
            flagged += ws.sample.verdict == COULD_CHANGE
    assert flips >= 6 and flagged >= flips - 1


def test_query_shares_are_the_paired_bootstrap_of_the_rows(monkeypatch: pytest.MonkeyPatch) -> None:
    """The figure is the share of the CI's own resamples in which each row is best; shares sum to 1."""
    case = make_case(0.004)
    use_tables(monkeypatch, case)
    res = run_trial(case.sample, MODELS)
    ws = res.stability
    assert ws is not None
    qids = sorted(res.results[0].per_query[PRIMARY])
    matrix = np.array([[r.per_query[PRIMARY][q] for q in qids] for r in res.results])
    expected = paired_win_shares(matrix, seed=ws.seed)
    assert dict(ws.shares) == pytest.approx({r.model: e for r, e in zip(res.results, expected, strict=True)},
                                           abs=1e-4)
    assert sum(v for _, v in ws.shares) == pytest.approx(1.0)
    assert ws.n_queries == len(qids) and ws.n_resamples == 2000


def test_full_corpus_trial_has_no_sample_check(monkeypatch: pytest.MonkeyPatch) -> None:
    case = make_case(0.004)
    use_tables(monkeypatch, case)
    ws = run_trial(case.full, MODELS).stability
    assert ws is not None and ws.sample is None
    assert "documents" not in summary_line(ws)


def test_too_few_distractors_is_unknown_and_says_to_check(monkeypatch: pytest.MonkeyPatch) -> None:
    """A sample that is almost all answers says nothing about more documents: unknown, never a guess."""
    case = make_case(0.004, n_queries=100, sample_n=MIN_DISTRACTORS + 10)  # half answers, half distractors
    use_tables(monkeypatch, case)
    ws = run_trial(case.sample, MODELS).stability
    assert ws is not None and ws.sample is not None
    assert ws.sample.verdict == UNKNOWN and "too few" in ws.sample.reason and not ws.sample.projected
    assert "run on all 400 documents" in ws.advice and ws.advice.count("to check") == 1


def test_a_tiny_share_of_a_big_corpus_is_unknown(monkeypatch: pytest.MonkeyPatch) -> None:
    """Projecting far beyond what the sample's distractors show is not attempted."""
    case = make_case(0.0, n_docs=2000, n_queries=30, sample_n=60)
    use_tables(monkeypatch, case)
    ws = run_trial(case.sample, MODELS).stability
    assert ws is not None and ws.sample is not None
    assert (2000 - 60) / ws.sample.n_distractors > MAX_FACTOR
    assert ws.sample.verdict == UNKNOWN and "too small a share" in ws.sample.reason
    share = ws.sample.n_distractors / 60  # the sampler keeps at least half the sample for distractors
    floor = -(-2000 // (1 + MAX_FACTOR * share))
    assert (2000 - floor) / (share * floor) <= MAX_FACTOR < (2000 - floor + 1) / (share * (floor - 1))
    assert f"run on all 2,000 documents (or a sample of at least {floor:,.0f}) to check" in ws.advice


def test_close_models_get_add_queries_advice_with_a_count() -> None:
    """Two models a hair apart on 40 queries: within noise, and the advice says how many would settle it."""
    rng = np.random.default_rng(4)
    a = rng.random(40)
    b = np.clip(a - 0.01 + rng.normal(0, 0.25, 40), 0, 1)
    rows = [ModelResult("a", per_query={PRIMARY: {f"q{i}": v for i, v in enumerate(x)}}) for x in (a, b)]
    rows[1] = replace(rows[1], model="b")
    ws = winner_stability(rows)
    assert ws is not None and 0.5 < ws.stability < THRESHOLD
    need = queries_needed(ws.stability, 40)
    assert need is not None and need > 40
    assert ws.advice == f"add queries: with 40 queries the top two are within noise (about {need:,} would " \
                        "settle a lead this size)"
    # The count is honest: the same per-query differences over `need` queries keep the lead ~THRESHOLD often.
    reps = -(-need // 40)
    more = paired_win_shares(np.vstack([np.tile(a, reps), np.tile(b, reps)]))
    assert more[0] == pytest.approx(THRESHOLD, abs=0.07)


def test_identical_models_split_the_win_and_one_model_has_no_figure() -> None:
    values = {f"q{i}": i / 10 for i in range(10)}
    twins = [ModelResult(m, per_query={PRIMARY: dict(values)}) for m in ("x", "y")]
    ws = winner_stability(twins)
    assert ws is not None and dict(ws.shares) == {"x": 0.5, "y": 0.5}
    assert winner_stability(twins[:1]) is None
    assert winner_stability([twins[0], ModelResult("z", status="failed", error="boom")]) is None
    assert queries_needed(0.5, 10) is None and advice(0.95, 10, None) == ""


def test_text_for_a_stored_record() -> None:
    """The TUI's one call takes the live figure or a stored dict, and None for a trial without one."""
    rows = [ModelResult(m, per_query={PRIMARY: {"q1": v, "q2": v}}) for m, v in (("a", 0.9), ("b", 0.1))]
    ws = winner_stability(rows)
    assert ws is not None
    assert stability_text(ws) == stability_text(ws.to_dict()) == summary_line(ws)
    assert stability_text(ws.to_dict(), detailed=True) == "\n".join(detail_lines(ws))
    assert stability_text(None) is None and stability_text({"legacy": 1}) is None
    line = summary_line(ws, {"a": "A"})
    assert line == "Winner stability: A best in 100% of 2,000 query resamples"


def test_the_runner_hands_over_each_rows_own_lists(monkeypatch: pytest.MonkeyPatch) -> None:
    """On a chunked document sample (documents ranked by their best chunk) every row's lists, as the
    stability step receives them, score exactly the row's own per-query nDCG@10, and the check runs."""
    import evaluators.backends as backends
    import evaluators.runner as runner
    from evaluators.datasets import load_demo
    from tests.unit.test_runner import FakeEncoder

    monkeypatch.setattr(backends, "load_encoder", lambda ref, **kw: FakeEncoder(ref.name))
    seen: dict[str, object] = {}

    def spy(rows, rankings, sample, **kw):  # type: ignore[no-untyped-def]
        seen.update(rankings=rankings, sample=sample)
        return winner_stability(rows, rankings, sample, **kw)

    monkeypatch.setattr(runner, "winner_stability", spy)
    ds = load_demo(sample=120, chunk_tokens=64)
    res = run_trial(ds, ["bm25", "fake/a"])
    assert ds.qrels_level == "parent" and res.stability is not None and res.stability.sample is not None
    rankings = seen["rankings"]
    assert isinstance(rankings, dict) and set(rankings) == {r.model for r in res.results}
    for row in res.results:
        lists = rankings[row.model]
        own = [row.per_query[PRIMARY][q] for q in lists.qids]
        assert lists.ndcg().tolist() == pytest.approx(own, abs=1e-12)
    assert res.stability.sample.n_docs == 120 and res.stability.sample.n_docs_total == 240
