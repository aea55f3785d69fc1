"""Project each model's nDCG@10 from a document sample to the whole corpus, from rankings already in memory.

The sampler (evaluators.ingest.sampling) keeps every relevant document of the kept queries and fills the rest
of the sample with documents drawn at random from the others, so those "distractors" are a random sample of
the distractors the whole corpus holds. For a relevant item with c of the sample's n distractor items ranked
above it, the unseen distractors above it follow a beta-binomial whose prior (the spread of distractor rates
across relevant items: a share never beaten, the rest Beta) is fitted per model by maximum likelihood on all
its relevant items (empirical Bayes), and every prior the sample allows gives the range.
Only ranks up to 10 matter for nDCG@10 and ranks only grow with more documents, so each item needs the
predictive probabilities of 0..10 more items above it. Method, checks and limits: docs/stability.md.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from evaluators.search import maxp
from evaluators.types import Doc

TOP = 10
_LOG_DISCOUNT = 1.0 / np.log2(np.arange(2, TOP + 2))
"""nDCG's discount at ranks 1..10 (trec_eval's, as evaluators.metrics)."""
_ZERO = np.array([0.0, 0.2, 0.4, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 0.98])
_SHAPES = np.logspace(-2, 0, 21)
_MEANS = np.logspace(-5, -0.3, 48)
"""The prior's grid: a share z of relevant items that distractors never beat, the others' rates Beta(a, b)
with shape a <= 1 and mean a/(a+b) in 0.1 decade steps. Both say what retrieval looks like: most relevant
items are out of any distractor's reach and a few are often beaten. A sample whose items were beaten 0 or 1
times fits one rate shared by every item (a >> 1) about as well, and that reading projected far larger drops
than happened on SQuAD paragraphs (docs/stability.md)."""
PLAUSIBLE = 3.9
"""Priors within this log-likelihood of the best are all consistent with the sample (the 95% region of three
parameters, chi-squared 7.81 / 2); the projection is reported over them, not just the best."""
MAX_PRIORS = 120
"""At most this many of them are projected (the best, then an even spread over the rest)."""


@dataclass(frozen=True)
class RowRanking:
    """One row's ranked lists as nDCG@10 sees them (documents by MaxP, or units) to the depth retrieved."""

    model: str
    qids: tuple[str, ...]
    grade: np.ndarray
    """(queries, depth): each ranked item's relevance grade for its query (0: not relevant)."""
    doc: np.ndarray
    """(queries, depth): each ranked item's document (index into the trial's document list); -1 pads."""
    n_relevant: np.ndarray
    """(queries,): relevant items per query, ranked or not (those not ranked are somewhere below)."""
    ideal: np.ndarray
    """(queries,): the ideal DCG@10, as evaluators.metrics computes it."""
    item_doc: np.ndarray
    """Every item this row could rank, as its document index (to count the sample's distractor items)."""

    def ndcg(self) -> np.ndarray:
        """Per-query nDCG@10 of the lists as they are (equals the row's own metric)."""
        g = self.grade[:, :TOP]
        return np.asarray((g * _LOG_DISCOUNT[: g.shape[1]]).sum(axis=1) / self.ideal)


def row_ranking(
    model: str,
    idx: np.ndarray,
    val: np.ndarray,
    units: Sequence[Doc],
    qids: Sequence[str],
    qrels: Mapping[str, Mapping[str, int]],
    level: str,
    doc_index: Mapping[str, int],
) -> RowRanking:
    """The lists of one row from its top-k unit indices/scores (the runner's ranking, ties already broken)."""
    parents = [u.parent_id or u.id for u in units]
    if level == "parent":
        lists = [[p for p, _ in row] for row in maxp(idx, val, parents, idx.shape[1])]
        item_doc = np.array(sorted({doc_index[p] for p in parents}), dtype=np.int64)
    else:
        lists = [[units[i].id for i in row] for row in idx.tolist()]
        item_doc = np.array([doc_index[p] for p in parents], dtype=np.int64)
    to_doc = dict(zip((u.id for u in units), parents, strict=True)) if level != "parent" else {}
    depth = max((len(x) for x in lists), default=0)
    grade = np.zeros((len(qids), depth))
    doc = np.full((len(qids), depth), -1, dtype=np.int64)
    for qi, (q, items) in enumerate(zip(qids, lists, strict=True)):
        rels = qrels.get(q, {})
        grade[qi, : len(items)] = [max(rels.get(it, 0), 0) for it in items]
        doc[qi, : len(items)] = [doc_index[to_doc.get(it, it)] for it in items]
    ideal = np.array([_ideal(qrels.get(q, {}).values()) for q in qids])
    n_rel = np.array([sum(1 for g in qrels.get(q, {}).values() if g > 0) for q in qids], dtype=np.int64)
    return RowRanking(model, tuple(qids), grade, doc, n_rel, ideal, item_doc)


