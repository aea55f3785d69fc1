"""winner_stability(): the one call a trial makes after its last model, from numbers already in memory.

Part 1 resamples the queries (paired, the bootstrap stream behind every model's 95% interval) and counts how
often each model is best by nDCG@10. Part 2, only when the trial ran on a document sample, projects every
model to the whole corpus (evaluators.winner.projection), checks that projection on the sample itself, and
says whether the sample could change the answer, or that the data cannot say. Then one line of advice.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from statistics import NormalDist

import numpy as np

from evaluators.metrics import PRIMARY
from evaluators.stats import N_BOOT, paired_win_shares, query_resamples, winner_shares
from evaluators.types import Dataset, ModelResult
from evaluators.winner import projection as pj
from evaluators.winner.model import COULD_CHANGE, UNKNOWN, UNLIKELY, SampleCheck, Shares, WinnerStability
from evaluators.winner.text import pct

THRESHOLD = 0.9
"""A winner that stays best in fewer resamples (or projection draws) than this gets advice."""
MIN_DISTRACTORS = 20
"""Fewer sampled documents that no query needs than this say too little about what more documents do."""
MAX_FACTOR = 10.0
"""Unseen documents per sampled distractor beyond which the projection is not attempted (docs/stability.md:
on SQuAD paragraphs it was unbiased at 3x, about 0.02 low at 8x and erratic at 18x)."""
N_DRAWS = 1000
"""Projection draws (the first resamples of the query stream, each with its own draw of unseen documents)."""
ERODE_MARGIN = 0.05
"""The projection erodes the lead when the winner's share drops by more than this below its query share."""


@dataclass(frozen=True)
class DocSample:
    """The trial's document sample: n of N documents, and which sampled documents no evaluated query needs."""

    n_docs: int
    n_docs_total: int
    distractor: np.ndarray
    """Per document index (see `doc_sample`): True when no evaluated query has it as relevant."""


def doc_sample(dataset: Dataset, qids: Sequence[str]) -> tuple[DocSample | None, dict[str, int]]:
    """(the document sample or None when every document was used, document id -> index) for a dataset."""
    parents = list(dict.fromkeys(u.parent_id or u.id for u in dataset.corpus))
    index = {p: i for i, p in enumerate(parents)}
    info = dataset.info.get("sampling") or {}
    total = int(info.get("docs_before") or 0)
    if not info.get("applied") or total <= len(parents):
        return None, index
    to_doc = {u.id: u.parent_id or u.id for u in dataset.corpus}
    needed = {to_doc.get(d, d) for q in qids for d, g in dataset.qrels.get(q, {}).items() if g > 0}
    distractor = np.array([p not in needed for p in parents])
    return DocSample(len(parents), total, distractor), index


def winner_stability(
    rows: Sequence[ModelResult],
    rankings: Mapping[str, pj.RowRanking] | None = None,
    sample: DocSample | None = None,
    *,
    seed: int = 0,
    n_boot: int = N_BOOT,
    threshold: float = THRESHOLD,
) -> WinnerStability | None:
    """Stability of the best ok row by nDCG@10 (None with fewer than two ok rows to compare).

    rankings: each ok row's lists (`projection.row_ranking`), needed only for the sample check.
    """
    started = time.perf_counter()
    ok = [r for r in rows if r.status == "ok" and r.per_query.get(PRIMARY)]
    qids = sorted(set.intersection(*(set(r.per_query[PRIMARY]) for r in ok))) if len(ok) > 1 else []
    if not qids:
        return None
    matrix = np.array([[r.per_query[PRIMARY][q] for q in qids] for r in ok])
    shares = paired_win_shares(matrix, n_boot=n_boot, seed=seed)
    best = next((i for i, r in enumerate(ok) if r.details.get("best")), int(np.argmax(matrix.mean(axis=1))))
    check = None
    if sample is not None:
        check = _sample_check(ok, matrix, qids, rankings or {}, sample, best, float(shares[best]), n_boot,
                              seed, threshold)
    return WinnerStability(
        best=ok[best].model,
        metric=PRIMARY,
        n_queries=len(qids),
        n_resamples=n_boot,
        stability=float(shares[best]),
        shares=_ranked([r.model for r in ok], shares),
        threshold=threshold,
        seed=seed,
        sample=check,
        advice=advice(float(shares[best]), len(qids), check, threshold),
        elapsed_s=round(time.perf_counter() - started, 3),
    )


