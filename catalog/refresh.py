"""Recompute the catalog's MTEB means from per-task result files, diff them, and build the overlay (pure).

Follows ../shared/data/mteb/SOURCES.md: per-task score = mean of the task's main metric over every required
(split x hf_subset) row (missing if any row is absent or NaN); a benchmark mean only when every task has a
score; a retrieval mean only when every Retrieval task has one; x100, 2 decimals. No network here: the
fetch is evaluators.api.mteb_fetch, the overlay file lives in storage.catalog_overlay.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

from catalog.models import ModelSpec
from catalog.mteb_results import VersionKey, normalise_result, parse_version

LEGACY_REVISIONS = ("external", "no_revision_available")
MAX_PLAUSIBLE_CHANGE = 10.0
"""A benchmark mean moving more than this many points is treated as a broken source, not news."""
_LANG_ALIASES = {"eng": ("eng", "en"), "cmn": ("cmn", "zh"), "zho": ("zho", "zh")}

ResultFile = tuple[str, Mapping[str, Any]]
"""(revision folder, parsed result JSON)."""


@dataclass(frozen=True)
class TaskDef:
    name: str
    type: str
    splits: tuple[str, ...]
    n_subsets: int
    main_score: str
    subsets: tuple[str, ...] | None = None


@dataclass(frozen=True)
class BenchmarkDef:
    key: str
    label: str
    tasks: tuple[TaskDef, ...]
    languages: tuple[str, ...] | None = None


@lru_cache(maxsize=1)
def load_benchmarks() -> dict[str, BenchmarkDef]:
    """The six benchmarks' task lists (catalog/data/mteb_benchmarks.json, taken from SOURCES.md)."""
    raw = json.loads(resources.files("catalog").joinpath("data/mteb_benchmarks.json").read_text("utf-8"))
    out: dict[str, BenchmarkDef] = {}
    for key, b in raw["benchmarks"].items():
        tasks = tuple(
            TaskDef(
                t["name"],
                t["type"],
                tuple(t["splits"]),
                t["n_subsets"],
                t["main_score"],
                tuple(t["subsets"]) if t.get("subsets") else None,
            )
            for t in b["tasks"]
        )
        out[key] = BenchmarkDef(key, b["label"], tasks, tuple(b["languages"]) if b.get("languages") else None)
    return out


def known_revisions() -> dict[str, list[str]]:
    """Results folder -> revision folders in the shipped snapshot (probed when a source has no listing)."""
    raw = json.loads(resources.files("catalog").joinpath("data/mteb_benchmarks.json").read_text("utf-8"))
    return {str(k): [str(r) for r in v] for k, v in raw.get("result_revisions", {}).items()}


def _row_eligible(row: Mapping[str, Any], task: TaskDef, languages: tuple[str, ...] | None) -> bool:
    subset = str(row.get("hf_subset", "default"))
    if task.subsets is not None:
        return subset in task.subsets
    if languages is None:
        return True
    prefixes = {alias for lang in languages for alias in _LANG_ALIASES.get(lang, (lang,))}
    langs = row.get("languages")
    if isinstance(langs, list) and langs:
        return all(str(lang).split("-")[0] in prefixes for lang in langs)
    return subset == "default" or subset.split("-")[0] in prefixes


def task_score(
    task: TaskDef, result: Mapping[str, Any], languages: tuple[str, ...] | None = None
) -> float | None:
    """Percent score of one task from one result file, or None when any required row/metric is missing."""
    fraction = task_fraction(task, result, languages)
    return None if fraction is None else 100.0 * fraction


