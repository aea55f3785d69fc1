"""A BM25 run (every query's top-k over the chunks, with the cost measured when it ran) kept under
`<cache dir>/bm25_runs/`, so a cached re-run ranks without building an index: it never imports bm25s, which
pulls numba and scipy (~0.65 s of a ~1.3 s re-run's imports on a 2-core AMD EPYC; issue 18).

The key covers what decides the ranking: the chunk texts and query texts, the depth, the installed bm25s,
PyStemmer and jieba (a stamp of their files' paths, sizes and mtimes), and the size and mtime of the BM25
code. A row read back reports the cost measured when the run was made (`perf_source` says so, as a dense row
over cached vectors does). A missing or damaged file runs BM25 again; a read-only cache costs only time.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from evaluators.dataset_cache import file_stats, write_bytes_atomic
from evaluators.ingest.view_cache import package_stamp

FORMAT = 1
FOLDER = "bm25_runs"
_CODE = ("bm25.py", "bm25_cache.py", "search.py")
"""What decides a ranking besides its inputs: the tokenizer and scorer, this file, the tie rule of top-k."""
_LIBRARIES = ("bm25s", "Stemmer", "jieba")
CACHED_SOURCE = "BM25 run cache: ranking, speed and memory as measured when it ran"


def run_key(texts: Sequence[str], queries: Sequence[str], depth: int) -> str:
    """A hash of everything that decides a BM25 ranking (see the module docstring)."""
    h = hashlib.sha256()
    for group in (texts, queries):  # control characters cannot appear in a way that makes two lists collide
        h.update(f"{len(group)}\x1d".encode())
        h.update("\x1e".join(group).encode("utf-8", "surrogatepass") + b"\x1d")
    here = Path(__file__).parent
    code = [(name, *file_stats(here / name)[0][1:]) for name in _CODE if (here / name).is_file()]
    libs = {name: package_stamp(name) for name in _LIBRARIES}
    h.update(json.dumps({"format": FORMAT, "depth": depth, "code": code, "libs": libs}).encode())
    return h.hexdigest()[:32]


class StoredRun:
    """One key's file: `read()` gives (idx, val, perf, details) or None; `write_meta` (called by the row
    once its peak memory is known, as for an embeddings cache) stores the ranking with its cost."""

    def __init__(self, cache_dir: str | os.PathLike[str], key: str) -> None:
        self.file = Path(cache_dir) / FOLDER / f"{key}.npz"
        self.ranking: tuple[np.ndarray, np.ndarray] | None = None
        """Set by the run that measured it, for `write_meta`."""

    def read(self) -> tuple[np.ndarray, np.ndarray, dict[str, float], dict[str, Any]] | None:
        try:
            with np.load(self.file, allow_pickle=False) as z:
                meta = json.loads(bytes(z["meta"]).decode("utf-8"))
                idx, val = z["idx"], z["val"]
            if meta.get("format") != FORMAT or idx.shape != val.shape:
                return None
            perf = {k: float(v) for k, v in meta["perf"].items() if k != "process_peak_mb"}  # not this run's
            details = {**meta["details"], "perf_source": CACHED_SOURCE}
            details["measured_at"] = meta.get("measured_at")
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return None  # missing or damaged: run BM25 again
        return idx, val, perf, details

    def write_meta(self, meta: dict[str, Any]) -> None:
        if self.ranking is None:
            return
        idx, val = self.ranking
        perf = {k: v for k, v in meta.items() if isinstance(v, (int, float)) and not isinstance(v, bool)}
        info = {"format": FORMAT, "perf": perf, "details": meta.get("details", {}),
                "measured_at": meta.get("measured_at")}  # fmt: skip
        blob = np.frombuffer(json.dumps(info, default=str).encode("utf-8"), dtype=np.uint8)
        buffer = io.BytesIO()
        np.savez(buffer, idx=idx, val=val, meta=blob)
        write_bytes_atomic(self.file, buffer.getvalue())