def _sample_check(ok: list[ModelResult], matrix: np.ndarray, qids: list[str],
                  rankings: Mapping[str, pj.RowRanking], sample: DocSample, best: int, stability: float,
                  n_boot: int, seed: int, threshold: float) -> SampleCheck:
    n, total, dist = sample.n_docs, sample.n_docs_total, sample.distractor
    n_dist = int(dist.sum())
    base = SampleCheck(UNKNOWN, "", n, total, n_dist)
    missing = [r.model for r in ok if r.model not in rankings]
    if missing:
        return replace(base, reason=f"no ranking was kept for {', '.join(missing)}")
    if n_dist < MIN_DISTRACTORS:
        return replace(base, reason=f"only {n_dist} sampled documents are not relevant to any query: too few "
                                    "to see what more documents would do")
    if (total - n) / n_dist > MAX_FACTOR:
        return replace(base, reason=f"the sample is too small a share of the corpus: {n_dist:,} sampled "
                                    f"distractors cannot show what {total - n:,} more documents would do")
    rows = [_aligned(rankings[r.model], qids) for r in ok]
    evs = [pj.evidence(row, dist) for row in rows]
    unseen = [round((total - n) * ev.n / n_dist) for ev in evs]  # unseen items: documents x items per doc
    priors = [pj.prior_fits(ev) for ev in evs]
    pmfs = [pj.predictive(ev, p[0], u) for ev, p, u in zip(evs, priors, unseen, strict=True)]
    ideals = [r.ideal for r in rows]
    spans = np.array([_span(*args) for args in zip(evs, priors, unseen, ideals, strict=True)])
    point = spans[:, 0]
    n_draws = min(n_boot, N_DRAWS)
    shares = _draw_shares(evs, pmfs, rows, n_draws, seed)
    err, named = _backtest(rows, evs, dist, matrix.mean(axis=1), best, seed)
    names = [r.model for r in ok]
    check = replace(base, projected=_ranked(names, point), projected_shares=_ranked(names, shares),
                    projected_range=tuple((names[i], float(lo), float(hi)) for i, (_, lo, hi) in
                                          sorted(enumerate(spans), key=lambda t: -t[1][0])),
                    n_draws=n_draws, backtest_error=err, backtest_ok=named)
    order = np.argsort(-point, kind="stable")
    first, second = (int(i) for i in order[:2])
    lead = float(point[first] - point[second])
    vs = f"({point[first]:.3f} vs {point[second]:.3f})"
    at = f"with all {total:,} documents"
    if err > lead:
        reason = (f"{names[first]} is projected ahead {at} {vs}, but the same projection from half the "
                  f"sample to all of it was off by {err:.3f}, more than that lead")
        return replace(check, reason=reason)
    win = float(shares[best])
    if first != best:
        return replace(check, verdict=COULD_CHANGE, reason=f"{names[first]} is projected ahead {at} {vs}")
    if win < threshold and win < stability - ERODE_MARGIN:
        return replace(check, verdict=COULD_CHANGE,
                       reason=f"{names[best]} stays best {at} in only {pct(win)} of {n_draws:,} projection "
                              f"draws ({pct(stability)} of query resamples on the sample)")
    rival = max((i for i in range(len(names)) if i != best), key=lambda i: spans[i, 2])
    if spans[best, 1] <= spans[rival, 2]:
        reason = (f"{names[best]} is projected to stay ahead {at} {vs}, but the sample also allows "
                  f"{names[best]} {spans[best, 1]:.3f}-{spans[best, 2]:.3f} and {names[rival]} "
                  f"{spans[rival, 1]:.3f}-{spans[rival, 2]:.3f}")
        return replace(check, reason=reason)
    return replace(check, verdict=UNLIKELY,
                   reason=f"{names[best]} is projected to stay ahead {at} {vs}, best in {pct(win)} of "
                          f"{n_draws:,} projection draws")


def _span(ev: pj.Evidence, priors: np.ndarray, unseen: int, ideal: np.ndarray) -> tuple[float, float, float]:
    """(projected mean nDCG@10 with the best prior, lowest and highest with any prior the sample allows)."""
    means = np.concatenate([  # 64 priors at a time bounds the memory
        pj.expected_ndcg(ev, pj.predictive(ev, priors[i : i + 64], unseen), ideal).mean(axis=1)
        for i in range(0, len(priors), 64)
    ])
    return round(float(means[0]), 4), round(float(means.min()), 4), round(float(means.max()), 4)


