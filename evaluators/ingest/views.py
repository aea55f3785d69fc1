"""A trial's cuts of its corpus (evaluators.ingest.model_chunking), each made once per process and, with a
cache dir, kept on disk across runs (evaluators.ingest.view_cache): the estimate made before a trial and the
trial itself share them, and a re-run on the same documents loads no tokenizer."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from evaluators.ingest.model_chunking import ChunkTokenizer, View, build_view, load_chunk_tokenizer
from evaluators.ingest.view_cache import cached_view, dataset_key, tokenizer_key
from evaluators.types import Dataset

DEFAULT_OVERLAP = 32
"""Overlap of a sweep's sizes when the dataset itself was not chunked (as `trial --chunk-overlap`)."""


class Views:
    """A trial's cuts of its corpus, each made once: BM25's regex-v1 chunks per size, and one per (tokenizer,
    window, prompt, size) for the models; tokenizers load once per model. With a cache dir, the models' cuts
    are also kept on disk (evaluators.ingest.view_cache): a re-run loads no tokenizer."""

    def __init__(self, ds: Dataset, cache_dir: str | Path | None = None) -> None:
        self.ds = ds
        self.cache_dir = Path(cache_dir) if cache_dir else None
        chunked = bool(ds.info.get("chunk_tokens"))
        given = ds.info.get("chunk_overlap")
        self.overlap = int(given) if chunked and given is not None else DEFAULT_OVERLAP
        self._views: dict[tuple[Any, ...], View] = {}
        self._tokenizers: dict[str, tuple[ChunkTokenizer | None, str]] = {}
        self._keys: dict[str, str | None] = {}
        self._ds_key = ""

    def regex(self, size: int | None) -> View:
        return self._once(("regex", size), lambda: build_view(self.ds, size, self.overlap))

    def for_model(self, mref: Any, size: int | None) -> View:
        """The chunks `mref` indexes at `size` (None: the dataset's own size; 0: whole documents)."""
        if not (self.ds.info.get("chunk_tokens") if size is None else size):
            return self.regex(size)  # whole documents: no tokenizer needed, the model truncates
        window = getattr(mref, "max_tokens", None)
        prompt = getattr(mref, "passage_prompt", None)
        if mref.identity not in self._keys:
            self._keys[mref.identity] = tokenizer_key(mref)
        tkey = self._keys[mref.identity]
        if tkey is None:  # nothing identifies the tokenizer before it loads: load it, keep the cut in memory
            tok = self._tokenizer(mref)[0]
            key = (tok.name if tok else "regex", window, prompt, size)
            return self._once(key, lambda: self._build(mref, size, window, prompt)[0])
        self._ds_key = self._ds_key or dataset_key(self.ds)
        stored = {"dataset": self._ds_key, "tokenizer": tkey, "size": size, "overlap": self.overlap,
                  "window": window, "prompt": prompt}
        return self._once(
            (tkey, window, prompt, size),
            lambda: cached_view(self.cache_dir, stored, lambda: self._build(mref, size, window, prompt)),
        )

    def _once(self, key: tuple[Any, ...], make: Callable[[], View]) -> View:
        if key not in self._views:
            self._views[key] = make()
        return self._views[key]

    def _tokenizer(self, mref: Any) -> tuple[ChunkTokenizer | None, str]:
        if mref.identity not in self._tokenizers:
            self._tokenizers[mref.identity] = load_chunk_tokenizer(mref)
        return self._tokenizers[mref.identity]

    def _build(
        self, mref: Any, size: int | None, window: int | None, prompt: str | None
    ) -> tuple[View, bool]:
        """(the cut, whether it may be stored): a cut made without the model's tokenizer is not."""
        tok, why = self._tokenizer(mref)
        view = build_view(self.ds, size, self.overlap, tok, window=window, prompt=prompt,
                          why_no_tokenizer=why)
        return view, tok is not None


_SHARED: list[Views] = []


def shared_views(ds: Dataset, cache_dir: str | Path | None = None) -> Views:
    """The Views of `ds` (this very object) and cache dir, made once: the estimate made before a trial and the
    trial itself cut the corpus once between them. One dataset is kept, the last one asked for."""
    where = Path(cache_dir) if cache_dir else None
    if not _SHARED or _SHARED[0].ds is not ds or _SHARED[0].cache_dir != where:
        _SHARED[:] = [Views(ds, where)]
    return _SHARED[0]
