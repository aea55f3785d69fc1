"""The document-sample projection's parts: lists that score exactly like the trial, evidence counted as a
plain loop would, a prior fit that finds a known prior, and predictive probabilities that match sampling."""

from __future__ import annotations

import numpy as np
import pytest

from evaluators.metrics import PRIMARY, per_query_metrics
from evaluators.search import maxp, search
from evaluators.types import Doc
from evaluators.winner import projection as pj


def _corpus(n_parents: int = 30, chunks: int = 3) -> list[Doc]:
    return [Doc(f"p{p}#{c}", f"text {p} {c}", parent_id=f"p{p}") for p in range(n_parents)
            for c in range(chunks)]


@pytest.mark.parametrize("level", ["parent", "unit"])
def test_row_lists_score_exactly_like_the_trial(level: str) -> None:
    """nDCG@10 from a RowRanking equals evaluators.metrics on the runner's top 10 (MaxP for parents)."""
    rng = np.random.default_rng(0)
    units = _corpus()
    docs, queries = rng.normal(size=(len(units), 16)), rng.normal(size=(20, 16))
    idx, val = search(queries, docs, 40)
    qids = [f"q{i}" for i in range(20)]
    if level == "parent":
        qrels = {q: {f"p{(3 * i + k) % 30}": 1 + k % 2 for k in range(3)} for i, q in enumerate(qids)}
        parents = [u.parent_id or u.id for u in units]
        ranked = {q: [p for p, _ in lst] for q, lst in zip(qids, maxp(idx, val, parents, 10), strict=True)}
    else:
        qrels = {q: {units[(7 * i + k) % len(units)].id: 1 for k in range(2)} for i, q in enumerate(qids)}
        ranked = {q: [units[j].id for j in row[:10]] for q, row in zip(qids, idx.tolist(), strict=True)}
    expected = per_query_metrics(ranked, qrels)[PRIMARY]
    index = {f"p{p}": p for p in range(30)}
    row = pj.row_ranking("m", idx, val, units, qids, qrels, level, index)
    assert row.ndcg() == pytest.approx([expected[q] for q in qids], abs=1e-12)
    assert len(row.item_doc) == (30 if level == "parent" else len(units))


def _naive_evidence(row: pj.RowRanking, distractor: np.ndarray, kept: np.ndarray) -> tuple:
    above, censored, top = [], [], []
    for qi in range(len(row.qids)):
        d_seen, rank, found = 0, 0, 0
        for doc, grade in zip(row.doc[qi], row.grade[qi], strict=True):
            if doc < 0 or not kept[doc]:
                continue
            rank += 1
            if grade > 0:
                above.append(d_seen)
                found += 1
                if rank <= 10:
                    top.append((qi, rank, d_seen, grade))
            if distractor[doc]:
                d_seen += 1
        censored += [d_seen] * (row.n_relevant[qi] - found)
    return sorted(above), sorted(censored), top


def test_evidence_counts_what_a_plain_loop_counts() -> None:
    rng = np.random.default_rng(1)
    n_docs, n_q, depth = 60, 15, 25
    doc = np.array([rng.permutation(n_docs)[:depth] for _ in range(n_q)])
    doc[3, 20:] = -1  # a short list
    distractor = rng.random(n_docs) < 0.6
    grade = np.where(~distractor[doc] & (rng.random(doc.shape) < 0.3), 1.0, 0.0)
    grade[doc < 0] = 0
    n_rel = (grade > 0).sum(axis=1) + rng.integers(0, 2, n_q)  # some relevant items below the depth
    row = pj.RowRanking("m", tuple(f"q{i}" for i in range(n_q)), grade, doc, n_rel, np.ones(n_q),
                        np.arange(n_docs))
    for kept in (np.ones(n_docs, bool), ~distractor | (rng.random(n_docs) < 0.5)):
        ev = pj.evidence(row, distractor, None if kept.all() else kept)
        above, censored, top = _naive_evidence(row, distractor, kept)
        assert sorted(ev.above.tolist()) == above and sorted(ev.censored.tolist()) == censored
        assert list(zip(ev.q.tolist(), ev.rank.tolist(), ev.c.tolist(), ev.g.tolist(), strict=True)) == top
        assert ev.n == int((distractor & kept).sum())