def _aligned(row: pj.RowRanking, qids: list[str]) -> pj.RowRanking:
    """The row's lists in `qids` order (the order of the per-query matrix and its resamples)."""
    at = {q: i for i, q in enumerate(row.qids)}
    take = np.array([at[q] for q in qids], dtype=np.int64)
    return replace(row, qids=tuple(qids), grade=row.grade[take], doc=row.doc[take],
                   n_relevant=row.n_relevant[take], ideal=row.ideal[take])


def _draw_shares(evs: list[pj.Evidence], pmfs: list[np.ndarray], rows: list[pj.RowRanking], n_boot: int,
                 seed: int) -> np.ndarray:
    """Share of draws each model is best in at full size: each draw resamples the queries (the same stream as
    part 1) and draws the unseen documents' effect with one uniform per query, shared by all models."""
    n_q = len(rows[0].qids)
    rng = np.random.default_rng([seed, 1])
    means = np.empty((len(rows), n_boot))
    for start, idx in query_resamples(n_q, n_boot=n_boot, seed=seed):
        u = rng.random((len(idx), n_q))
        for i, (ev, pmf, row) in enumerate(zip(evs, pmfs, rows, strict=True)):
            values = pj.draw_ndcg(ev, pmf, row.ideal, u)
            means[i, start : start + len(idx)] = np.take_along_axis(values, idx, axis=1).mean(axis=1)
    return winner_shares(means)


def _backtest(rows: list[pj.RowRanking], evs: list[pj.Evidence], dist: np.ndarray, measured: np.ndarray,
              best: int, seed: int) -> tuple[float, bool]:
    """Project from a random half of the sample's distractors up to all of them, where the answer is known:
    (largest error of a model's mean nDCG@10, whether the projected winner is the measured one)."""
    rng = np.random.default_rng([seed, 2])
    pool = np.flatnonzero(dist)
    kept = ~dist
    kept[rng.choice(pool, len(pool) // 2, replace=False)] = True
    projected = []
    for row, full in zip(rows, evs, strict=True):
        ev = pj.evidence(row, dist, kept)
        pmf = pj.predictive(ev, pj.fit_prior(ev), full.n - ev.n)
        projected.append(pj.expected_ndcg(ev, pmf, row.ideal).mean())
    got = np.array(projected)
    return float(np.abs(got - measured).max()), int(np.argmax(got)) == best


def advice(stability: float, n_queries: int, check: SampleCheck | None, threshold: float = THRESHOLD) -> str:
    """One line of advice, empty when the answer is firm: run on the whole corpus and/or add queries."""
    parts = []
    if check is not None and check.verdict == COULD_CHANGE:
        parts.append(f"run on all {check.n_docs_total:,} documents")
    elif check is not None and check.verdict == UNKNOWN:
        share = max(check.n_distractors, 1) / max(check.n_docs, 1)  # a new sample keeps this share of them
        floor = math.ceil(check.n_docs_total / (1 + MAX_FACTOR * share))
        wider = f" (or a sample of at least {floor:,})" if floor > check.n_docs else ""
        parts.append(f"run on all {check.n_docs_total:,} documents{wider} to check")
    if stability < threshold:
        text = f"add queries: with {n_queries:,} queries the top two are within noise"
        need = queries_needed(stability, n_queries, threshold)
        parts.append(text + (f" (about {need:,} would settle a lead this size)" if need else ""))
    return "; ".join(parts)


def queries_needed(stability: float, n_queries: int, threshold: float = THRESHOLD) -> int | None:
    """Queries at which a lead of the same size would reach `threshold` (normal approximation: the lead's
    z-score grows with the square root of the query count); None when the top two are tied or it is > 100x."""
    if stability <= 0.5 or stability >= threshold:
        return None
    z = NormalDist()
    need = math.ceil(n_queries * (z.inv_cdf(threshold) / z.inv_cdf(stability)) ** 2)
    return need if need <= 100 * n_queries else None


def _ranked(models: list[str], values: np.ndarray) -> Shares:
    order = np.argsort(-np.asarray(values), kind="stable")
    return tuple((models[i], round(float(values[i]), 4)) for i in order)
