"""answer-hit@1: is an answer text inside the top-1 retrieved chunk? (the SQuAD measure of the RAG article).

Reported next to document hit@1 whenever queries carry answer strings (SQuAD-style inputs, a queries file with
answers, the demo). Matching is the SQuAD normalisation used for answer-based relevance
(evaluators.ingest.queries): case, punctuation, articles and spaces folded; CJK answers ignore spaces.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from evaluators.ingest.queries import contains_answer, normalize_answer
from evaluators.types import Query

ANSWER_HIT = "answer_hit@1"
"""Metric key: 1 when the top-ranked chunk contains one of the query's answers, else 0."""


def query_answers(query: Query) -> tuple[str, ...]:
    """Every answer text of a query (`answers`, else the single `answer`)."""
    return query.answers or ((query.answer,) if query.answer else ())


def answer_hits(top1: Mapping[str, str | None], answers: Mapping[str, Sequence[str]]) -> dict[str, float]:
    """{query id: 1.0/0.0} for each query with answers; `top1` maps a query to its top chunk's text (None:
    nothing retrieved, a miss)."""
    out: dict[str, float] = {}
    for qid, texts in answers.items():
        if not texts or qid not in top1:
            continue
        chunk = top1[qid]
        norm = normalize_answer(chunk) if chunk else ""
        out[qid] = 1.0 if chunk and any(contains_answer(norm, a) for a in texts) else 0.0
    return out
