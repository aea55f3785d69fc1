"""answer-hit@1 (the answer text inside the top-1 retrieved chunk) next to document hit@1, on a SQuAD file
whose rankings are worked out by hand; answers travel from SQuAD, BEIR and the demo into Query.answers."""

from __future__ import annotations

from pathlib import Path

import pytest

from evaluators.answers import ANSWER_HIT, answer_hits, query_answers
from evaluators.datasets import load_dataset, load_demo
from evaluators.runner import run_trial
from evaluators.types import Query

TINY = Path(__file__).resolve().parent.parent / "data" / "squad_answers_tiny.json"


def test_answer_hit_at_1_equals_the_hand_computed_value() -> None:
    """Chunks of 12 regex tokens put each sentence of the Bodiam paragraph in its own chunk. BM25's top-1
    chunk per query (worked out from the words each shares with the query):
      q-built  'Who built Bodiam Castle?'         -> Castles-p0#0 'Bodiam Castle was built ... Dalyngrigge.'
               right document (hit@1 = 1), contains 'Sir Edward Dalyngrigge' (answer-hit = 1)
      q-year   'In what year was the moat filled' -> Castles-p0#1 'The moat ... filled with water.'
               right document (hit@1 = 1), but '1385' is in chunk #0 (answer-hit = 0)
      q-london 'Which river flows through London?' -> Rivers-p0#0 'The Thames flows through London ...'
               right document, contains 'Thames' (answer-hit = 1)
    So hit@1 = 3/3 and answer-hit@1 = 2/3: the document was right, the chunk handed to the LLM was not."""
    ds = load_dataset(TINY, chunk_tokens=12, chunk_overlap=0)
    assert {q.id for q in ds.queries} == {"q-built", "q-year", "q-london"}  # the unanswerable one is skipped
    row = run_trial(ds, ["bm25"]).results[0]
    assert row.status == "ok", row.error
    assert row.per_query["hit@1"] == {"q-built": 1.0, "q-year": 1.0, "q-london": 1.0}
    assert row.per_query[ANSWER_HIT] == {"q-built": 1.0, "q-year": 0.0, "q-london": 1.0}
    assert row.metrics[ANSWER_HIT] == pytest.approx(2 / 3)
    assert row.metrics["hit@1"] == 1.0
    assert row.ci95[ANSWER_HIT][0] <= 2 / 3 <= row.ci95[ANSWER_HIT][1]


def test_whole_paragraphs_put_every_answer_in_the_top_chunk() -> None:
    """Unchunked, the top-1 unit is the whole paragraph, so answer-hit@1 equals hit@1 here (3/3)."""
    row = run_trial(load_dataset(TINY, chunk_tokens=None), ["bm25"]).results[0]
    assert row.metrics[ANSWER_HIT] == 1.0 == row.metrics["hit@1"]


def test_squad_keeps_every_distinct_answer() -> None:
    ds = load_dataset(TINY, chunk_tokens=None)
    by_id = {q.id: q for q in ds.queries}
    assert by_id["q-built"].answers == ("Sir Edward Dalyngrigge", "Edward Dalyngrigge")
    assert by_id["q-built"].answer == "Sir Edward Dalyngrigge"
    assert query_answers(by_id["q-london"]) == ("The Thames", "Thames")


def test_demo_queries_carry_squad_answers() -> None:
    """The demo's 80 questions keep their SQuAD answers (answer-hit@1 is reported for the demo)."""
    ds = load_demo(chunk_tokens=None)
    assert len(ds.queries) == 80 and all(q.answers for q in ds.queries)
    corpus = {d.id: d.text for d in ds.corpus}
    for q in ds.queries:  # each answer is a span of the relevant paragraph, as in SQuAD
        (did,) = ds.qrels[q.id]
        assert any(a in corpus[did] for a in q.answers), q.id


def test_no_answers_no_metric() -> None:
    """Queries without answer texts: answer-hit@1 is absent, never a made-up 0."""
    assert answer_hits({"q": "some chunk"}, {"q": ()}) == {}
    assert query_answers(Query("q", "text")) == ()
    assert answer_hits({"q": None}, {"q": ("x",)}) == {"q": 0.0}  # nothing retrieved: a miss


def test_cjk_answers_ignore_spaces() -> None:
    assert answer_hits({"q": "北京 是 中国 的 首都"}, {"q": ("中国的首都",)}) == {"q": 1.0}
