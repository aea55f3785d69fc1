"""Queries: user files (ids or answers), SQuAD-style answer matching, seeded labelled synthetic queries."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evaluators.datasets import load_dataset
from evaluators.ingest.queries import answer_qrels, contains_answer, normalize_answer
from evaluators.ingest.synthetic import make_synthetic, parse_synthetic
from evaluators.types import Doc, TrialInputError

LONG = " ".join(f"Paragraph sentence {i} describes the harbour of town {i} in words." for i in range(30))


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    root = tmp_path / "kb"
    (root / "howto").mkdir(parents=True)
    (root / "howto" / "install.md").write_text("# Install\n\nRun pip install embedscout. Then run the app.",
                                               encoding="utf-8")
    (root / "faq.txt").write_text("The Eiffel Tower is in Paris. It was built in 1889.", encoding="utf-8")
    (root / "long.txt").write_text(LONG + " The secret code is Blue Falcon.", encoding="utf-8")
    return root


def test_normalize_answer_like_squad() -> None:
    assert normalize_answer("The  Eiffel-Tower!") == "eiffel tower"
    assert normalize_answer("ＡＢＣ，an apple") == "abc apple"


@pytest.mark.parametrize(
    ("passage", "answer", "hit"),
    [("It was built in 1889.", "1889", True), ("It was built in 18890.", "1889", False),
     ("Visit THE Eiffel tower", "eiffel tower", True), ("北京是中国的首都。", "中国 的首都", True),
     ("anything", "the", False)],
)
def test_contains_answer_whole_words(passage: str, answer: str, hit: bool) -> None:
    """Whole-word match after normalisation; CJK answers match as substrings ignoring spaces."""
    assert contains_answer(normalize_answer(passage), answer) is hit


def test_answer_qrels_marks_every_containing_unit() -> None:
    units = [Doc("a", "Paris is big."), Doc("b", "I like paris!"), Doc("c", "Parisian food.")]
    assert answer_qrels({"q": ["Paris"]}, units) == {"q": {"a": 1, "b": 1}}


def test_jsonl_queries_with_doc_ids_and_file_names(corpus: Path, tmp_path: Path) -> None:
    """Ids may be the relative path, a unique file name or stem; unknown ids are counted and dropped."""
    qf = tmp_path / "q.jsonl"
    qf.write_text("\n".join(json.dumps(r) for r in [
        {"id": "a", "question": "how to install", "relevant": "howto/install.md"},
        {"query": "when was the tower built", "doc_ids": ["faq"]},
        {"question": "ghost", "relevant": ["nope.txt"]},
    ]) + "\n{bad\n", encoding="utf-8")
    ds = load_dataset(corpus, queries=qf)
    assert ds.query_origin == "user" and not ds.synthetic
    assert ds.qrels == {"a": {"howto/install.md": 1}, "q2": {"faq.txt": 1}}
    assert ds.info["queries_dropped"] == {"unknown doc ids": 1, "queries without a relevant document": 1}
    assert ds.info["files_skipped"]["invalid JSON line"] == 1


def test_a_queries_csv_with_old_mac_line_ends_is_read(corpus: Path, tmp_path: Path) -> None:
    """A lone '\\r' between rows ended the load with a csv.Error traceback."""
    qf = tmp_path / "q.csv"
    qf.write_bytes(b"question,answer\rWhat is the code?,blue falcon\rWhere is the tower?,Paris\r")
    ds = load_dataset(corpus, queries=qf, chunk_tokens=64, chunk_overlap=0)
    assert [q.text for q in ds.queries] == ["What is the code?", "Where is the tower?"]


def test_a_queries_csv_the_csv_module_refuses_is_one_line(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import csv

    from evaluators.ingest import queries, records

    qf = tmp_path / "q.csv"
    qf.write_text('question,answer\n"a question far longer than the limit",x\n', encoding="utf-8")
    monkeypatch.setattr(queries, "MAX_FIELD_CHARS", 10)  # the real limit (50M characters) is past any test
    try:
        with pytest.raises(TrialInputError, match=r"q\.csv: not a readable CSV file \(field larger") as err:
            load_dataset(corpus, queries=qf, chunk_tokens=64, chunk_overlap=0)
        assert "\n" not in str(err.value)
    finally:
        csv.field_size_limit(records.MAX_FIELD_CHARS)  # the limit is process-wide: leave the real one


def test_csv_answers_mark_chunks_containing_them(corpus: Path, tmp_path: Path) -> None:
    """question + answer: relevance is the chunk(s) whose text contains the answer, at unit level."""
    qf = tmp_path / "q.csv"
    qf.write_text("question,answer\nWhat is the code?,blue falcon\nWhere is the tower?,Paris\n"
                  "Unanswerable?,zebra crossing\n", encoding="utf-8")
    ds = load_dataset(corpus, queries=qf, chunk_tokens=64, chunk_overlap=0)
    assert ds.qrels_level == "unit"
    code = ds.qrels["q1"]
    assert len(code) == 1 and next(iter(code)).startswith("long.txt#")
    assert "Blue Falcon" in {d.id: d.text for d in ds.corpus}[next(iter(code))]
    assert ds.qrels["q2"] == {"faq.txt": 1}
    assert {q.id: q.answer for q in ds.queries} == {"q1": "blue falcon", "q2": "Paris"}
    assert ds.info["queries_dropped"] == {"queries without a relevant document": 1}


def test_mixed_ids_and_answers_use_parent_level(corpus: Path, tmp_path: Path) -> None:
    qf = tmp_path / "q.jsonl"
    qf.write_text(json.dumps({"question": "code?", "answer": "Blue Falcon"}) + "\n"
                  + json.dumps({"question": "install?", "relevant": "install.md"}) + "\n", encoding="utf-8")
    ds = load_dataset(corpus, queries=qf, chunk_tokens=64, chunk_overlap=0)
    assert ds.qrels_level == "parent"
    assert ds.qrels == {"q1": {"long.txt": 1}, "q2": {"howto/install.md": 1}}


def test_queries_file_errors(corpus: Path, tmp_path: Path) -> None:
    with pytest.raises(TrialInputError, match="queries file not found"):
        load_dataset(corpus, queries=tmp_path / "missing.jsonl")
    bad = tmp_path / "bad.csv"
    bad.write_text("foo,bar\n1,2\n", encoding="utf-8")
    with pytest.raises(TrialInputError, match="question"):
        load_dataset(corpus, queries=bad)
    none = tmp_path / "none.jsonl"
    none.write_text(json.dumps({"question": "x", "relevant": "zzz"}) + "\n", encoding="utf-8")
    with pytest.raises(TrialInputError, match="none of the 1 queries"):
        load_dataset(corpus, queries=none)


def test_inverse_cloze_removes_the_query_sentence(corpus: Path) -> None:
    """ICT: the query sentence is gone from the indexed chunk, which is the one relevant unit; labelled."""
    ds = load_dataset(corpus, chunk_tokens=64, chunk_overlap=0, seed=5)
    assert ds.query_origin == "synthetic:ict" and ds.synthetic and ds.qrels_level == "unit"
    units = {d.id: d.text for d in ds.corpus}
    assert ds.queries
    for q in ds.queries:
        (uid,) = ds.qrels[q.id]
        assert q.id.startswith("syn-ict-") and q.text not in units[uid]
        assert all(q.text not in text for text in units.values())
    again = load_dataset(corpus, chunk_tokens=64, chunk_overlap=0, seed=5)
    assert again.info["fingerprint"] == ds.info["fingerprint"]


def test_ict_skips_sentences_in_overlaps() -> None:
    """A sentence that also sits in a neighbouring chunk's overlap is never used as a query."""
    units = [Doc("a#0", "One two three four five six. Shared sentence with seven words here."),
             Doc("a#1", "Shared sentence with seven words here. Eight nine ten eleven twelve thirteen.")]
    syn = make_synthetic(units, "ict", count=5, seed=0)
    assert all("Shared" not in q.text for q in syn.queries)


def test_keyphrase_queries(corpus: Path) -> None:
    ds = load_dataset(corpus, chunk_tokens=64, chunk_overlap=0, synthetic="keyphrase:3", seed=1)
    assert ds.query_origin == "synthetic:keyphrase" and len(ds.queries) == 3
    assert all(q.text.startswith("What does the text say about ") for q in ds.queries)
    zh = make_synthetic([Doc("z", "长江是中国最长的河流。黄河是第二长的河流。"), Doc("y", "北京是首都。")],
                        "keyphrase", count=1)
    assert zh.queries[0].text.startswith("关于")


def test_parse_synthetic() -> None:
    assert parse_synthetic("auto") == ("ict", 100)
    assert parse_synthetic("keyphrase:7") == ("keyphrase", 7)
    for bad in ("llm", "ict:x", "ict:0"):
        with pytest.raises(TrialInputError):
            parse_synthetic(bad)


def test_no_queries_and_synthetic_refused(corpus: Path) -> None:
    with pytest.raises(TrialInputError, match="no queries given"):
        load_dataset(corpus, synthetic=None)
