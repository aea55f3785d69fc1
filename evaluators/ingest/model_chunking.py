"""Chunks that fit the model: each model's corpus cut with its own tokenizer, and chunk size as a setting.

The loader's chunks count tokens with a regex (evaluators.ingest.chunking), so they can overflow a model's
window and be cut silently. Here a model with a tokenizer gets its own chunks: `size` tokens of its
tokenizer, capped at its window minus prompt, title and special tokens, and each chunk is checked by encoding
it exactly as the model will see it. Relevance follows the chunks: document qrels rank documents by their best
chunk (MaxP, as before); answer-text labels mark this model's chunks that contain the answer.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from evaluators.ingest.chunking import TOKEN_COUNTER, SpanFn, chunk_doc, chunk_docs
from evaluators.ingest.queries import answer_qrels
from evaluators.types import Dataset, Doc

MARGIN = 0.75
"""Without the model's tokenizer, chunks are capped at this share of its window: regex-v1 counts run up to
~30% below BPE/WordPiece counts on English (see evaluators.ingest.chunking)."""
SPLIT_ANSWER = "(answer split across chunks)"
"""The relevant id of a query whose answer no chunk of this cut contains: never retrieved, so it scores 0."""
_MAX_TRIES = 8
_BATCH = 256


def passage_text(doc: Doc) -> str:
    """What every model indexes: 'title text' (the BEIR/MTEB convention), or the text alone."""
    return f"{doc.title} {doc.text}" if doc.title else doc.text


@dataclass(frozen=True)
class ChunkTokenizer:
    """A model's tokenizer as the chunker needs it: token spans of a text and full input lengths."""

    name: str
    spans: SpanFn
    count: Callable[[list[str]], list[int]]
    """Tokens per model input, special tokens included (what the window limits)."""
    prime: Callable[[list[str]], None] = lambda texts: None
    """Encode these texts in one batch before `spans` asks about them (the previous batch is dropped)."""


@dataclass
class View:
    """One cut of the corpus, with relevance labels that follow it."""

    units: tuple[Doc, ...]
    qrels: dict[str, dict[str, int]]
    qrels_level: str
    info: dict[str, Any] = field(default_factory=dict)
    """The row's details["chunking"]: size, counter, window, over-window shares, chunk count."""
    size: int | None = None
    texts: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.texts = [passage_text(u) for u in self.units]


def load_chunk_tokenizer(mref: Any) -> tuple[ChunkTokenizer | None, str]:
    """(the model's tokenizer, '') or (None, why not): a local folder's or cached HF tokenizer.json, or the
    tiktoken encoding the catalog names for an API model. Loads no model weights."""
    from evaluators.checks._common import CheckError
    from evaluators.checks.tokenizer_fit import load_hf_tokenizer, load_tiktoken

    spec = mref.spec
    try:
        if getattr(spec, "tiktoken_encoding", None):
            counter = load_tiktoken(spec.tiktoken_encoding)
        elif mref.kind == "api":
            return None, "the provider publishes no tokenizer"
        else:
            source = hf_source(mref)
            counter = load_hf_tokenizer(source, name=getattr(spec, "id", None) or source)
    except (CheckError, OSError, ValueError) as exc:
        return None, " ".join(str(exc).split())[:160]
    if counter.kind == "tiktoken":
        return _tiktoken_chunker(counter.impl, f"tiktoken:{counter.name}"), ""
    return _hf_chunker(counter.impl, f"hf:{counter.name}"), ""


def hf_source(mref: Any) -> str:
    """Where a local model's tokenizer comes from: its folder, else its HF id (or its path as given)."""
    local = mref.path and Path(str(mref.path)).is_dir()
    return str(mref.path if local else (getattr(mref.spec, "hf_id", None) or mref.path))


def _hf_chunker(tok: Any, name: str) -> ChunkTokenizer:
    memo: dict[str, Any] = {}
    primed: dict[str, tuple[list[tuple[int, int]], list[int]]] = {}

    def offsets_of(encoding: Any) -> tuple[list[tuple[int, int]], list[int]]:
        offsets = [tuple(o) for o in encoding.offsets]
        return offsets, [o[0] for o in offsets]

    def spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
        found = primed.get(text)
        if found is None and memo.get("text") is not text:  # asked sentence by sentence: encode text once
            memo.update(text=text, found=offsets_of(tok.encode(text, add_special_tokens=False)))
        offsets, starts = found or memo["found"]
        return list(offsets[bisect_left(starts, start):bisect_left(starts, end)])

    def count(texts: list[str]) -> list[int]:
        return [len(e.ids) for e in tok.encode_batch(texts, add_special_tokens=True)]

    def prime(texts: list[str]) -> None:
        primed.clear()
        encodings = tok.encode_batch(texts, add_special_tokens=False)
        primed.update(zip(texts, map(offsets_of, encodings), strict=True))

    return ChunkTokenizer(name, spans, count, prime)