def _ideal(grades: Iterable[int]) -> float:
    top = sorted((g for g in grades if g > 0), reverse=True)[:TOP]
    return float(sum(g * _LOG_DISCOUNT[i] for i, g in enumerate(top))) or 1.0


@dataclass(frozen=True)
class Evidence:
    """Where the kept distractor items fell in one row's lists: exact counts above each ranked relevant item,
    lower bounds for relevant items below the depth, and the relevant items inside the top 10."""

    n: int
    """Distractor items in the (kept) sample: the trials of the beta-binomial."""
    above: np.ndarray
    censored: np.ndarray
    q: np.ndarray
    """Top-10 relevant items: query index, rank (1..10), distractors above, grade."""
    rank: np.ndarray
    c: np.ndarray
    g: np.ndarray


def evidence(row: RowRanking, distractor: np.ndarray, kept: np.ndarray | None = None) -> Evidence:
    """Evidence from the row's lists; `distractor[d]`: document d is one no query needs; `kept[d]`: the
    document is in the (sub-)sample (None: all are), as if the others had never been indexed."""
    valid = row.doc >= 0
    d = np.where(valid, row.doc, 0)
    keep = valid if kept is None else valid & kept[d]
    is_d = keep & distractor[d]
    c_above = np.cumsum(is_d, axis=1) - is_d
    rel = keep & (row.grade > 0)
    n_d = int(distractor[row.item_doc].sum() if kept is None else (distractor & kept)[row.item_doc].sum())
    missing = row.n_relevant - rel.sum(axis=1)
    censored = np.repeat(is_d.sum(axis=1), np.maximum(missing, 0))
    rank = np.cumsum(keep, axis=1)  # 1-based rank among the kept items
    top = rel & (rank <= TOP)
    qi, col = np.nonzero(top)
    return Evidence(n_d, c_above[rel], censored, qi, rank[qi, col], c_above[qi, col], row.grade[qi, col])


def prior_fits(ev: Evidence, within: float = PLAUSIBLE) -> np.ndarray:
    """(priors, 3) rows (zero share z, a, b): the priors of the distractor rate over all relevant items whose
    log-likelihood is within `within` of the best, the maximum-likelihood one first. Counts are beta-binomial
    with n trials (or 0 for the zero share); items below the depth are right-censored at the distractors their
    list holds."""
    n = ev.n
    a = np.repeat(_SHAPES, len(_MEANS))
    b = a * (1 - np.tile(_MEANS, len(_SHAPES))) / np.tile(_MEANS, len(_SHAPES))
    top = int(max(ev.above.max(initial=0), ev.censored.max(initial=0))) + 1
    k = np.arange(top)
    # log pmf(c) = log C(n,c) + sum_{i<c} log(a+i) - sum_{n-c<=i<n} log(b+i) + K(a,b), for c = 0..top
    rise_a = np.concatenate([np.zeros((len(a), 1)), np.cumsum(np.log(a[:, None] + k), axis=1)], axis=1)
    fall = np.log(np.maximum(b[:, None] + n - 1 - k, 1e-300))  # columns past c = n are never read
    fall_b = np.concatenate([np.zeros((len(a), 1)), np.cumsum(fall, axis=1)], axis=1)
    log_choose = np.concatenate([[0.0], np.cumsum(np.log(np.maximum(n - k, 1e-300)) - np.log(k + 1))])
    const = _lgamma(n + b) - _lgamma(b) - _lgamma(n + a + b) + _lgamma(a + b)
    log_pmf = log_choose[None, :] + rise_a - fall_b + const[:, None]
    below = np.concatenate([np.zeros((len(a), 1)), np.cumsum(np.exp(log_pmf[:, :-1]), axis=1)], axis=1)
    seen = np.bincount(ev.above, minlength=top + 1)
    cens = np.bincount(ev.censored, minlength=top + 1)
    beaten = log_pmf[:, 1:] @ seen[1:] + np.log(np.clip(1.0 - below[:, 1:], 1e-300, None)) @ cens[1:]
    z = _ZERO[:, None]
    ll = (seen[0] * np.log(z + (1 - z) * np.exp(log_pmf[:, 0])) + (seen[1:].sum() + cens[1:].sum())
          * np.log(1 - z) + beaten).ravel()  # (zero shares x Beta grid), zero-share major
    order = np.argsort(-ll, kind="stable")
    keep = order[ll[order] >= ll[order[0]] - within]
    if len(keep) > MAX_PRIORS:
        keep = keep[np.unique(np.linspace(0, len(keep) - 1, MAX_PRIORS).round().astype(int))]
    zi, ab = np.divmod(keep, len(a))
    return np.stack([_ZERO[zi], a[ab], b[ab]], axis=1)


