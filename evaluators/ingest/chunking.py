"""Token-aware, sentence-respecting chunking with a model-independent token counter.

Token counter ("regex-v1"): a token is a run of letters/digits (with inner ' - . joins, so "don't" and "3.14"
are one), or one CJK/kana/hangul character, or one other non-space symbol. For English prose this runs
roughly 10-30% below WordPiece/BPE counts; for Chinese it is close to one token per character, as BERT-style
tokenizers do. The model's own tokenizer is used later (by the runner) to report truncation honestly.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from evaluators.types import Doc

TOKEN_COUNTER = "regex-v1"
CJK_RANGES = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\U00020000-\U0002fa1f"
_ALNUM = rf"[^\W_{CJK_RANGES}]+"
"""A run of letters/digits other than CJK (a negated class: much faster than a per-character lookahead)."""
TOKEN_RE = re.compile(rf"[{CJK_RANGES}]|{_ALNUM}(?:['’.\-]{_ALNUM})*|[^\s]")
"""One token per match; see the module docstring."""
_MAX_CHARS_PER_TOKEN = 32
"""Longer texts are assumed not to fit in one chunk before they are counted (only a shortcut: a text that
does fit still comes out as one chunk)."""
_ASCII_TOKEN_RE = re.compile(r"[A-Za-z0-9]+(?:['.\-][A-Za-z0-9]+)*|[^\s]")
"""TOKEN_RE restricted to ASCII text (same matches there), about twice as fast: no Unicode class lookups."""

_SENTENCE_END = re.compile(
    # Every branch starts with one of . ! ? 。 ！ ？ ； or a newline, so the regex engine can skip ahead to
    # the next such character instead of trying every branch at every position (6x faster on long texts).
    # Groups 1 and 2 hold the closing quotes that stay with the sentence.
    r"[.!?。！？；\n](?:"
    r"(?<=[.!?])([\"'’”)\]]*)\s+(?=[^a-z\s])"  # Latin: . ! ? (+ closing quotes), space, next not lowercase
    r"|(?<=[。！？；])([”」』）]*)\s*"              # CJK: 。！？； end a sentence with or without a space
    r"|(?<=\n)[ \t]*\n\s*"                       # a blank line ends a paragraph
    r"|(?<=\n)(?=[ \t]*(?:[#>|*+\-]|\d+[.)]\s)))"  # markdown headings, quotes, tables and list items
)


SpanFn = Callable[[str, int, int], list[tuple[int, int]]]
"""spans(text, start, end): (start, end) character offsets of the tokens inside text[start:end]."""


def count_tokens(text: str, start: int = 0, end: int | None = None) -> int:
    """Tokens in `text[start:end]` under the regex-v1 counter."""
    end = len(text) if end is None else end
    rx = _ASCII_TOKEN_RE if text[start:end].isascii() else TOKEN_RE
    return len(rx.findall(text, start, end))


def regex_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Token spans under the regex-v1 counter (offsets into `text`)."""
    rx = _ASCII_TOKEN_RE if text[start:end].isascii() else TOKEN_RE
    return [(m.start(), m.end()) for m in rx.finditer(text, start, end)]


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence in `text`, whitespace trimmed; empty pieces dropped."""
    bounds: list[int] = []
    for m in _SENTENCE_END.finditer(text):
        # The mark and its closing quotes stay with the sentence; a newline break keeps nothing.
        bounds.append(m.end(1) if m.start(1) >= 0 else m.end(2) if m.start(2) >= 0 else m.start())
        bounds.append(m.end())
    bounds.append(len(text))
    spans: list[tuple[int, int]] = []
    start = 0
    for i in range(0, len(bounds), 2):  # inlined: this loop runs once per sentence of the whole corpus
        s, e = start, bounds[i]
        if s < e and text[s].isspace() or e > s and text[e - 1].isspace():
            while s < e and text[s].isspace():
                s += 1
            while e > s and text[e - 1].isspace():
                e -= 1
        if e > s:
            spans.append((s, e))
        if i + 1 < len(bounds):
            start = bounds[i + 1]
    return spans


def split_sentences(text: str) -> list[str]:
    return [text[s:e] for s, e in sentence_spans(text)]


@dataclass(frozen=True)
class _Unit:
    start: int
    end: int
    tokens: int


def _units(text: str, size: int, overlap: int, spans: SpanFn) -> list[_Unit]:
    """Sentences, with any sentence longer than `size` cut into token windows (the only non-sentence cut)."""
    units: list[_Unit] = []
    for s, e in sentence_spans(text):
        # regex-v1 counts without building spans (most sentences fit); a model's tokenizer gives spans at once
        toks = None if spans is regex_spans else spans(text, s, e)  # offsets are into `text` already
        n = count_tokens(text, s, e) if toks is None else len(toks)
        if n <= size:
            units.append(_Unit(s, e, n))
            continue
        toks = toks if toks is not None else regex_spans(text, s, e)  # positions: only to cut
        step = max(1, size - overlap)
        for i in range(0, len(toks), step):
            window = toks[i:i + size]
            units.append(_Unit(window[0][0], window[-1][1], len(window)))
            if i + size >= len(toks):
                break
    return units


def chunk_spans(text: str, size: int, overlap: int, spans: SpanFn = regex_spans) -> list[tuple[int, int]]:
    """(start, end) of each chunk: whole sentences packed up to `size` tokens (counted by `spans`: regex-v1,
    or a model's tokenizer). The next chunk starts with the previous chunk's trailing whole sentences that
    fit in `overlap` tokens (none if the last is longer)."""
    units = _units(text, size, overlap, spans)
    chunks: list[tuple[int, int]] = []
    i = 0
    while i < len(units):
        j, total = i, 0
        while j < len(units) and (j == i or total + units[j].tokens <= size):
            total += units[j].tokens
            j += 1
        chunks.append((units[i].start, units[j - 1].end))
        if j >= len(units):
            break
        back, kept = j, 0
        while back - 1 > i and kept + units[back - 1].tokens <= overlap:
            back -= 1
            kept += units[back].tokens
        i = back
    return chunks


def chunk_doc(doc: Doc, size: int, overlap: int, spans: SpanFn = regex_spans) -> list[Doc]:
    """`doc` itself if it fits in one chunk, else chunks '<doc id>#<n>' (n from 0) with parent_id set."""
    # What chunk_spans would say, without splitting sentences: most documents are short. Only tried on text
    # that could fit: counting a 50 MB file in one call cost more than counting it sentence by sentence.
    fits = len(doc.text) <= size * _MAX_CHARS_PER_TOKEN
    if spans is regex_spans and fits and count_tokens(doc.text) <= size:
        return [doc]
    cuts = chunk_spans(doc.text, size, overlap, spans)
    if len(cuts) <= 1:
        return [doc]
    return [Doc(id=f"{doc.id}#{n}", text=doc.text[s:e], title=doc.title, source=doc.source, parent_id=doc.id)
            for n, (s, e) in enumerate(cuts)]


def chunk_docs(docs: Iterable[Doc], size: int | None, overlap: int) -> list[Doc]:
    """Chunk every doc (size None or 0: no chunking). A doc that fits keeps its id and has no parent_id,
    so a unit's parent is always `doc.parent_id or doc.id`."""
    if not size:
        return list(docs)
    return [chunk for doc in docs for chunk in chunk_doc(doc, size, overlap)]
