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
            local = mref.path and Path(str(mref.path)).is_dir()
            source = mref.path if local else (getattr(spec, "hf_id", None) or mref.path)
            counter = load_hf_tokenizer(str(source), name=getattr(spec, "id", None) or str(source))
    except (CheckError, OSError, ValueError) as exc:
        return None, " ".join(str(exc).split())[:160]
    if counter.kind == "tiktoken":
        return _tiktoken_chunker(counter.impl, f"tiktoken:{counter.name}"), ""
    return _hf_chunker(counter.impl, f"hf:{counter.name}"), ""


def _hf_chunker(tok: Any, name: str) -> ChunkTokenizer:
    memo: dict[str, Any] = {}

    def spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
        if memo.get("text") is not text:  # the chunker asks sentence by sentence: encode each text once
            offsets = [tuple(o) for o in tok.encode(text, add_special_tokens=False).offsets]
            memo.update(text=text, offsets=offsets, starts=[o[0] for o in offsets])
        lo, hi = bisect_left(memo["starts"], start), bisect_left(memo["starts"], end)
        return list(memo["offsets"][lo:hi])

    def count(texts: list[str]) -> list[int]:
        return [len(e.ids) for e in tok.encode_batch(texts, add_special_tokens=True)]

    return ChunkTokenizer(name, spans, count)


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
    out: list[Doc] = []
    recut = 0
    heads = tok.count([prompt + (f"{d.title} " if d.title else "") for d in docs]) if window else []
    for i, doc in enumerate(docs):
        limit = max(8, min(size, window - heads[i])) if window else size
        pieces = chunk_doc(doc, limit, min(overlap, limit // 2), tok.spans)
        for _ in range(_MAX_TRIES if window else 0):
            counts = tok.count([prompt + passage_text(p) for p in pieces])
            excess = max(counts) - window if window else 0
            if excess <= 0 or limit <= 8:
                break
            recut += 1  # token counts are not exactly additive across sentences: cut this doc finer
            limit = max(8, limit - excess)
            pieces = chunk_doc(doc, limit, min(overlap, limit // 2), tok.spans)
        out.extend(_renamed(doc, pieces, rename))
    return tuple(out), recut


def _renamed(unit: Doc, pieces: list[Doc], rename: str | None) -> list[Doc]:
    if rename is None:
        return pieces
    if len(pieces) == 1:  # unchanged unit: under 'unit' qrels it is its own parent
        return [replace(unit, parent_id=None) if rename == "unit" else unit]
    parent = unit.id if rename == "unit" else (unit.parent_id or unit.id)
    return [replace(p, id=f"{unit.id}~{n}", parent_id=parent) for n, p in enumerate(pieces)]


DEFAULT_OVERLAP = 32
"""Overlap of a sweep's sizes when the dataset itself was not chunked (as `trial --chunk-overlap`)."""


class Views:
    """A trial's cuts of its corpus, each made once: BM25's regex-v1 chunks per size, and one per (tokenizer,
    window, prompt, size) for the models; tokenizers load once per model."""

    def __init__(self, ds: Dataset) -> None:
        self.ds = ds
        chunked = bool(ds.info.get("chunk_tokens"))
        given = ds.info.get("chunk_overlap")
        self.overlap = int(given) if chunked and given is not None else DEFAULT_OVERLAP
        self._views: dict[tuple[Any, ...], View] = {}
        self._tokenizers: dict[str, tuple[ChunkTokenizer | None, str]] = {}

    def regex(self, size: int | None) -> View:
        key = ("regex", size)
        if key not in self._views:
            self._views[key] = build_view(self.ds, size, self.overlap)
        return self._views[key]

    def for_model(self, mref: Any, size: int | None) -> View:
        """The chunks `mref` indexes at `size` (None: the dataset's own size; 0: whole documents)."""
        if not (self.ds.info.get("chunk_tokens") if size is None else size):
            return self.regex(size)  # whole documents: no tokenizer needed, the model truncates
        if mref.identity not in self._tokenizers:
            self._tokenizers[mref.identity] = load_chunk_tokenizer(mref)
        tok, why = self._tokenizers[mref.identity]
        window = getattr(mref, "max_tokens", None)
        prompt = getattr(mref, "passage_prompt", None)
        key = (tok.name if tok else "regex", window, prompt, size)
        if key not in self._views:
            self._views[key] = build_view(
                self.ds, size, self.overlap, tok, window=window, prompt=prompt, why_no_tokenizer=why
            )
        return self._views[key]


_SHARED: list[Views] = []


def shared_views(ds: Dataset) -> Views:
    """The Views of `ds` (this very object), made once: the estimate made before a trial and the trial itself
    cut the corpus once between them. One dataset is kept, the last one asked for."""
    if not _SHARED or _SHARED[0].ds is not ds:
        _SHARED[:] = [Views(ds)]
    return _SHARED[0]


def parse_chunk_sizes(text: str) -> list[int]:
    """'256' or '128,256,512' (0: whole documents) -> sizes in the order given, duplicates dropped."""
    from evaluators.types import TrialInputError

    sizes: list[int] = []
    for part in str(text).split(","):
        part = part.strip()
        if not part.isdigit():
            raise TrialInputError(
                f"sizes are whole numbers of tokens separated by commas (e.g. 128,256,512), got {text!r}"
            )
        if int(part) not in sizes:
            sizes.append(int(part))
    return sizes
