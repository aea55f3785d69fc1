"""Chunks that fit the model: MiniLM's own tokenizer cuts the corpus, no chunk it sees exceeds its window
(checked with transformers' tokenizer), labels follow the chunks, and a chunk-size sweep runs end to end."""

from __future__ import annotations

from typing import Any

import pytest

from evaluators.datasets import load_demo
from evaluators.ingest.model_chunking import (
    SPLIT_ANSWER,
    build_view,
    load_chunk_tokenizer,
    passage_text,
)
from evaluators.ingest.sizes import parse_chunk_sizes
from evaluators.models import resolve_model
from evaluators.runner import run_trial
from evaluators.types import Dataset, Doc, Query, TrialInputError


@pytest.fixture(scope="module")
def minilm(minilm_path: str) -> tuple[Any, Any]:
    mref = resolve_model("minilm")
    tok, why = load_chunk_tokenizer(mref)
    assert tok is not None, why
    return mref, tok


def _model_lengths(minilm_path: str, texts: list[str]) -> list[int]:
    """Input lengths as sentence-transformers tokenizes them (transformers' tokenizer, special tokens in)."""
    from transformers import AutoTokenizer

    auto = AutoTokenizer.from_pretrained(minilm_path)
    return [len(ids) for ids in auto(texts, truncation=False)["input_ids"]]


