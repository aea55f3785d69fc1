"""A loaded, chunked dataset kept as JSON, so re-running a trial on unchanged files skips reading, chunking
and answer matching (and the import of the ingest code): most of a cached re-run's start-up.

The key covers every source file's path, size and mtime, the loader's options, and the size and mtime of the
loader's own code, so an edited document or a new embedscout invalidates it. A dataset whose `info` does
not survive JSON unchanged is not cached (it would come back different).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from evaluators.types import Dataset, Doc, Query

FORMAT = 2
MAX_BYTES = 200 * 2**20
"""Larger datasets are loaded every time rather than doubled on disk."""


def cached_dataset(
    kind: str,
    options: dict[str, Any],
    sources: Iterable[str | Path],
    cache_dir: Path | None,
    load: Callable[[], Dataset],
) -> Dataset:
    """`load()` once per (kind, options, source files, loader code); later calls read the stored copy."""
    if cache_dir is None:
        return load()
    file = Path(cache_dir) / "datasets" / f"{_key(kind, options, sources)}.json"
    stored = _read(file)
    if stored is not None:
        return stored
    ds = load()
    _write(file, ds)
    return ds


def load_cached(
    corpus: str | None,
    queries: str | None,
    qrels: str | None,
    options: dict[str, Any],
    cache_dir: Path | None,
) -> Dataset:
    """`evaluators.datasets.load_dataset(corpus, queries, qrels, **options)`, or `load_demo(**options)` when
    `corpus` is None, through the cache: the ingest code is imported only when the dataset is not stored."""
    if corpus is None:
        demo = Path(__file__).parent / "data" / "demo"  # the package data load_demo reads
        return cached_dataset("demo", options, [demo], cache_dir, lambda: _datasets().load_demo(**options))
    sources = [p for p in (corpus, queries, qrels) if p]
    return cached_dataset(
        "files", {**options, "paths": sources}, sources, cache_dir,
        lambda: _datasets().load_dataset(corpus, queries, qrels, **options),
    )  # fmt: skip


def _datasets() -> Any:
    from evaluators import datasets

    return datasets


def fingerprint_of(ds: Dataset) -> str:
    """The dataset's fingerprint as the loaders compute it (the ingest code is imported only here)."""
    from evaluators.datasets import fingerprint

    return str(fingerprint(ds.corpus, ds.queries, ds.qrels))


def _key(kind: str, options: dict[str, Any], sources: Iterable[str | Path]) -> str:
    files: list[tuple[str, int, int]] = []
    for src in sources:
        files += file_stats(Path(src))
    code = file_stats(Path(__file__).parent / "ingest") + file_stats(Path(__file__).parent / "datasets.py")
    raw = json.dumps(
        {
            "format": FORMAT,
            "kind": kind,
            "options": options,
            "files": files,
            "code": [(Path(p).name, s, m) for p, s, m in code],
        },
        sort_keys=True,
        default=str,
    )
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:32]


def file_stats(path: Path) -> list[tuple[str, int, int]]:
    """(path, size, mtime_ns) of a file, or of every file below a folder (sorted)."""
    if path.is_file():
        st = path.stat()
        return [(str(path.resolve()), st.st_size, st.st_mtime_ns)]
    out = []
    for root, dirs, names in os.walk(path):
        dirs[:] = [d for d in dirs if d != "__pycache__"]
        for name in names:
            full = os.path.join(root, name)
            try:
                st = os.stat(full)
            except OSError:
                continue
            out.append((os.path.abspath(full), st.st_size, st.st_mtime_ns))
    return sorted(out)


def _to_json(ds: Dataset) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "name": ds.name,
        "qrels": ds.qrels,
        "qrels_level": ds.qrels_level,
        "query_origin": ds.query_origin,
        "info": ds.info,
        "corpus": [doc_row(d) for d in ds.corpus],
        "documents": [doc_row(d) for d in ds.documents],  # the runner re-cuts these per model tokenizer
        "queries": [[q.id, q.text, q.answer, list(q.answers)] for q in ds.queries],
    }


def doc_row(d: Doc) -> list[Any]:
    """A Doc as a JSON row (Doc(*row) makes it again)."""
    return [d.id, d.text, d.title, d.source, d.parent_id]


def _from_json(data: dict[str, Any]) -> Dataset:
    return Dataset(
        name=data["name"],
        corpus=tuple(Doc(i, t, ti, s, p) for i, t, ti, s, p in data["corpus"]),
        queries=tuple(Query(i, t, a, tuple(more)) for i, t, a, more in data["queries"]),
        qrels=data["qrels"],
        qrels_level=data["qrels_level"],
        query_origin=data["query_origin"],
        info=data["info"],
        documents=tuple(Doc(i, t, ti, s, p) for i, t, ti, s, p in data["documents"]),
    )


def _read(file: Path) -> Dataset | None:
    try:
        data = json.loads(file.read_text("utf-8"))
        return _from_json(data) if data.get("format") == FORMAT else None
    except (OSError, ValueError, KeyError, TypeError):
        return None  # missing or damaged: load again


def _write(file: Path, ds: Dataset) -> None:
    data = _to_json(ds)
    text = json.dumps(data, ensure_ascii=False)
    if len(text) > MAX_BYTES or _from_json(json.loads(text)) != ds:
        return  # too big, or something in it would not come back the same
    write_text_atomic(file, text)


def write_text_atomic(file: Path, text: str) -> None:
    """Write `text` (UTF-8) so readers never see half a file; see `write_bytes_atomic`."""
    write_bytes_atomic(file, text.encode("utf-8"))


def write_bytes_atomic(file: Path, data: bytes) -> None:
    """Write `data` so readers never see half a file; an unwritable cache is skipped (it costs only time)."""
    tmp = file.with_name(f".{file.name}.{os.getpid()}.tmp")
    try:
        file.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_bytes(data)
        os.replace(tmp, file)  # readers never see half a file
    except OSError:  # a read-only cache only costs the next run its load time
        tmp.unlink(missing_ok=True)
