"""Merge hand-curated, sourced facts (catalog/data/facts.toml) with mteb ModelMeta into catalog entries.

Pure functions used by scripts/build_catalog.py. The curated value wins wherever one exists; a ModelMeta
value is used only where the curated file says nothing, and its source says so ("mteb ModelMeta @<commit>").
A curated source starting with 'unknown' drops the ModelMeta value: the fact stays unknown, never guessed.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any

from catalog.languages import ISO3_TO_1

PROGRAMMING = {"go", "java", "javascript", "php", "python", "ruby"}
COMMERCIAL = {
    "apache-2.0": True, "mit": True, "bsd-3-clause": True, "cc-by-4.0": True, "cc-by-sa-4.0": True,
    "gemma": True, "cc-by-nc-4.0": False, "cc-by-nc-sa-4.0": False,
}  # fmt: skip
"""Licence -> whether it permits commercial use (Gemma: under the Gemma terms of use)."""
MULTILINGUAL_MIN = 10
"""A model listing this many languages counts as multilingual."""

META_FIELDS = ("dims", "matryoshka_dims", "max_tokens", "unbounded_context", "n_parameters", "memory_mb",
               "languages",
               "multilingual", "license", "commercial_use", "release_date", "modalities")  # fmt: skip
"""Fields a ModelMeta may supply when the curated file is silent."""


def meta_languages(iso: list[str] | None) -> tuple[list[str], list[str]]:
    """mteb 'cmn-Hans' style codes -> (ISO 639-1 natural languages, programming languages)."""
    langs: list[str] = []
    code: list[str] = []
    for tag in iso or []:
        base = tag.split("-")[0]
        if base in PROGRAMMING:
            code.append(base)
            continue
        lang = ISO3_TO_1.get(base, base)
        if lang not in langs:
            langs.append(lang)
    return langs, code


def meta_facts(meta: Mapping[str, Any], label: str) -> tuple[dict[str, Any], dict[str, str], list[str]]:
    """One ModelMeta (as a plain dict) -> (values, sources, notes); every source is `label` (+ derivation)."""
    values: dict[str, Any] = {}
    max_tokens = meta.get("max_tokens")
    if isinstance(max_tokens, (int, float)) and math.isinf(max_tokens) or max_tokens == "inf":
        values["unbounded_context"] = True
    elif isinstance(max_tokens, (int, float)) and max_tokens > 0:
        values["max_tokens"] = int(max_tokens)
    if isinstance(meta.get("n_parameters"), int) and meta["n_parameters"] > 0:
        values["n_parameters"] = meta["n_parameters"]
    dims = meta.get("embed_dim")
    if isinstance(dims, int) and dims > 0:
        values["dims"] = dims
    elif isinstance(dims, list) and dims and all(isinstance(d, int) and d > 0 for d in dims):
        values["dims"], values["matryoshka_dims"] = (
            max(dims),
            sorted(dims),
        )  # several sizes: the largest is native
    if isinstance(meta.get("memory_usage_mb"), (int, float)) and meta["memory_usage_mb"] > 0:
        values["memory_mb"] = float(meta["memory_usage_mb"])
    if meta.get("release_date"):
        values["release_date"] = str(meta["release_date"])
    if meta.get("modalities"):
        values["modalities"] = sorted(meta["modalities"])
    langs, code = meta_languages(meta.get("languages"))
    if langs:
        values["languages"] = langs
        if len(langs) >= MULTILINGUAL_MIN:
            values["multilingual"] = True
    sources = {k: label for k in values}
    licence = meta.get("license")
    if isinstance(licence, str) and licence and "://" not in licence and licence != "not specified":
        values["license"], sources["license"] = licence, label
        if licence in COMMERCIAL:
            values["commercial_use"] = COMMERCIAL[licence]
            sources["commercial_use"] = f"derived from licence {licence!r} ({label})"
    if "multilingual" in values:
        sources["multilingual"] = f"{len(langs)} languages listed in {label}"
    notes = ["Programming languages listed by mteb: " + ", ".join(code)] if code else []
    return values, sources, notes


def merge(
    curated: Mapping[str, Any], meta: tuple[dict[str, Any], dict[str, str], list[str]] | None
) -> dict[str, Any]:
    """Curated entry (with its `fact_sources`) over the ModelMeta facts; 'unknown' sources drop a value."""
    sources: dict[str, str] = dict(curated.get("fact_sources") or {})
    entry = {k: v for k, v in curated.items() if k not in ("fact_sources", "mteb_name", "results_folder")}
    meta_values, meta_sources, meta_notes = meta or ({}, {}, [])
    for name in META_FIELDS:
        if name in entry or name not in meta_values:
            continue
        if name == "commercial_use" and "license" in entry:
            continue  # follows the curated licence (below), never ModelMeta's possibly different one
        if sources.get(name, "").casefold().startswith("unknown"):
            continue
        entry[name] = meta_values[name]
        sources[name] = meta_sources[name]
    _derive(entry, sources)
    if meta_notes:
        entry["notes"] = [*entry.get("notes", []), *meta_notes]
    entry["fact_sources"] = {k: sources[k] for k in sorted(sources)}
    return entry


def _derive(entry: dict[str, Any], sources: dict[str, str]) -> None:
    """Facts that follow from others: commercial use from the licence; 'not multilingual' from a single
    language stated by the model's own card (never from ModelMeta's list, which is often incomplete)."""
    licence = entry.get("license")
    if "commercial_use" not in entry and licence in COMMERCIAL and not _unknown(sources, "commercial_use"):
        entry["commercial_use"] = COMMERCIAL[licence]
        source = sources.get("license", "?")
        sources["commercial_use"] = f"derived from licence {licence!r} (source: {source})"
    langs, lang_source = entry.get("languages") or [], sources.get("languages", "")
    own = lang_source and not lang_source.startswith("mteb ModelMeta")
    if "multilingual" not in entry and not _unknown(sources, "multilingual") and len(langs) == 1 and own:
        entry["multilingual"] = False
        sources["multilingual"] = f"derived: a single language ({langs[0]}) (source: {lang_source})"


def _unknown(sources: Mapping[str, str], name: str) -> bool:
    return sources.get(name, "").casefold().startswith("unknown")


def _value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        if isinstance(v, float) and not math.isfinite(v):
            raise ValueError(f"not a finite number: {v!r}")
        return repr(v)
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, list | tuple):
        return "[" + ", ".join(_value(x) for x in v) + "]"
    raise TypeError(f"cannot write {type(v).__name__} to TOML")


def _key(name: str) -> str:
    return name if name.replace("_", "").replace("-", "").isalnum() else json.dumps(name)


def to_toml(models: list[dict[str, Any]], header: str) -> str:
    """Catalog entries -> the models.toml text (one [[model]] table each, then its sources and scores)."""
    lines = [header.rstrip("\n")]
    for m in models:
        lines.append("\n[[model]]")
        lines += [f"{k} = {_value(v)}" for k, v in m.items() if k not in ("scores", "fact_sources")]
        if m.get("fact_sources"):
            lines.append("[model.fact_sources]")
            lines += [f"{_key(k)} = {_value(v)}" for k, v in m["fact_sources"].items()]
        for bench, score in (m.get("scores") or {}).items():
            lines.append(f"[model.scores.{bench}]")
            lines += [f"{k} = {_value(v)}" for k, v in score.items() if v is not None]
    return "\n".join(lines) + "\n"