def _tiktoken_chunker(enc: Any, name: str) -> ChunkTokenizer:
    def spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
        piece = text[start:end]
        starts = enc.decode_with_offsets(enc.encode_ordinary(piece))[1]
        ends = [*starts[1:], len(piece)]
        return [(start + s, start + e) for s, e in zip(starts, ends, strict=True)]

    def count(texts: list[str]) -> list[int]:
        return [len(ids) for ids in enc.encode_ordinary_batch(texts)]

    return ChunkTokenizer(name, spans, count)


def build_view(
    ds: Dataset,
    size: int | None,
    overlap: int,
    tok: ChunkTokenizer | None = None,
    *,
    window: int | None = None,
    prompt: str | None = None,
    why_no_tokenizer: str = "",
) -> View:
    """The corpus a model indexes at `size` (None: the dataset's own size; 0: whole documents).

    With `tok`, chunks are cut and checked with it (see the module docstring); without it (BM25, or no
    tokenizer), regex-v1 chunks, capped at MARGIN of `window` when one is known.
    """
    base = ds.info.get("chunk_tokens") or None
    size = base if size is None else (size or None)
    if not size:
        info: dict[str, Any] = {"tokens": None, "note": "whole documents: the model truncates them"}
        if base and _recuttable(ds):  # the corpus was chunked: whole documents are its documents
            return _labelled(ds, tuple(ds.documents), None, info)
        return _as_given(ds, None, info)
    overlap = min(overlap, size // 2)
    if tok is None:
        cap = int(window * MARGIN) if window else None
        eff = min(size, cap) if cap else size
        info = {"tokens": size, "overlap": overlap, "counter": TOKEN_COUNTER, "limit": eff}
        if why_no_tokenizer:
            info["note"] = f"no model tokenizer ({why_no_tokenizer}): regex-v1 chunks" + (
                f", capped at {MARGIN:.0%} of the {window}-token window" if cap else ""
            )
        if eff == base or not _recuttable(ds):
            return _as_given(ds, size, info)
        return _labelled(ds, tuple(chunk_docs(ds.documents, eff, overlap)), size, info)
    return _model_view(ds, size, overlap, tok, window, prompt or "")


def recut_relevance(ds: Dataset) -> str | None:
    """How relevance can follow a new cut of ds.documents: 'ids' (qrels name documents), 'answer' (every
    query has answer texts and the loader labelled by them), or None (qrels name one cut's chunks, as for
    synthetic or LLM-written queries: they cannot move to other chunks)."""
    if not ds.documents:
        return None
    if ds.info.get("relevance") == "answer" and all(q.answers or q.answer for q in ds.queries):
        return "answer"
    doc_ids = {d.id for d in ds.documents}
    if ds.info.get("relevance") != "synthetic" and all(set(r) <= doc_ids for r in ds.qrels.values()):
        return "ids"
    return None


def _recuttable(ds: Dataset) -> bool:
    return recut_relevance(ds) is not None


def _as_given(ds: Dataset, size: int | None, info: dict[str, Any]) -> View:
    units = tuple(ds.corpus)
    return View(units, dict(ds.qrels), ds.qrels_level, {**info, "n_chunks": len(units)}, size)


def _labelled(ds: Dataset, units: tuple[Doc, ...], size: int | None, info: dict[str, Any]) -> View:
    """Relevance for a new cut of ds.documents: answer labels re-found in the chunks, or document qrels."""
    info = {**info, "n_chunks": len(units), "docs_split": len({u.parent_id for u in units if u.parent_id})}
    if recut_relevance(ds) == "answer":
        answers = {q.id: list(q.answers or ((q.answer,) if q.answer else ())) for q in ds.queries}
        qrels = answer_qrels(answers, units)
        split = [q for q in ds.qrels if q not in qrels]
        qrels.update({q: {SPLIT_ANSWER: 1} for q in split})  # this cut lost the answer: a miss, not a skip
        info["answer_split_queries"] = len(split)
        return View(units, qrels, "unit", info, size)
    level = "parent" if any(u.parent_id for u in units) else "unit"
    return View(units, dict(ds.qrels), level, info, size)


def _model_view(
    ds: Dataset, size: int, overlap: int, tok: ChunkTokenizer, window: int | None, prompt: str
) -> View:
    info: dict[str, Any] = {"tokens": size, "overlap": overlap, "counter": tok.name, "window": window}
    if window:
        special = tok.count([prompt])[0]  # prompt + special tokens: what every input spends before text
        info["limit"] = max(1, min(size, window - special))
        regex_units = ds.corpus if size == ds.info.get("chunk_tokens") else None
        if regex_units is None and _recuttable(ds):
            regex_units = tuple(chunk_docs(ds.documents, size, overlap))
        before = _over_share(tok, prompt, regex_units or ds.corpus, window)
        info["over_window_share_regex"] = before
    if _recuttable(ds):
        units, tries = _cut(ds.documents, size, overlap, tok, window, prompt, rename=None)
        view = _labelled(ds, units, size, info)
    else:  # synthetic queries or no documents: split only the units that do not fit, rank them by MaxP
        units, tries = _cut(ds.corpus, size, overlap, tok, window, prompt, rename=ds.qrels_level)
        level = "parent" if any(u.parent_id for u in units) else ds.qrels_level
        view = View(units, dict(ds.qrels), level, {**info, "n_chunks": len(units), "fit_only": True}, size)
    view.info["recut_docs"] = tries
    view.info["over_window_share"] = _over_share(tok, prompt, units, window) if window else None
    return view


def _over_share(tok: ChunkTokenizer, prompt: str, units: Sequence[Doc], window: int) -> float:
    if not units:
        return 0.0
    counts = tok.count([prompt + passage_text(u) for u in units])
    return sum(1 for n in counts if n > window) / len(counts)


def _cut(
    docs: Sequence[Doc],
    size: int,
    overlap: int,
    tok: ChunkTokenizer,
    window: int | None,
    prompt: str,
    *,
    rename: str | None,
) -> tuple[tuple[Doc, ...], int]:
    """Chunks of every doc that fit `window` as the model sees them; (chunks, docs cut more than once).

    rename: None cuts whole documents; 'unit'/'parent' cuts units of a chunked corpus, and their pieces then
    rank under the unit ('unit' qrels) or under its document ('parent' qrels).
    """
    heads = tok.count([prompt + (f"{d.title} " if d.title else "") for d in docs]) if window else []
    limits = [max(8, min(size, window - heads[i])) if window else size for i in range(len(docs))]
    pieces: list[list[Doc]] = []
    for lo in range(0, len(docs), _BATCH):  # each batch's texts encoded at once, not one call per doc
        batch = range(lo, min(lo + _BATCH, len(docs)))
        tok.prime([docs[i].text for i in batch])
        pieces += [chunk_doc(docs[i], limits[i], min(overlap, limits[i] // 2), tok.spans) for i in batch]
    tok.prime([])
    recut = 0
    todo = list(range(len(docs))) if window else []
    for _ in range(_MAX_TRIES):  # each round counts every unchecked doc's pieces in one batch
        if not todo:
            break
        longest = _longest(tok, prompt, [pieces[i] for i in todo])
        excess = {i: n - (window or 0) for i, n in zip(todo, longest, strict=True)}
        again = [i for i in todo if excess[i] > 0 and limits[i] > 8]
        for i in again:  # token counts are not exactly additive across sentences: cut this doc finer
            recut += 1
            limits[i] = max(8, limits[i] - excess[i])
            pieces[i] = chunk_doc(docs[i], limits[i], min(overlap, limits[i] // 2), tok.spans)
        todo = again
    out = [u for doc, ps in zip(docs, pieces, strict=True) for u in _renamed(doc, ps, rename)]
    return tuple(out), recut


def _longest(tok: ChunkTokenizer, prompt: str, groups: list[list[Doc]]) -> list[int]:
    """The most tokens any piece of each group takes as the model sees it (one count call for all)."""
    counts = iter(tok.count([prompt + passage_text(p) for g in groups for p in g]))
    return [max((next(counts) for _ in g), default=0) for g in groups]


def _renamed(unit: Doc, pieces: list[Doc], rename: str | None) -> list[Doc]:
    if rename is None:
        return pieces
    if len(pieces) == 1:  # unchanged unit: under 'unit' qrels it is its own parent
        return [replace(unit, parent_id=None) if rename == "unit" else unit]
    parent = unit.id if rename == "unit" else (unit.parent_id or unit.id)
    return [replace(p, id=f"{unit.id}~{n}", parent_id=parent) for n, p in enumerate(pieces)]
