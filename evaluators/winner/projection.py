"""Project each model's nDCG@10 from a document sample to the whole corpus, from rankings already in memory.

The sampler (evaluators.ingest.sampling) keeps every relevant document of the kept queries and fills the rest
of the sample with documents drawn at random from the others, so those "distractors" are a random sample of
the distractors the whole corpus holds. For a relevant item with c of the sample's n distractor items ranked
above it, the unseen distractors above it follow a beta-binomial whose prior (the spread of distractor rates
across relevant items) is fitted per model by maximum likelihood on all its relevant items (empirical Bayes).
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
_SHAPES = np.logspace(-2, 0, 21)
_MEANS = np.logspace(-5, -0.3, 48)
"""Grid of the prior Beta(a, b) as shape a and mean a/(a+b), in 0.1 decade steps. Shape a <= 1 (a density
that falls from zero) says rates differ widely between relevant items, as they do in retrieval: a sample
whose items were each beaten 0 or 1 times cannot tell that apart from one rate shared by all, and that
reading (a >> 1) projected far too low on SQuAD paragraphs (docs/stability.md)."""


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


def fit_prior(ev: Evidence) -> tuple[float, float]:
    """Maximum-likelihood Beta(a, b) of the distractor rate over all relevant items (beta-binomial with n
    trials; items below the depth are right-censored at the distractors the list holds), on a log grid."""
    n = ev.n
    a = np.repeat(_SHAPES, len(_MEANS))
    b = a * (1 - np.tile(_MEANS, len(_SHAPES))) / np.tile(_MEANS, len(_SHAPES))
    top = int(max(ev.above.max(initial=0), ev.censored.max(initial=0))) + 1
    k = np.arange(top)
    # log pmf(c) = log C(n,c) + sum_{i<c} log(a+i) - sum_{n-c<=i<n} log(b+i) + K(a,b), with K from lgamma.
    rise_a = np.concatenate([np.zeros((len(a), 1)), np.cumsum(np.log(a[:, None] + k), axis=1)], axis=1)
    fall = np.log(np.maximum(b[:, None] + n - 1 - k, 1e-300))  # columns past c = n are never read
    fall_b = np.concatenate([np.zeros((len(a), 1)), np.cumsum(fall, axis=1)], axis=1)
    lg = np.vectorize(math.lgamma)
    const = lg(n + b) - lg(b) - lg(n + a + b) + lg(a + b)
    seen = np.bincount(ev.above, minlength=top + 1)  # items per count: the likelihood needs only these
    ll = (rise_a - fall_b) @ seen + len(ev.above) * const
    if ev.censored.size:
        kk = np.arange(top)
        log_choose = np.concatenate([[0.0], np.cumsum(np.log(np.maximum(n - kk, 1e-300)) - np.log(kk + 1))])
        pmf = np.exp(log_choose[None, :top] + rise_a[:, :top] - fall_b[:, :top] + const[:, None])
        below = np.concatenate([np.zeros((len(a), 1)), np.cumsum(pmf, axis=1)], axis=1)  # P(C < k)
        ll += np.log(np.clip(1.0 - below, 1e-300, None)) @ np.bincount(ev.censored, minlength=top + 1)
    best = int(np.argmax(ll))
    return float(a[best]), float(b[best])


def predictive(ev: Evidence, prior: tuple[float, float], unseen: int) -> np.ndarray:
    """(top-10 relevant items, 11): P(0..9 unseen distractor items above the item), then P(10 or more)."""
    alpha = prior[0] + ev.c
    beta = prior[1] + ev.n - ev.c
    lg = np.vectorize(math.lgamma, otypes=[float])
    out = np.zeros((len(alpha), TOP + 1))
    if len(alpha) == 0:
        return out
    out[:, 0] = np.exp(lg(beta + unseen) - lg(beta) - lg(alpha + beta + unseen) + lg(alpha + beta))
    for k in range(TOP - 1):
        step = (unseen - k) / (k + 1) * (alpha + k) / np.maximum(beta + unseen - k - 1, 1e-12)
        out[:, k + 1] = out[:, k] * np.maximum(step, 0.0)
    out[:, TOP] = np.clip(1.0 - out[:, :TOP].sum(axis=1), 0.0, 1.0)
    return out


def _gain(ev: Evidence, extra: np.ndarray) -> np.ndarray:
    """Discounted gain of each item when `extra` more items rank above it (0 once it leaves the top 10)."""
    r = ev.rank + extra
    return np.where(r <= TOP, ev.g / np.log2(np.minimum(r, TOP) + 1), 0.0)


def expected_ndcg(ev: Evidence, pmf: np.ndarray, ideal: np.ndarray) -> np.ndarray:
    """Per-query expected nDCG@10 with the unseen distractors added."""
    gain = sum(pmf[:, k] * _gain(ev, np.full(len(ev.rank), k)) for k in range(TOP + 1))
    return np.bincount(ev.q, weights=np.asarray(gain, dtype=np.float64), minlength=len(ideal)) / ideal


def draw_ndcg(ev: Evidence, pmf: np.ndarray, ideal: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Per-query nDCG@10 for each row of `u` (draws x queries, uniform): one uniform per query moves all its
    items together (the same unseen documents), and the same `u` for every model pairs their draws."""
    cdf = np.cumsum(pmf, axis=1).astype(np.float32)
    extra = np.count_nonzero(cdf[None, :, :] < u[:, ev.q, None].astype(np.float32), axis=2)  # inverse CDF
    table = np.stack([_gain(ev, np.full(len(ev.rank), k)) for k in range(TOP + 2)], axis=1)
    gain = table[np.arange(len(ev.rank))[None, :], extra]
    out = np.zeros((len(u), len(ideal)))
    if len(ev.q):
        starts = np.flatnonzero(np.r_[True, ev.q[1:] != ev.q[:-1]])  # ev.q is sorted (row-major nonzero)
        out[:, ev.q[starts]] = np.add.reduceat(gain, starts, axis=1)
    return out / ideal
