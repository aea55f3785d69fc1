"""scripts/fact_coverage.py: how each catalog fact is sourced (own card/config, ModelMeta confirmed by one,
ModelMeta only, unknown); catalog/SOURCES.md carries exactly the table it prints for the shipped catalog."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]
LABEL = "mteb ModelMeta @a905523 (mteb/models/model_implementations/x.py)"
KINDS_WINDOW = ("max_tokens", "unbounded_context")


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("fact_coverage", ROOT / "scripts" / "fact_coverage.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (LABEL, "meta"),
        (f"18 languages listed in {LABEL}", "meta"),
        (f"largest of the embed_dim list in {LABEL}", "meta"),
        (f"derived from licence 'mit' ({LABEL})", "meta"),
        (f"derived from licence 'mit' (source: {LABEL})", "meta"),
        ("mteb ModelMeta @a905523 exact count, consistent with the card's 'Model Size: 0.5B'", "confirmed"),
        ("derived from licence 'mit' (source: huggingface.co/x/y page header 'License: mit')", "own"),
        ("huggingface.co/x/y sentence_bert_config.json max_seq_length=512", "own"),
    ],
)
def test_sources_are_classified_by_where_the_value_comes_from(source: str, expected: str) -> None:
    entry = {"id": "x/y", "dims": 1, "fact_sources": {"dims": source}}
    assert _script().classify(entry, ("dims",)) == expected


def test_a_missing_or_unsourced_value_is_unknown() -> None:
    entry = {"id": "x/y", "fact_sources": {"dims": "unknown: the projection size was not found"}}
    assert _script().classify(entry, ("dims",)) == "unknown"
    static = {"id": "x/y", "unbounded_context": True, "fact_sources": {"unbounded_context": "card: no limit"}}
    assert _script().classify(static, KINDS_WINDOW) == "own"
    assert _script().classify({"id": "x/y", "dims": 3, "fact_sources": {}}, ("dims",)) == "unknown"


def test_sources_md_carries_the_table_of_the_shipped_catalog() -> None:
    """The counts in catalog/SOURCES.md are reproducible: the script prints the same table."""
    script = str(ROOT / "scripts" / "fact_coverage.py")
    done = subprocess.run([sys.executable, script], capture_output=True, text=True, check=True)
    table = done.stdout.strip()
    assert table.startswith("| fact | own source |") and table.count("\n") == 9
    assert table in (ROOT / "catalog" / "SOURCES.md").read_text(encoding="utf-8")


def test_list_names_the_models_of_one_cell_and_rejects_a_bad_cell() -> None:
    script = str(ROOT / "scripts" / "fact_coverage.py")
    done = subprocess.run([sys.executable, script, "--list", "dims:own"], capture_output=True, text=True)
    assert done.returncode == 0 and "BAAI/bge-m3" in done.stdout.split()
    bad = subprocess.run([sys.executable, script, "--list", "dims:maybe"], capture_output=True, text=True)
    assert bad.returncode == 2 and "KIND:CLASS" in bad.stderr