@pytest.mark.parametrize(("zero", "a", "mean"), [(0.0, 0.3, 0.01), (0.8, 5.0, 0.02)])
def test_prior_fit_finds_a_known_prior(zero: float, a: float, mean: float) -> None:
    """Counts over 200 distractors (some censored at 5) from a known mix: a share never beaten, the rest with
    Beta(a, b) rates; the fit finds the share and the mean rate."""
    rng = np.random.default_rng(2)
    n, items = 200, 3000
    p = np.where(rng.random(items) < zero, 0.0, rng.beta(a, a * (1 - mean) / mean, items))
    c = rng.binomial(n, p)
    ev = pj.Evidence(n, c[c < 5], np.full(int((c >= 5).sum()), 5), *(np.zeros(0, int),) * 4)
    fz, fa, fb = pj.fit_prior(ev)
    assert fz == pytest.approx(zero, abs=0.1)
    assert (1 - fz) * fa / (fa + fb) == pytest.approx((1 - zero) * mean, rel=0.3)
    assert tuple(pj.prior_fits(ev)[0]) == (fz, fa, fb)
    c = c[:300]
    few = pj.Evidence(n, c[c < 5], np.full(int((c >= 5).sum()), 5), *(np.zeros(0, int),) * 4)
    assert 1 < len(pj.prior_fits(few)) <= pj.MAX_PRIORS  # fewer items allow more priors


def test_predictive_matches_sampling_and_sums_to_one() -> None:
    rng = np.random.default_rng(3)
    prior, n, unseen = (0.3, 0.4, 60.0), 100, 250
    ev = pj.Evidence(n, np.zeros(0, int), np.zeros(0, int), np.array([0, 0, 1]), np.array([1, 3, 2]),
                     np.array([0, 2, 5]), np.array([1.0, 1.0, 2.0]))
    pmf = pj.predictive(ev, prior, unseen)
    assert pmf.sum(axis=1) == pytest.approx(1.0)
    for i, c in enumerate(ev.c):
        # simulate the whole story: a never-beaten share or a Beta rate, then the sample, then the rest
        zero = rng.random(2_000_000) < prior[0]
        p = np.where(zero, 0.0, rng.beta(prior[1], prior[2], 2_000_000))
        p = p[rng.binomial(n, p) == c]  # items that showed c of the n sampled distractors above them
        k = np.minimum(rng.binomial(unseen, p), pj.TOP)
        assert pmf[i] == pytest.approx(np.bincount(k, minlength=pj.TOP + 1) / k.size, abs=0.01)
    assert pj.predictive(ev, prior, 0)[:, 0] == pytest.approx(1.0)


def test_draws_average_to_the_expected_ndcg() -> None:
    """The paired draws (inverse CDF with one uniform per query) and the closed form agree."""
    ev = pj.Evidence(80, np.zeros(0, int), np.zeros(0, int), np.array([0, 0, 1, 2]), np.array([1, 4, 2, 10]),
                     np.array([0, 3, 1, 7]), np.array([1.0, 1.0, 1.0, 2.0]))
    ideal = np.array([1.0 + 1 / np.log2(3), 1.0, 2.0, 1.0, 1.0])  # query 4: no relevant item in its top 10
    pmf = pj.predictive(ev, (0.2, 0.5, 40.0), 160)
    u = np.random.default_rng(5).random((40_000, 5))
    draws = pj.draw_ndcg(ev, pmf, ideal, u)
    assert draws.mean(axis=0) == pytest.approx(pj.expected_ndcg(ev, pmf, ideal), abs=0.005)
    assert draws[:, 4].max() == 0.0
    # u = 0 puts no unseen distractor above any item: the sample's own lists, the best any draw can do
    best = pj.draw_ndcg(ev, pmf, ideal, np.zeros((1, 5)))[0]
    assert best == pytest.approx(pj.expected_ndcg(ev, np.eye(pj.TOP + 1)[[0] * 4], ideal))
    assert np.all(best >= draws.max(axis=0) - 1e-12)
