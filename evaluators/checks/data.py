"""Inputs for the checks: parallel pairs (TSV) and labelled probe sets (JSON), built-in or the user's own.

Built-in files live in `evaluators/data/checks/` (sources and licences in its README.md) and are read through
importlib.resources, so they work from an installed wheel. Bad user files raise `CheckError` with one line.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from evaluators.checks._common import CheckError

BUILTIN_PAIRS = "pairs_en_zh.tsv"
_LANG_CODE = re.compile(r"[a-z]{2,3}(?:[-_][A-Za-z]{2,4})?|src|tgt|source|target")
PAIRS_SOURCE = "Tatoeba en-zh, 150 pairs (CC BY 2.0 FR, Tatoeba contributors)"


@dataclass(frozen=True)
class Probe:
    term: str
    senses: dict[str, tuple[str, ...]]
    """sense label -> related items."""
    unrelated: tuple[str, ...]

    @property
    def related(self) -> tuple[str, ...]:
        return tuple(item for items in self.senses.values() for item in items)


@dataclass(frozen=True)
class ProbeSet:
    language: str
    probes: tuple[Probe, ...]
    source: str = ""
    labels: str = "labelled"
    """'labelled' (hand-made senses) or 'mined' (lexical labels from the user's corpus)."""
    info: dict[str, Any] = field(default_factory=dict)


def _builtin_text(name: str) -> str:
    return (
        resources.files("evaluators")
        .joinpath("data")
        .joinpath("checks")
        .joinpath(name)
        .read_text(encoding="utf-8")
    )


@dataclass(frozen=True)
class Pairs:
    pairs: tuple[tuple[str, str], ...]
    source: str
    langs: tuple[str, str] = ("src", "tgt")
    """From the header line when it names languages (e.g. 'en<TAB>zh')."""


def load_pairs(path: str | Path | None = None, *, limit: int | None = None) -> Pairs:
    """Parallel pairs from a two-column TSV; a first line of short codes (e.g. 'en<TAB>zh') is a header."""
    if path is None:
        text, source = _builtin_text(BUILTIN_PAIRS), PAIRS_SOURCE
    else:
        try:
            text, source = Path(path).read_text(encoding="utf-8-sig"), str(path)
        except (OSError, UnicodeDecodeError) as exc:
            raise CheckError(f"cannot read pairs file {path}: {exc}") from exc
    rows = [r for r in csv.reader(io.StringIO(text), delimiter="\t", quoting=csv.QUOTE_NONE) if any(r)]
    langs = ("src", "tgt")
    if rows and len(rows[0]) >= 2 and all(_LANG_CODE.fullmatch(c.strip()) for c in rows[0][:2]):
        langs, rows = (rows[0][0].strip(), rows[0][1].strip()), rows[1:]
    pairs: list[tuple[str, str]] = []
    for i, row in enumerate(rows, start=1):
        if len(row) < 2 or not row[0].strip() or not row[1].strip():
            raise CheckError(f"pairs file {source}: row {i} needs two non-empty tab-separated columns")
        pairs.append((row[0].strip(), row[1].strip()))
    if len(pairs) < 2:
        raise CheckError(f"pairs file {source}: need at least 2 pairs, found {len(pairs)}")
    return Pairs(tuple(pairs[:limit] if limit else pairs), source, langs)


def load_probes(path: str | Path | None = None, *, language: str = "en") -> ProbeSet:
    """A probe set: the built-in one for `language` ('en' | 'zh'), or the user's JSON file."""
    if path is None:
        if language not in ("en", "zh"):
            raise CheckError(f"no built-in probe set for language '{language}' (have: en, zh)")
        name = f"probes_{language}.json"
        return parse_probes(json.loads(_builtin_text(name)), source=f"built-in {name}")
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CheckError(f"cannot read probes file {path}: {exc}") from exc
    return parse_probes(data, source=str(path))


def parse_probes(data: Any, *, source: str) -> ProbeSet:
    """Validate {"language", "probes": [{"term", "senses": {label: [items]}, "unrelated": [items]}]}."""
    if isinstance(data, list):
        data = {"probes": data}
    if not isinstance(data, dict) or not isinstance(data.get("probes"), list) or not data["probes"]:
        raise CheckError(f"probes {source}: expected an object with a non-empty 'probes' list")
    probes = []
    for i, p in enumerate(data["probes"], start=1):
        senses = p.get("senses") if isinstance(p, dict) else None
        if isinstance(p, dict) and senses is None and isinstance(p.get("related"), list):
            senses = {"related": p["related"]}
        ok = isinstance(p, dict) and isinstance(p.get("term"), str) and isinstance(senses, dict)
        unrelated = p.get("unrelated") if ok else None
        if (
            not isinstance(senses, dict)
            or not ok
            or not isinstance(unrelated, list)
            or not unrelated
            or not any(senses.values())
        ):
            raise CheckError(
                f"probes {source}: probe {i} needs 'term', 'senses' (or 'related') and 'unrelated'"
            )
        probes.append(
            Probe(
                p["term"], {str(k): tuple(map(str, v)) for k, v in senses.items()}, tuple(map(str, unrelated))
            )
        )
    return ProbeSet(str(data.get("language", "")), tuple(probes), source=source)