def task_fraction(
    task: TaskDef, result: Mapping[str, Any], languages: tuple[str, ...] | None = None
) -> float | None:
    """`task_score` as stored (0-1). Means are taken over these and scaled last, as the leaderboard does, so
    a mean like 26.674999 rounds to 26.67 there and here alike."""
    scores = normalise_result(result).get("scores")
    if not isinstance(scores, Mapping):
        return None
    rows_by_split = {
        s: [r for r in scores.get(s) or [] if isinstance(r, Mapping) and _row_eligible(r, task, languages)]
        for s in task.splits
    }
    chosen = {str(r.get("hf_subset", "default")) for rows in rows_by_split.values() for r in rows}
    if len(chosen) != task.n_subsets:
        return None
    values: list[float] = []
    for rows in rows_by_split.values():
        by_subset = {str(r.get("hf_subset", "default")): _main_value(r, task) for r in rows}
        for subset in chosen:
            value = by_subset.get(subset)
            if not isinstance(value, (int, float)) or isinstance(value, bool) or math.isnan(value):
                return None
            values.append(float(value))
    return sum(values) / len(values)


def _main_value(row: Mapping[str, Any], task: TaskDef) -> Any:
    """The row's stored `main_score`, as mteb's leaderboard reads it (files from older mteb versions store
    the main score of their day, e.g. `map` for rerankers); the current metric name only where it's absent."""
    return row["main_score"] if "main_score" in row else row.get(task.main_score)


def order_results(
    candidates: Iterable[ResultFile], main_revision: str | None = None
) -> list[tuple[str, Mapping[str, Any]]]:
    """mteb's join_revisions preference, best first (mteb@a905523 benchmark_results.py): files with scores
    only; then the main revision, a parsable mteb version, a named revision (not the legacy
    'external'/'no_revision_available' folders), in that order of weight; then the newest mteb version.
    Files come back normalised (catalog.mteb_results); ties keep their given order."""
    files = [(rev, normalise_result(raw)) for rev, raw in candidates]
    files = [f for f in files if f[1].get("scores")] or files

    def priority(item: tuple[str, Mapping[str, Any]]) -> tuple[int, VersionKey]:
        version = parse_version(item[1].get("mteb_version"))
        weight = 1000 * (item[0] == main_revision) + 100 * (version is not None)
        return weight + 10 * (item[0] not in LEGACY_REVISIONS), version or ((), 0, 0)

    return sorted(files, key=priority, reverse=True)


def pick_result(candidates: Iterable[ResultFile], main_revision: str | None = None) -> Mapping[str, Any]:
    """One result per (model, task), as mteb's join_revisions (see order_results)."""
    return order_results(candidates, main_revision)[0][1]


def benchmark_scores(
    bench: BenchmarkDef, files: Mapping[str, list[ResultFile]], main_revision: str | None = None
) -> dict[str, Any] | None:
    """Score fields for one model on one benchmark (catalog shape), or None when no task has a score."""
    per_task: dict[str, float | None] = {}
    for task in bench.tasks:
        candidates = files.get(task.name) or []
        result = pick_result(candidates, main_revision) if candidates else None
        per_task[task.name] = task_fraction(task, result, bench.languages) if result is not None else None
    have = [v for v in per_task.values() if v is not None]
    if not have:
        return None
    retrieval = [per_task[t.name] for t in bench.tasks if t.type == "Retrieval"]
    ret_have = [v for v in retrieval if v is not None]
    out: dict[str, Any] = {
        "mean": round(100 * sum(have) / len(have), 2) if len(have) == len(bench.tasks) else None,
        "retrieval_mean": round(100 * sum(ret_have) / len(ret_have), 2)
        if retrieval and len(ret_have) == len(retrieval)
        else None,
        "tasks_with_results": len(have),
        "tasks_total": len(bench.tasks),
        "retrieval_tasks_with_results": len(ret_have),
        "retrieval_tasks_total": len(retrieval),
    }
    if out["mean"] is None:
        out["mean_note"] = f"No full mean: {len(bench.tasks) - len(have)} task(s) lack results."
    return out if out["mean"] is not None or out["retrieval_mean"] is not None else None


def recompute(
    results: Mapping[str, Mapping[str, list[ResultFile]]],
    benchmarks: Mapping[str, BenchmarkDef] | None = None,
) -> dict[str, dict[str, dict[str, Any]]]:
    """{model id: {task name: [(revision, json)]}} -> {model id: {benchmark key: score fields}}."""
    benchmarks = benchmarks or load_benchmarks()
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for model_id, files in results.items():
        scores = {key: s for key, b in benchmarks.items() if (s := benchmark_scores(b, files)) is not None}
        if scores:
            out[model_id] = scores
    return out


