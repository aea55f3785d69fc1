"""A model's size/quality trade-off table (evaluators.tradeoffs) kept in the cache folder, so a re-run on
cached vectors does not re-score every setting again.

The key hashes everything the table is computed from: the query and passage vectors themselves (which covers
the model, its engine and precision, its prompts and the chunks it encoded), how a ranking is scored (query
ids, relevance labels, the units and their parent documents), the table's options, and the size and mtime of
the code that computes it; any change computes the table afresh. A damaged or unwritable file only costs time.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

FORMAT = 1
_CODE = ("tradeoffs.py", "stats.py", "metrics.py", "search.py", "trial_rows.py", "tradeoff_cache.py")
"""evaluators/ modules whose change can change a table (scoring, statistics, ranking)."""


def table_key(queries: np.ndarray, docs: np.ndarray, scoring: Any, options: dict[str, Any]) -> str:
    """A digest of the vectors, the scoring inputs (JSON-ready) and the options."""
    h = hashlib.sha256()
    for arr in (queries, docs):
        a = np.ascontiguousarray(arr, dtype=np.float32)
        h.update(repr(a.shape).encode())
        h.update(a.tobytes())
    here = Path(__file__).parent
    code = [(name, *_stat(here / name)) for name in _CODE]
    meta = {"format": FORMAT, "scoring": scoring, "options": options, "code": code}
    h.update(json.dumps(meta, sort_keys=True, default=str).encode("utf-8"))
    return h.hexdigest()[:32]


def cached_table(
    cache_dir: Path | None, key: str, compute: Callable[[], dict[str, Any]]
) -> dict[str, Any]:
    """The stored table for `key` ("cached": True, "seconds": this look-up), else `compute()` stored."""
    if cache_dir is None:
        return compute()
    started = time.perf_counter()
    file = Path(cache_dir) / "tradeoffs" / f"{key}.json"
    stored = _read(file)
    if stored is not None:
        return {**stored, "cached": True, "seconds": round(time.perf_counter() - started, 3)}
    table = compute()
    _write(file, table)
    return table


def _stat(path: Path) -> tuple[int, int]:
    try:
        st = path.stat()
    except OSError:
        return (-1, -1)
    return (st.st_size, st.st_mtime_ns)


def _read(file: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(file.read_text("utf-8"))
    except (OSError, ValueError):
        return None  # missing or damaged: compute again
    if not isinstance(data, dict) or data.get("format") != FORMAT or not isinstance(data.get("table"), dict):
        return None
    table: dict[str, Any] = data["table"]
    return table


def _write(file: Path, table: dict[str, Any]) -> None:
    tmp = file.with_name(f".{file.name}.{os.getpid()}.tmp")
    try:
        file.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(json.dumps({"format": FORMAT, "table": table}), encoding="utf-8")
        os.replace(tmp, file)  # readers never see half a file
    except (OSError, TypeError, ValueError):  # read-only cache, or a value JSON cannot hold: compute again
        tmp.unlink(missing_ok=True)
