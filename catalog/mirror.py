"""The shipped catalog file decoded once into a JSON mirror (catalog/data/models.json), read at start-up.

Python's tomllib takes ~110 ms on the 340 kB catalog on a 2-core AMD EPYC; json.loads of the same data 5 ms,
a fifth of a cached re-run's 0.4 s budget (issue 18). The mirror stores the SHA-256 of the TOML bytes it was
made from: a mirror that does not match (the TOML edited, the mirror not rebuilt) is ignored and the TOML
parsed, so the TOML stays the one source of truth. Rebuild with `python -m catalog.mirror`;
tests/unit/test_catalog_mirror.py fails while the shipped mirror is stale.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

MIRROR = Path(__file__).resolve().parent / "data" / "models.json"
SOURCE = MIRROR.with_name("models.toml")


def digest(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def read_mirror(raw: bytes, mirror: Path = MIRROR) -> dict[str, Any] | None:
    """The decoded catalog if `mirror` was made from exactly these TOML bytes, else None."""
    try:
        stored = json.loads(mirror.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(stored, dict) or stored.get("source_sha256") != digest(raw):
        return None
    data = stored.get("data")
    return data if isinstance(data, dict) else None


def mirror_text(raw: bytes, data: dict[str, Any]) -> str:
    """The mirror file for TOML bytes `raw` decoded as `data`."""
    return json.dumps({"source_sha256": digest(raw), "data": data}, ensure_ascii=False) + "\n"


def write_mirror(source: Path = SOURCE, mirror: Path = MIRROR) -> Path:
    """Decode `source` with tomllib and write its mirror; refuses data JSON would not give back unchanged."""
    from catalog.load import tomllib  # tomli on 3.10

    raw = source.read_bytes()
    data = tomllib.loads(raw.decode("utf-8"))
    fail = ValueError(f"{source}: holds values JSON cannot keep (TOML dates or times); write them as strings")
    try:
        text = mirror_text(raw, data)
    except TypeError:
        raise fail from None
    if json.loads(text)["data"] != data:
        raise fail
    mirror.write_text(text, encoding="utf-8")
    return mirror


if __name__ == "__main__":
    print(f"wrote {write_mirror()}")
