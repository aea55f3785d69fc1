"""Chunking: sizes and overlap in regex-v1 tokens, cuts only at sentence ends (Latin and CJK), stable ids."""

from __future__ import annotations

import pytest

from evaluators.datasets import load_dataset
from evaluators.ingest.chunking import chunk_doc, chunk_docs, chunk_spans, count_tokens, split_sentences
from evaluators.types import Doc, TrialInputError

EN = " ".join(f"Sentence number {i} talks about topic {i} in some detail." for i in range(40))
ZH = "".join(f"这是第{i}句话，它讲述了一个关于河流与山脉的小故事。" for i in range(40))


@pytest.mark.parametrize(
    ("text", "n"),
    [("Hello, world!", 4), ("Don't pay 3.14 for e-mail", 5), ("中文测试", 4), ("日本語とEnglish", 5),
     ("", 0)],
)
def test_count_tokens(text: str, n: int) -> None:
    """Words (with inner ' . - joins), each CJK character, and each other symbol count one token."""
    assert count_tokens(text) == n


def test_sentence_split_latin_cjk_and_blocks() -> None:
    text = ("It works, e.g. like this. Next one! Really? 第一句。第二句！第三句？\"Quoted.\" End\n\n"
            "# Heading\n- item one\n- item two\nwrapped line\ncontinues here")
    assert split_sentences(text) == [
        "It works, e.g. like this.", "Next one!", "Really?", "第一句。", "第二句！", "第三句？",
        "\"Quoted.\"", "End", "# Heading", "- item one", "- item two\nwrapped line\ncontinues here"]


@pytest.mark.parametrize("text", [EN, ZH], ids=["en", "zh"])
@pytest.mark.parametrize(("size", "overlap"), [(32, 0), (64, 16), (100, 30)])
def test_chunks_respect_size_and_sentences(text: str, size: int, overlap: int) -> None:
    """Every chunk fits in `size` tokens, starts and ends on a sentence boundary, and all text is covered."""
    sentences = split_sentences(text)
    spans = chunk_spans(text, size, overlap)
    assert len(spans) > 1
    for s, e in spans:
        piece = text[s:e]
        assert count_tokens(piece) <= size
        assert piece.startswith(tuple(sentences)) and piece.endswith(tuple(sentences))
    assert spans[0][0] == 0 and spans[-1][1] == len(text)
    for (_, e1), (s2, _) in zip(spans, spans[1:], strict=False):
        assert s2 <= e1 + 1  # no gap between chunks (a space at most)


@pytest.mark.parametrize("text", [EN, ZH], ids=["en", "zh"])
def test_overlap_is_whole_trailing_sentences(text: str) -> None:
    """Consecutive chunks share the previous chunk's last whole sentences, up to `overlap` tokens."""
    spans = chunk_spans(text, 100, 30)
    for (s1, e1), (s2, _) in zip(spans, spans[1:], strict=False):
        shared = text[s2:e1]
        assert s1 < s2 < e1
        assert 0 < count_tokens(shared) <= 30
        assert all(p in split_sentences(text) for p in split_sentences(shared))
    plain = chunk_spans(text, 64, 0)
    assert all(s2 >= e1 for (_, e1), (s2, _) in zip(plain, plain[1:], strict=False))


def test_overlong_sentence_cut_into_token_windows() -> None:
    """A sentence longer than the chunk is the one case cut mid-sentence, in windows with the overlap."""
    words = " ".join(f"w{i}" for i in range(100))
    spans = chunk_spans(words, 30, 10)
    sizes = [count_tokens(words[s:e]) for s, e in spans]
    assert sizes[:-1] == [30] * (len(sizes) - 1) and sizes[-1] <= 30
    assert words[spans[1][0]:].startswith("w20 ")
    assert spans[-1][1] == len(words)


def test_chunk_ids_and_parent() -> None:
    """Chunks of a long doc are '<id>#<n>' with parent_id; a doc that fits keeps its id and no parent."""
    long = Doc(id="guide/a.md", text=EN, title="A", source="/x/a.md")
    short = Doc(id="b.txt", text="Short text.")
    out = chunk_docs([long, short], 64, 16)
    chunks = [d for d in out if d.parent_id == "guide/a.md"]
    assert [d.id for d in chunks] == [f"guide/a.md#{n}" for n in range(len(chunks))]
    assert all(d.title == "A" and d.source == "/x/a.md" for d in chunks)
    assert out[-1] == short
    assert chunk_doc(long, 64, 16) == chunks  # deterministic
    assert chunk_docs([long], None, 0) == [long]


def test_invalid_chunk_settings_are_input_errors(tmp_path: pytest.TempPathFactory) -> None:
    with pytest.raises(TrialInputError, match="overlap"):
        load_dataset(".", chunk_tokens=32, chunk_overlap=32)
    with pytest.raises(TrialInputError, match="chunk size"):
        load_dataset(".", chunk_tokens=-1)


def test_long_sentence_windows_start_on_token_boundaries() -> None:
    """A sentence longer than the chunk size is cut into token windows at the right offsets (they were
    shifted by the sentence's start, so windows began mid-token and text was lost)."""
    from evaluators.ingest.chunking import chunk_spans

    text = "Short one. " + " ".join(f"W{i}" for i in range(30)) + "."
    pieces = [text[s:e] for s, e in chunk_spans(text, 10, 2)]
    assert pieces == [
        "Short one.",
        "W0 W1 W2 W3 W4 W5 W6 W7 W8 W9",
        "W8 W9 W10 W11 W12 W13 W14 W15 W16 W17",
        "W16 W17 W18 W19 W20 W21 W22 W23 W24 W25",
        "W24 W25 W26 W27 W28 W29.",
    ]