def test_minilm_chunks_fit_where_regex_chunks_overflow(minilm: tuple[Any, Any], minilm_path: str) -> None:
    """At 512 regex tokens some demo chunks overflow MiniLM's 256-piece window; its own chunks never do."""
    mref, tok = minilm
    ds = load_demo(chunk_tokens=512, chunk_overlap=32)
    regex_over = sum(n > 256 for n in _model_lengths(minilm_path, [passage_text(u) for u in ds.corpus]))
    assert regex_over > 0
    view = build_view(ds, None, 32, tok, window=mref.max_tokens, prompt=mref.passage_prompt)
    lengths = _model_lengths(minilm_path, view.texts)
    assert max(lengths) <= 256
    assert view.info["over_window_share"] == 0.0
    assert view.info["over_window_share_regex"] == pytest.approx(regex_over / len(ds.corpus))
    assert view.info["limit"] == 254 and view.info["counter"] == f"hf:{mref.name}"
    # Nothing is lost: every sentence-ending word of every document is in one of its chunks.
    by_parent: dict[str, str] = {}
    for u in view.units:
        by_parent[u.parent_id or u.id] = by_parent.get(u.parent_id or u.id, "") + " " + u.text
    for doc in ds.documents:
        for word in doc.text.split()[:: max(1, len(doc.text.split()) // 7)]:
            assert word in by_parent[doc.id], (doc.id, word)
    assert view.qrels_level == "parent" and view.qrels == ds.qrels  # document qrels, ranked by MaxP


def test_the_title_and_prompt_count_against_the_window(minilm: tuple[Any, Any], minilm_path: str) -> None:
    """The model reads 'prompt + title + text': a long title leaves less room for the text."""
    mref, tok = minilm
    title = "A rather long title that the model reads in front of every chunk " * 3
    text = " ".join(f"Sentence number {i} talks about harbours and castles." for i in range(60))
    ds = Dataset("t", (Doc("d", text, title=title),), (Query("q", "harbours"),), {"q": {"d": 1}},
                 info={"chunk_tokens": 256, "chunk_overlap": 0, "relevance": "ids"},
                 documents=(Doc("d", text, title=title),))
    view = build_view(ds, None, 0, tok, window=mref.max_tokens, prompt="query: ")
    lengths = _model_lengths(minilm_path, ["query: " + t for t in view.texts])
    assert max(lengths) <= 256 and len(view.units) > 2


def test_answer_labels_follow_the_model_chunks(minilm: tuple[Any, Any]) -> None:
    """Answer-based relevance is found again in each cut; an answer that a cut splits scores as a miss."""
    mref, tok = minilm
    text = ("The harbour opened in 1820 for the wool trade. Ships came from the north. "
            "Later the docks were rebuilt in stone.")
    doc = Doc("d", text)
    queries = (Query("q1", "when did the harbour open", answer="1820", answers=("1820",)),
               Query("q2", "what came next", answer="north. Later", answers=("north. Later",)))
    ds = Dataset("a", (doc,), queries, {"q1": {"d": 1}, "q2": {"d": 1}}, info={
        "chunk_tokens": 64, "chunk_overlap": 0, "relevance": "answer"}, documents=(doc,))
    small = build_view(ds, 12, 0, tok, window=mref.max_tokens)
    assert len(small.units) >= 3
    (hit,) = small.qrels["q1"]
    assert "1820" in next(u.text for u in small.units if u.id == hit)
    assert small.qrels["q2"] == {SPLIT_ANSWER: 1} and small.info["answer_split_queries"] == 1
    whole = build_view(ds, 64, 0, tok, window=mref.max_tokens)
    assert whole.qrels == {"q1": {"d": 1}, "q2": {"d": 1}} and whole.qrels_level == "unit"


@pytest.mark.slow
def test_chunk_size_sweep_runs_every_model_at_every_size(minilm_path: str) -> None:
    """Rows are labelled with their size and carry it in chunk_tokens; MiniLM's encoder itself counts no
    truncated chunk at any size; BM25 keeps the regex-v1 chunks."""
    ds = load_demo(chunk_tokens=64, chunk_overlap=8, sample=40, seed=1)
    result = run_trial(ds, ["bm25", "minilm"], chunk_sizes=[64, 512, 0], backend="torch")
    rows = {r.model: r for r in result.results}
    name = resolve_model("minilm").name
    assert list(rows) == [f"{m} @{s}" for s in (64, 512, "whole") for m in ("bm25", name)]
    for size in (64, 512):
        dense, bm = rows[f"{name} @{size}"], rows[f"bm25 @{size}"]
        assert dense.status == "ok" and dense.chunk_tokens == size == bm.chunk_tokens
        assert dense.details["chunking"]["over_window_share"] == 0.0
        assert dense.perf["truncated_share"] == 0.0  # the encoder's own token count agrees
        assert bm.details["chunking"]["counter"] == "regex-v1"
        assert 0 < dense.metrics["ndcg@10"] <= 1 and "answer_hit@1" in dense.metrics
    assert rows[f"{name} @64"].details["n_units"] > rows[f"{name} @512"].details["n_units"]
    whole = rows[f"{name} @whole"]
    assert whole.chunk_tokens is None and whole.details["n_units"] == 40


def test_synthetic_queries_refuse_a_sweep_and_still_fit_the_window(minilm_path: str) -> None:
    ds = load_demo(chunk_tokens=400, sample=12, seed=2, synthetic="ict")
    ds = Dataset(ds.name, ds.corpus, (), {}, info=ds.info)  # drop the dataset's own queries
    from dataclasses import replace

    from evaluators.ingest.synthetic import make_synthetic

    syn = make_synthetic(list(ds.corpus), "ict", count=8, seed=0)
    ds = replace(ds, corpus=tuple(syn.units), queries=tuple(syn.queries), qrels=syn.qrels,
                 query_origin="synthetic:ict", info={**ds.info, "relevance": "synthetic"})
    with pytest.raises(TrialInputError, match="sweep needs queries"):
        run_trial(ds, ["bm25"], chunk_sizes=[128, 256])
    row = run_trial(ds, ["minilm"], backend="torch").results[0]
    assert row.status == "ok", row.error
    assert row.details["chunking"]["over_window_share"] == 0.0 and row.details["chunking"]["fit_only"]
    assert row.perf["truncated_share"] == 0.0


def test_parse_chunk_sizes() -> None:
    assert parse_chunk_sizes("128, 256,512,256") == [128, 256, 512]
    assert parse_chunk_sizes("0") == [0]
    with pytest.raises(TrialInputError, match="e.g. 128,256,512"):
        parse_chunk_sizes("128;256")


def test_qrels_on_one_cut_stay_on_it(minilm: tuple[Any, Any]) -> None:
    """Queries labelled with one cut's chunk ids (LLM-written queries on an answer-labelled set keep the
    loader's info) cannot move to new chunks: the view only splits what does not fit, keeping the labels."""
    mref, tok = minilm
    doc = Doc("d", "First sentence here. " * 200)
    chunks = (Doc("d#0", doc.text[:1000], parent_id="d"), Doc("d#1", doc.text[1000:], parent_id="d"))
    ds = Dataset("llm", chunks, (Query("q", "first sentence"),), {"q": {"d#1": 1}},
                 info={"chunk_tokens": 256, "chunk_overlap": 0, "relevance": "answer"}, documents=(doc,))
    view = build_view(ds, None, 0, tok, window=mref.max_tokens)
    assert view.info["fit_only"] and view.qrels == {"q": {"d#1": 1}}
    # d#0 (~200 pieces) fits and stays itself; d#1 does not, and its pieces rank under d#1 (MaxP).
    assert {u.parent_id for u in view.units} == {None, "d#1"} and view.qrels_level == "parent"
    assert [u.id for u in view.units][:2] == ["d#0", "d#1~0"]
    assert view.info["over_window_share"] == 0.0
    with pytest.raises(TrialInputError, match="sweep needs queries"):
        run_trial(ds, ["bm25"], chunk_sizes=[64, 128])
