"""The shipped catalog's JSON mirror (catalog/mirror.py): in step with the TOML, and ignored when not."""

from __future__ import annotations

from pathlib import Path

import pytest
import tomllib

from catalog import mirror
from catalog.load import load_catalog, parse_catalog


def test_shipped_mirror_is_in_step_with_the_toml() -> None:
    raw = mirror.SOURCE.read_bytes()
    data = mirror.read_mirror(raw)
    assert data is not None, "catalog/data/models.json is stale: run `python -m catalog.mirror`"
    assert data == tomllib.loads(raw.decode("utf-8"))
    assert load_catalog() == parse_catalog(tomllib.loads(raw.decode("utf-8")))


def test_a_mirror_of_other_bytes_is_ignored(tmp_path: Path) -> None:
    source = tmp_path / "models.toml"
    source.write_text('snapshot = "2026-01-01"\n[[model]]\nid = "a"\n', encoding="utf-8")
    out = mirror.write_mirror(source, tmp_path / "models.json")
    assert mirror.read_mirror(source.read_bytes(), out) == {"snapshot": "2026-01-01", "model": [{"id": "a"}]}
    edited = source.read_bytes().replace(b"2026-01-01", b"2026-02-02")
    assert mirror.read_mirror(edited, out) is None  # the TOML changed: parse it, not the stale mirror
    out.write_text("{not json", encoding="utf-8")
    assert mirror.read_mirror(source.read_bytes(), out) is None
    assert mirror.read_mirror(source.read_bytes(), tmp_path / "missing.json") is None


def test_toml_values_json_cannot_keep_are_refused(tmp_path: Path) -> None:
    source = tmp_path / "models.toml"
    source.write_text("released = 2026-01-01\n", encoding="utf-8")  # a TOML date, not a string
    with pytest.raises(ValueError, match="TOML dates"):
        mirror.write_mirror(source, tmp_path / "models.json")
    assert not (tmp_path / "models.json").exists()
