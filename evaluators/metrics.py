"""Retrieval metrics per query over an already ranked run: nDCG@10, Recall@1/5/10, MRR@10, hit@1.

Definitions follow trec_eval (linear gain for nDCG, relevance = grade > 0) so the numbers agree with
pytrec_eval and ranx to 1e-6. Ties must already be broken (score desc, then corpus order: see
`rank_run`); the oracles sort ties differently, so tests feed them rank-derived scores.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

METRICS: tuple[str, ...] = ("ndcg@10", "recall@1", "recall@5", "recall@10", "mrr@10", "hit@1")
"""Metric keys, in display order."""

PRIMARY = "ndcg@10"


def rank_run(
    run: Mapping[str, Mapping[str, float]], corpus_order: Mapping[str, int], k: int | None = None
) -> dict[str, list[str]]:
    """Scored run -> ranked doc ids per query, ties broken by corpus order (unknown ids go last, by id)."""
    big = len(corpus_order)
    ranked: dict[str, list[str]] = {}
    for qid, docs in run.items():
        order = sorted(docs.items(), key=lambda kv: (-kv[1], corpus_order.get(kv[0], big), kv[0]))
        ranked[qid] = [d for d, _ in (order[:k] if k else order)]
    return ranked


def rank_scores(ranked: Mapping[str, Sequence[str]]) -> dict[str, dict[str, float]]:
    """Rank-derived scores (n, n-1, ..., 1) that make any tie-breaking oracle reproduce our order."""
    return {q: {d: float(len(docs) - i) for i, d in enumerate(docs)} for q, docs in ranked.items()}


def query_metrics(ranked: Sequence[str], rels: Mapping[str, int]) -> dict[str, float]:
    """All METRICS for one query. `rels`: doc id -> grade; grades <= 0 count as not relevant."""
    relevant = {d: g for d, g in rels.items() if g > 0}
    if not relevant:
        raise ValueError("query has no relevant documents")
    top = list(ranked[:10])
    first = next((i for i, d in enumerate(top) if d in relevant), None)
    n_rel = len(relevant)

    def recall(k: int) -> float:
        return sum(1 for d in top[:k] if d in relevant) / n_rel

    return {
        "ndcg@10": _ndcg10(top, relevant),
        "recall@1": recall(1),
        "recall@5": recall(5),
        "recall@10": recall(10),
        "mrr@10": 0.0 if first is None else 1.0 / (first + 1),
        "hit@1": 1.0 if top[:1] and top[0] in relevant else 0.0,
    }


def _ndcg10(top: Sequence[str], relevant: Mapping[str, int]) -> float:
    """nDCG@10 of the first ten ids against the relevant ones (grade > 0), linear gain."""
    dcg = sum(relevant.get(d, 0) / math.log2(i + 2) for i, d in enumerate(top))
    ideal = sorted(relevant.values(), reverse=True)[:10]
    idcg = sum(g / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / idcg


def per_query_ndcg(
    ranked: Mapping[str, Sequence[str]], qrels: Mapping[str, Mapping[str, int]]
) -> dict[str, float]:
    """{query id: nDCG@10}: exactly per_query_metrics(...)[PRIMARY], without the other metrics' work."""
    out: dict[str, float] = {}
    for qid, rels in qrels.items():
        relevant = {d: g for d, g in rels.items() if g > 0}
        if relevant:
            out[qid] = _ndcg10(list(ranked.get(qid, ())[:10]), relevant)
    return out


def per_query_metrics(
    ranked: Mapping[str, Sequence[str]], qrels: Mapping[str, Mapping[str, int]]
) -> dict[str, dict[str, float]]:
    """metric -> {query id: value} for every query that has relevant docs (a missing run scores 0)."""
    out: dict[str, dict[str, float]] = {m: {} for m in METRICS}
    for qid, rels in qrels.items():
        if not any(g > 0 for g in rels.values()):
            continue
        for name, value in query_metrics(ranked.get(qid, ()), rels).items():
            out[name][qid] = value
    return out


def mean_metrics(per_query: Mapping[str, Mapping[str, float]]) -> dict[str, float]:
    """Mean over queries of each metric (0.0 when there are no queries)."""
    return {m: (sum(v.values()) / len(v) if v else 0.0) for m, v in per_query.items()}
