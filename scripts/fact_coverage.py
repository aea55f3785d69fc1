"""How well the catalog's facts are sourced: per fact kind, how many models have it from their own card or
config (or the vendor's docs), from mteb ModelMeta confirmed by such a source, from ModelMeta only, or not
at all.

    python scripts/fact_coverage.py [catalog/data/models.toml] [--list KIND:CLASS]

The counts table in catalog/SOURCES.md is this script's output; `--list dims:meta` names a cell's models.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent
KINDS: dict[str, tuple[str, ...]] = {
    "dims": ("dims",),
    "window": ("max_tokens", "unbounded_context"),
    "params": ("n_parameters",),
    "languages": ("languages",),
    "multilingual": ("multilingual",),
    "license": ("license",),
    "commercial_use": ("commercial_use",),
}
CLASSES = ("own", "confirmed", "meta", "unknown")
_LABEL = r"mteb ModelMeta @\w+ \([^)]*\)"
_META_ONLY = re.compile(
    rf"^({_LABEL}|\d+ languages listed in {_LABEL}|largest of the embed_dim list in {_LABEL})$"
)
_DERIVED = re.compile(
    r"^derived(?: from licence '[^']*'|: a single language \([^)]*\)) \((?:source: )?(.*)\)$"
)


def classify(entry: Mapping[str, Any], keys: tuple[str, ...]) -> str:
    """'unknown' (no value), 'meta' (ModelMeta's value, labelled as such), 'confirmed' (ModelMeta's value
    that an own source agrees with) or 'own' (the model's card/config or the vendor's docs)."""
    key = next((k for k in keys if k in entry), None)
    if key is None:
        return "unknown"
    source = str((entry.get("fact_sources") or {}).get(key, ""))
    return _source_class(source) if source else "unknown"  # the catalog states no fact without its source


def _source_class(source: str) -> str:
    derived = _DERIVED.match(source)
    if derived:  # a derived fact is as good as the source of the fact it follows from
        return _source_class(derived.group(1))
    if _META_ONLY.match(source):
        return "meta"
    return "confirmed" if source.startswith("mteb ModelMeta") else "own"


def coverage(models: list[Mapping[str, Any]]) -> dict[str, dict[str, list[str]]]:
    """{kind: {class: [model ids]}} for every fact kind and class."""
    out: dict[str, dict[str, list[str]]] = {k: {c: [] for c in CLASSES} for k in KINDS}
    for entry in models:
        for kind, keys in KINDS.items():
            out[kind][classify(entry, keys)].append(str(entry["id"]))
    return out


def table(cov: Mapping[str, Mapping[str, list[str]]]) -> str:
    """The Markdown table SOURCES.md carries."""
    head = "| fact | own source | ModelMeta confirmed by own source | ModelMeta only | unknown |"
    lines = [head, "|---|---|---|---|---|"]
    totals = dict.fromkeys(CLASSES, 0)
    for kind, cells in cov.items():
        lines.append(f"| {kind} | " + " | ".join(str(len(cells[c])) for c in CLASSES) + " |")
        for c in CLASSES:
            totals[c] += len(cells[c])
    lines.append("| **all** | " + " | ".join(f"**{totals[c]}**" for c in CLASSES) + " |")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("catalog", nargs="?", type=Path, default=ROOT / "catalog" / "data" / "models.toml")
    parser.add_argument("--list", metavar="KIND:CLASS", help="print one cell's model ids, e.g. window:meta")
    args = parser.parse_args(argv)
    cov = coverage(tomllib.loads(args.catalog.read_text(encoding="utf-8"))["model"])
    if args.list:
        kind, _, cls = args.list.partition(":")
        if kind not in KINDS or cls not in CLASSES:
            kinds, classes = ", ".join(KINDS), ", ".join(CLASSES)
            parser.error(f"--list takes KIND:CLASS with KIND in {kinds} and CLASS in {classes}")
        print("\n".join(cov[kind][cls]))
        return 0
    print(table(cov))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
