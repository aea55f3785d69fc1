"""Each model's own cut of a corpus (evaluators.ingest.model_chunking.View) kept as JSON under the cache dir,
so a re-run on the same documents loads no tokenizer and cuts nothing (issue 18: a cached re-run is fast).

The key covers everything that decides the cut: the dataset's documents, chunks, queries, labels and chunking
settings; the tokenizer (the content hash of its tokenizer.json, or the tiktoken encoding and version) and
its name; chunk size, overlap, the model's window and passage prompt; and the size and mtime of the chunking
code, so an edited document, another tokenizer or a new embedscout cuts again. A damaged file is cut again;
a read-only cache costs only time. Models whose tokenizer has no file to identify it by are not cached.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from importlib.util import find_spec
from pathlib import Path
from typing import TYPE_CHECKING, Any

from evaluators.dataset_cache import MAX_BYTES, doc_row, file_stats, write_text_atomic
from evaluators.types import Dataset, Doc

if TYPE_CHECKING:
    from evaluators.ingest.model_chunking import View

FORMAT = 1
_CODE = ("model_chunking.py", "chunking.py", "queries.py", "views.py", "view_cache.py",
         "../checks/tokenizer_fit.py")
"""What decides a cut besides its inputs: the cutter, the regex chunker, answer labels, tokenizer loading."""


def tokenizer_key(mref: Any) -> str | None:
    """What identifies `mref`'s chunk tokenizer without loading it, or None (nothing to identify it by)."""
    from evaluators.ingest.model_chunking import hf_source

    spec = mref.spec
    encoding = getattr(spec, "tiktoken_encoding", None)
    if encoding:
        lib = package_stamp("tiktoken")
        return f"tiktoken:{encoding}:{lib}" if lib else None
    if mref.kind == "api" or not (mref.path or getattr(spec, "hf_id", None)):
        return None
    source = hf_source(mref)
    file = tokenizer_json(source)
    try:
        digest = hashlib.sha256(file.read_bytes()).hexdigest() if file else None
    except OSError:
        return None
    lib = package_stamp("tokenizers")  # the library that encodes: another version may cut differently
    return f"hf:{getattr(spec, 'id', None) or source}:{lib}:{digest}" if digest and lib else None


def tokenizer_json(source: str | Path) -> Path | None:
    """The tokenizer.json file load_hf_tokenizer reads for `source` (a model folder, the file itself, or an HF
    id already in the local cache), or None (then it falls back to transformers' AutoTokenizer)."""
    path = Path(source)
    file = path / "tokenizer.json" if path.is_dir() else path
    if not file.is_file() and not path.exists():
        file = _cached_tokenizer_json(str(source)) or file
    return file if file.is_file() else None


def _cached_tokenizer_json(hf_id: str) -> Path | None:
    try:
        from huggingface_hub import try_to_load_from_cache
    except ImportError:
        return None
    found = try_to_load_from_cache(hf_id, "tokenizer.json")
    return Path(found) if isinstance(found, str) else None


def package_stamp(name: str) -> str | None:
    """A short hash of an installed package's files (path, size, mtime): changes when it is upgraded. Read
    from the file system: importlib.metadata costs ~0.3 s to import on a loaded machine, more than a hit."""
    spec = find_spec(name)
    folders = spec.submodule_search_locations if spec else None
    origin = spec.origin if spec and spec.has_location else None
    where = Path(list(folders)[0]) if folders else Path(origin) if origin else None  # a package, or one file
    if where is None:
        return None
    stats = json.dumps(file_stats(where))
    return hashlib.sha256(stats.encode("utf-8")).hexdigest()[:16]


def dataset_key(ds: Dataset) -> str:
    """A hash of what a cut reads from the dataset (not where it was loaded from). Texts are joined with
    control characters rather than JSON-encoded: half the time on the documents, which are most of it."""
    h = hashlib.sha256()
    for group in (ds.documents, ds.corpus):
        rows = ("\x1f".join((d.id, d.text, d.title, d.source, d.parent_id or "\x00")) for d in group)
        h.update("\x1e".join(rows).encode("utf-8", "surrogatepass") + b"\x1d")
    info = {k: ds.info.get(k) for k in ("chunk_tokens", "chunk_overlap", "relevance")}
    queries = [[q.id, q.text, q.answer, list(q.answers)] for q in ds.queries]
    rest = [queries, ds.qrels, ds.qrels_level, info]
    text = json.dumps(rest, sort_keys=True, default=str, ensure_ascii=False)
    h.update(text.encode("utf-8", "surrogatepass"))
    return h.hexdigest()


def cached_view(cache_dir: Path | None, key: dict[str, Any], build: Callable[[], tuple[View, bool]]) -> View:
    """`build()` -> (cut, keep) once per key (see the module docstring); later calls read the stored cut.
    No cache dir: nothing is read or written."""
    if cache_dir is None:
        return build()[0]
    file = Path(cache_dir) / "chunk_views" / f"{_hash(key)}.json"
    stored = _read(file)
    if stored is not None:
        return stored
    view, keep = build()
    if keep:
        _write(file, view)
    return view


def _hash(key: dict[str, Any]) -> str:
    here = Path(__file__).parent
    code = [(name, *file_stats(here / name)[0][1:]) for name in _CODE if (here / name).is_file()]
    raw = json.dumps({"format": FORMAT, "key": key, "code": code}, sort_keys=True, default=str)
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:32]


def _to_json(view: View) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "units": [doc_row(u) for u in view.units],
        "qrels": view.qrels,
        "qrels_level": view.qrels_level,
        "info": view.info,
        "size": view.size,
    }


def _from_json(data: dict[str, Any]) -> View:
    from evaluators.ingest.model_chunking import View

    units = tuple(Doc(i, t, ti, s, p) for i, t, ti, s, p in data["units"])
    return View(units, data["qrels"], data["qrels_level"], data["info"], data["size"])


def _read(file: Path) -> View | None:
    try:
        data = json.loads(file.read_text("utf-8"))
        return _from_json(data) if data.get("format") == FORMAT else None
    except (OSError, ValueError, KeyError, TypeError):
        return None  # missing or damaged: cut again


def _write(file: Path, view: View) -> None:
    text = json.dumps(_to_json(view), ensure_ascii=False)
    if len(text) > MAX_BYTES or _from_json(json.loads(text)) != view:
        return  # too big, or something in it would not come back the same
    write_text_atomic(file, text)