def results_folder(spec: ModelSpec) -> str:
    """The model's folder in the results repo, from its score sources (else 'org__name' from the id)."""
    texts = [s.source for s in spec.scores.values()] + list(spec.sources)
    for text in texts:
        m = re.search(r"results/([^/\s]+)/", text or "")
        if m:
            return m.group(1)
    return spec.id.replace("/", "__")


def all_task_names(benchmarks: Mapping[str, BenchmarkDef] | None = None) -> set[str]:
    return {t.name for b in (benchmarks or load_benchmarks()).values() for t in b.tasks}


@dataclass
class ScoreChange:
    model: str
    benchmark: str
    field: str
    old: float | None
    new: float | None


@dataclass
class RefreshDiff:
    changed: list[ScoreChange] = field(default_factory=list)
    """Values that differ from the current catalog (old None = newly available)."""
    unchanged: int = 0
    kept: list[tuple[str, str]] = field(default_factory=list)
    """(model, benchmark) the catalog has but the refresh could not recompute: the current value stays."""
    new_models: list[str] = field(default_factory=list)
    """Results folders covering a benchmark's Retrieval tasks but not in the catalog (need curation)."""
    errors: list[str] = field(default_factory=list)
    """Validation failures: when non-empty the overlay must not be written."""

    @property
    def has_changes(self) -> bool:
        return bool(self.changed)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _score_dict(spec: ModelSpec, bench: str) -> dict[str, Any] | None:
    for key, score in spec.scores.items():
        if getattr(key, "value", key) == bench:
            return {k: v for k, v in asdict(score).items() if v is not None and v != ""}
    return None


def build_overlay(
    recomputed: Mapping[str, Mapping[str, dict[str, Any]]],
    models: Iterable[ModelSpec],
    *,
    generated: str,
    source: str,
) -> dict[str, Any]:
    """The overlay document: recomputed scores of catalog models only (new models need curation first).

    A benchmark whose recomputation lost a number the shipped catalog has (say, a legacy file format this
    recompute cannot read) is left out, so the shipped value stays: a refresh never turns a score into null.
    """
    by_id = {m.id: m for m in models}
    label = f"{source} (refreshed {generated}; recomputed as catalog/SOURCES.md)"
    entries: dict[str, Any] = {}
    for mid, scores in sorted(recomputed.items()):
        if mid not in by_id:
            continue
        keep = {}
        for bench, s in scores.items():
            shipped = _score_dict(by_id[mid], bench) or {}
            if any(shipped.get(f) is not None and s.get(f) is None for f in ("mean", "retrieval_mean")):
                continue
            keep[bench] = {**s, "source": label}
        if keep:
            entries[mid] = {"scores": keep}
    return {"generated": generated, "source": source, "models": entries}


def to_catalog_overlay(overlay: Mapping[str, Any] | None, base: Iterable[ModelSpec]) -> dict[str, Any]:
    """Our overlay -> load_catalog's {'model': [{'id', 'scores'}]}, merged over the shipped scores."""
    if not overlay:
        return {"model": []}
    by_id = {m.id: m for m in base}
    entries = []
    for mid, entry in (overlay.get("models") or {}).items():
        spec = by_id.get(mid)
        if spec is None:
            continue
        scores = {getattr(k, "value", k): _score_dict(spec, getattr(k, "value", k)) for k in spec.scores}
        scores.update(entry.get("scores") or {})
        entries.append({"id": mid, "scores": scores})
    return {"model": entries}


