"""Deterministic corpus/query sampling (`--sample N --seed S`) that never drops a kept query's relevant doc.

What N means: the number of documents (files, records or paragraphs, counted *before* chunking) in the
sampled corpus. Queries are visited in an order shuffled by `random.Random(seed)`; a query is kept when the
union of relevant documents of the kept queries still fits in half of N (ceil), so at least half of the
corpus is left for distractors; each kept query keeps every one of its relevant documents (a query that
does not fit is dropped whole, never kept with part of its qrels). The rest of N is filled with other
documents drawn at random with the same seed. Output keeps the input order of documents and queries.
With no queries (synthetic ones come later) the sample is N random documents.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from evaluators.types import Doc, Query


@dataclass(frozen=True)
class Sample:
    docs: list[Doc]
    queries: list[Query]
    qrels: dict[str, dict[str, int]]
    info: dict[str, int | bool | None]


def sample_corpus(docs: list[Doc], queries: list[Query], qrels: dict[str, dict[str, int]], n: int,
                  seed: int = 0, *, max_queries: int | None = None) -> Sample:
    """Keep at most `n` docs and the queries whose relevant docs fit (see the module docstring)."""
    if n < 1:
        raise ValueError("sample size must be at least 1")
    info: dict[str, int | bool | None] = {"sample": n, "seed": seed, "docs_before": len(docs),
                                          "queries_before": len(queries)}
    if n >= len(docs) and (max_queries is None or max_queries >= len(queries)):
        return Sample(list(docs), list(queries), dict(qrels), {**info, "applied": False})
    rng = random.Random(seed)
    doc_ids = {d.id for d in docs}
    kept_q, relevant = _pick_queries(queries, qrels, doc_ids, (n + 1) // 2 if queries else 0,
                                     rng, max_queries)
    rest = [d.id for d in docs if d.id not in relevant]
    extra = set(rng.sample(rest, min(len(rest), n - len(relevant))))
    keep = relevant | extra
    out_docs = [d for d in docs if d.id in keep]
    out_queries = [q for q in queries if q.id in kept_q]
    out_qrels = {q.id: {d: g for d, g in qrels[q.id].items() if d in doc_ids} for q in out_queries}
    return Sample(out_docs, out_queries, out_qrels, {**info, "applied": True})


def _pick_queries(queries: list[Query], qrels: dict[str, dict[str, int]], doc_ids: set[str], budget: int,
                  rng: random.Random, max_queries: int | None) -> tuple[set[str], set[str]]:
    """(kept query ids, their relevant doc ids), greedily in seeded order within `budget` documents."""
    order = list(queries)
    rng.shuffle(order)
    kept: set[str] = set()
    relevant: set[str] = set()
    for q in order:
        if max_queries is not None and len(kept) >= max_queries:
            break
        rel = {d for d in qrels.get(q.id, {}) if d in doc_ids}
        if rel and len(relevant | rel) <= budget:
            kept.add(q.id)
            relevant |= rel
    return kept, relevant