def fit_prior(ev: Evidence) -> tuple[float, float, float]:
    """The maximum-likelihood prior (z, a, b) (see `prior_fits`)."""
    z, a, b = prior_fits(ev, 0.0)[0]
    return float(z), float(a), float(b)


def predictive(ev: Evidence, prior: tuple[float, float, float] | np.ndarray, unseen: int) -> np.ndarray:
    """(top-10 relevant items, 11): P(0..9 unseen distractor items above the item), then P(10 or more).
    With several priors (rows of a (priors, 3) array) the result is (priors, items, 11)."""
    zab = np.asarray(prior, dtype=np.float64)
    z, a, b = zab[..., 0, None], zab[..., 1, None], zab[..., 2, None]
    alpha, beta = a + ev.c, b + ev.n - ev.c
    out = np.zeros((*np.broadcast_shapes(alpha.shape, beta.shape), TOP + 1))
    out[..., 0] = np.exp(_lgamma(beta + unseen) - _lgamma(beta) - _lgamma(alpha + beta + unseen)
                         + _lgamma(alpha + beta))
    for k in range(TOP - 1):
        step = (unseen - k) / (k + 1) * (alpha + k) / np.maximum(beta + unseen - k - 1, 1e-12)
        out[..., k + 1] = out[..., k] * np.maximum(step, 0.0)
    out[..., TOP] = np.clip(1.0 - out[..., :TOP].sum(axis=-1), 0.0, 1.0)
    # An item no sampled distractor beat may be one no distractor ever beats: the zero share, updated.
    none_seen = np.exp(_lgamma(b + ev.n) - _lgamma(b) - _lgamma(a + b + ev.n) + _lgamma(a + b))
    w = np.where(ev.c == 0, z / np.maximum(z + (1 - z) * none_seen, 1e-300), 0.0)
    out *= (1 - w)[..., None]
    out[..., 0] += w
    return out


def _lgamma(x: np.ndarray) -> np.ndarray:
    """log Gamma(x) for x > 0, vectorised: Stirling's series at x + 7 (error < 1e-12), shifted back."""
    x = np.asarray(x, dtype=np.float64)
    z = x + 7.0
    series = 1 / (12 * z) - 1 / (360 * z**3) + 1 / (1260 * z**5) - 1 / (1680 * z**7)
    stirling = (z - 0.5) * np.log(z) - z + 0.5 * math.log(2 * math.pi) + series
    shift = x * (x + 1) * (x + 2) * (x + 3) * (x + 4) * (x + 5) * (x + 6)  # one log, not seven
    return np.asarray(stirling - np.log(shift))


def _gain(ev: Evidence, extra: np.ndarray) -> np.ndarray:
    """Discounted gain of each item when `extra` more items rank above it (0 once it leaves the top 10)."""
    r = ev.rank + extra
    return np.where(r <= TOP, ev.g / np.log2(np.minimum(r, TOP) + 1), 0.0)


def expected_ndcg(ev: Evidence, pmf: np.ndarray, ideal: np.ndarray) -> np.ndarray:
    """Per-query expected nDCG@10 with the unseen distractors added (per prior too, for a 3-d `pmf`)."""
    table = np.stack([_gain(ev, np.full(len(ev.rank), k)) for k in range(TOP + 1)], axis=1)
    return _per_query((pmf * table).sum(axis=-1), ev, len(ideal)) / ideal


def draw_ndcg(ev: Evidence, pmf: np.ndarray, ideal: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Per-query nDCG@10 for each row of `u` (draws x queries, uniform): one uniform per query moves all its
    items together (the same unseen documents), and the same `u` for every model pairs their draws."""
    cdf = np.cumsum(pmf, axis=1).astype(np.float32)
    cdf[:, -1] = 1.0  # so every u in [0, 1) finds its k, whatever the rounding
    extra = np.argmax(cdf[None, :, :] >= u[:, ev.q, None].astype(np.float32), axis=2)  # inverse CDF
    table = np.stack([_gain(ev, np.full(len(ev.rank), k)) for k in range(TOP + 2)], axis=1)
    return _per_query(table[np.arange(len(ev.rank))[None, :], extra], ev, len(ideal)) / ideal


def _per_query(gain: np.ndarray, ev: Evidence, n_queries: int) -> np.ndarray:
    """Sum the items' gains (last axis) into their queries."""
    out = np.zeros((*gain.shape[:-1], n_queries))
    if len(ev.q):
        starts = np.flatnonzero(np.r_[True, ev.q[1:] != ev.q[:-1]])  # ev.q is sorted (row-major nonzero)
        out[..., ev.q[starts]] = np.add.reduceat(gain, starts, axis=-1)
    return out