def new_model_folders(
    listing: Mapping[str, Iterable[str]],
    known_folders: Iterable[str],
    benchmarks: Mapping[str, BenchmarkDef] | None = None,
) -> list[str]:
    """Folders in the results listing not in the catalog whose files cover every Retrieval task of at
    least one benchmark (judged from file names only: no download)."""
    benchmarks = benchmarks or load_benchmarks()
    known = {f.casefold() for f in known_folders}
    wanted = [{t.name for t in b.tasks if t.type == "Retrieval"} for b in benchmarks.values()]
    found = []
    for folder, paths in listing.items():
        if folder.casefold() in known:
            continue
        tasks = {p.rsplit("/", 1)[-1].removesuffix(".json") for p in paths}
        if any(w and w <= tasks for w in wanted):
            found.append(folder)
    return sorted(found)


def _fields(spec: ModelSpec | None, bench: str) -> dict[str, Any]:
    return (_score_dict(spec, bench) or {}) if spec is not None else {}


def diff_catalog(
    current: Iterable[ModelSpec],
    proposed: Iterable[ModelSpec],
    overlay_models: Mapping[str, Mapping[str, Any]],
) -> RefreshDiff:
    """Changed means between the current effective catalog and the proposed one; what could not be redone."""
    diff = RefreshDiff()
    cur = {m.id: m for m in current}
    for spec in proposed:
        old_spec = cur.get(spec.id)
        benches = {getattr(k, "value", k) for k in spec.scores}
        benches |= {getattr(k, "value", k) for k in (old_spec.scores if old_spec else {})}
        for bench in sorted(benches):
            old, new = _fields(old_spec, bench), _fields(spec, bench)
            for name in ("mean", "retrieval_mean"):
                if old.get(name) != new.get(name):
                    diff.changed.append(ScoreChange(spec.id, bench, name, old.get(name), new.get(name)))
                elif new.get(name) is not None:
                    diff.unchanged += 1
            if old and bench not in (overlay_models.get(spec.id) or {}).get("scores", {}):
                diff.kept.append((spec.id, bench))
    return diff


def validate_overlay(
    overlay: Mapping[str, Any], base: Iterable[ModelSpec]
) -> tuple[tuple[ModelSpec, ...], list[str]]:
    """(merged catalog, errors): out-of-range or inconsistent numbers, a catalog that no longer loads."""
    from catalog.load import CatalogError, load_catalog

    base = tuple(base)
    errors: list[str] = []
    for mid, entry in (overlay.get("models") or {}).items():
        for bench, s in (entry.get("scores") or {}).items():
            for name in ("mean", "retrieval_mean"):
                v = s.get(name)
                if v is not None and not (isinstance(v, (int, float)) and 0.0 <= v <= 100.0):
                    errors.append(f"{mid} {bench}.{name}: {v!r} is not a percentage")
            if s.get("tasks_with_results", 0) > s.get("tasks_total", 0):
                errors.append(f"{mid} {bench}: more tasks with results than tasks")
    try:
        merged = load_catalog(overlay=to_catalog_overlay(overlay, base))
    except CatalogError as exc:
        return base, errors + [f"the refreshed catalog does not load: {exc}"]
    return merged, errors


def plan_refresh(
    base: Iterable[ModelSpec],
    current: Iterable[ModelSpec],
    recomputed: Mapping[str, Mapping[str, dict[str, Any]]],
    *,
    generated: str,
    source: str,
    listing: Mapping[str, Iterable[str]] | None = None,
) -> tuple[dict[str, Any], RefreshDiff]:
    """Everything `catalog refresh` decides, without I/O: the new overlay and its diff (with errors)."""
    base = tuple(base)
    overlay = build_overlay(recomputed, base, generated=generated, source=source)
    merged, errors = validate_overlay(overlay, base)
    diff = diff_catalog(current, merged, overlay["models"])
    for ch in diff.changed:
        if ch.old is not None and ch.new is not None and abs(ch.new - ch.old) > MAX_PLAUSIBLE_CHANGE:
            errors.append(
                f"{ch.model} {ch.benchmark}.{ch.field}: {ch.old} -> {ch.new} is implausible "
                f"(> {MAX_PLAUSIBLE_CHANGE:g} points); is the source a different benchmark version?"
            )
    diff.errors = errors
    if listing is not None:
        diff.new_models = new_model_folders(listing, [results_folder(m) for m in base])
    return overlay, diff
