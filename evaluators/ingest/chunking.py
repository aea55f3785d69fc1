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
_ALNUM = rf"(?:(?![{CJK_RANGES}])[^\W_])+"
TOKEN_RE = re.compile(rf"[{CJK_RANGES}]|{_ALNUM}(?:['’.\-]{_ALNUM})*|[^\s]")
"""One token per match; see the module docstring."""

_SENTENCE_END = re.compile(
    r"(?<=[.!?])[\"'’”)\]]*\s+(?=[^a-z\s])"   # Latin: . ! ? (+ closing quotes) then space, next not lowercase
    r"|(?<=[。！？；])[”」』）]*\s*"               # CJK: 。！？； end a sentence with or without a space
    r"|\n[ \t]*\n\s*"                           # a blank line ends a paragraph
    r"|\n(?=[ \t]*(?:[#>|*+\-]|\d+[.)]\s))"     # markdown headings, quotes, tables and list items
)
_CLOSERS = "\"'’”)]」』）"


SpanFn = Callable[[str, int, int], list[tuple[int, int]]]
"""spans(text, start, end): (start, end) character offsets of the tokens inside text[start:end]."""


def regex_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Token spans under the regex-v1 counter (offsets into `text`)."""
    return [(m.start(), m.end()) for m in TOKEN_RE.finditer(text, start, end)]


def count_tokens(text: str) -> int:
    """Tokens in `text` under the regex-v1 counter."""
    return sum(1 for _ in TOKEN_RE.finditer(text))


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence in `text`, whitespace trimmed; empty pieces dropped."""
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _SENTENCE_END.finditer(text):
        closers = len(m.group()) - len(m.group().lstrip(_CLOSERS))  # closing quotes stay with their sentence
        spans.append((start, m.start() + closers))
        start = m.end()
    spans.append((start, len(text)))
    out = []
    for s, e in spans:
        piece = text[s:e]
        lead = len(piece) - len(piece.lstrip())
        trail = len(piece) - len(piece.rstrip())
        if e - trail > s + lead:
            out.append((s + lead, e - trail))
    return out


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
        toks = spans(text, s, e)  # offsets are into `text` already (finditer's pos/endpos do not rebase)
        if len(toks) <= size:
            units.append(_Unit(s, e, len(toks)))
            continue
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
