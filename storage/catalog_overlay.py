"""The catalog and evidence overlays written by `embedscout catalog refresh`: atomic write, tolerant read.

Lives in storage because only storage knows file locations (`config_dir()/catalog_overlay.json`). The
shipped catalog stays the fallback: a missing or unreadable overlay means "use the shipped numbers".
"""

from __future__ import annotations

import json
import os
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Any

from catalog.evidence_data import TaskScores
from catalog.models import ModelSpec
from storage.paths import config_dir

FILENAME = "catalog_overlay.json"


def overlay_path() -> Path:
    return config_dir() / FILENAME


def read_overlay(path: Path | None = None) -> dict[str, Any] | None:
    """The overlay document, or None when absent or unreadable (never raises: the shipped catalog wins)."""
    target = path or overlay_path()
    try:
        data = json.loads(target.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("models"), dict):
        return None
    return data


def _atomic_write(target: Path, text: str) -> Path:
    """Write a temp file in the same folder, then os.replace: readers see the old or the new file, whole."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def write_overlay(overlay: dict[str, Any], path: Path | None = None) -> Path:
    return _atomic_write(path or overlay_path(), json.dumps(overlay, indent=1, sort_keys=True))


def catalog_with_overlay(path: Path | None = None) -> tuple[ModelSpec, ...]:
    """The shipped catalog with the refresh overlay applied; the shipped catalog alone if the overlay is
    missing or no longer validates (e.g. after an upgrade changed the schema)."""
    from catalog.load import CatalogError, load_catalog
    from catalog.refresh import to_catalog_overlay

    base = load_catalog()
    overlay = read_overlay(path)
    if not overlay:
        return base
    try:
        return load_catalog(overlay=to_catalog_overlay(overlay, base))
    except CatalogError:
        return base


@lru_cache(maxsize=1)
def _shipped_version() -> str:
    """The packaged catalog's version: it cannot change while the process runs, and parsing the TOML for it
    on every re-rank (each TUI answer) would cost more than the ranking."""
    from catalog.load import catalog_version

    return catalog_version()


def effective_catalog_version(path: Path | None = None) -> str:
    """catalog_version() plus the overlay's timestamp when one applies, for saved recommendations."""
    overlay = read_overlay(path)
    base = _shipped_version()
    version = f"{base}+overlay:{overlay.get('generated', '?')}" if overlay else base
    evidence = effective_task_scores() if path is None else None
    if evidence is not None and evidence.sources.get("generated"):
        version += f"+evidence:{evidence.sources['generated']}"
    return version


EVIDENCE_FILENAME = "task_scores_overlay.json"
"""The evidence table recomputed by `catalog refresh` (same format as catalog/data/task_scores.json)."""


def evidence_overlay_path() -> Path:
    return config_dir() / EVIDENCE_FILENAME


def write_evidence_overlay(table: TaskScores, path: Path | None = None) -> Path:
    """Atomic write of a refreshed evidence table (same format as the shipped one)."""
    from catalog.evidence_data import dumps

    return _atomic_write(path or evidence_overlay_path(), dumps(table))


@lru_cache(maxsize=4)
def _read_evidence(path: Path, mtime_ns: int) -> TaskScores | None:
    from catalog.evidence_data import read_task_scores

    try:
        return read_task_scores(path)
    except (OSError, ValueError):
        return None


def effective_task_scores(path: Path | None = None) -> TaskScores:
    """The refreshed evidence table when one is present and parses, else the shipped one (parsed once per
    process and file version, so re-ranking on every TUI answer never re-reads it)."""
    from catalog.evidence_data import load_task_scores

    target = path or evidence_overlay_path()
    try:
        mtime = target.stat().st_mtime_ns
    except OSError:
        return load_task_scores()
    return _read_evidence(target, mtime) or load_task_scores()
