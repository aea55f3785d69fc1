"""Per-task, per-language-slice MTEB scores: the one function that computes them and the shipped table.

`compute_scores` turns parsed result files into {task: {slice: {model id: score}}}. Both producers call it:
`scripts/build_evidence.py` (from local checkouts of the mteb and results repositories) and `catalog refresh`
(from downloaded files), so the two can never disagree. `load_task_scores` reads catalog/data/task_scores.json
once per process. Pure: no network, no git.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from catalog.languages import slice_key
from catalog.refresh import ResultFile, order_results

SCHEMA = 1
TASK_TYPES = ("Retrieval", "Reranking", "Clustering", "Classification")
"""MTEB task types the evidence keeps: one per task nature the user can pick."""
FILENAME = "task_scores.json"

LEGACY_TASK_NAMES = {
    "NorwegianParliament": "NorwegianParliamentClassification",
    "CMedQAv2": "CMedQAv2-reranking",
    "CMedQAv1": "CMedQAv1-reranking",
    "8TagsClustering": "EightTagsClustering",
    "PPC": "PpcPC",
}
"""Result files named for a task's old name (mteb's `renamed_tasks`): file stem -> current task name."""

Scores = dict[str, dict[str, dict[str, float]]]
"""task name -> slice key ('zh', 'en-zh', 'code', ...) -> catalog model id -> main score x100."""


@dataclass(frozen=True)
class TaskInfo:
    """What the evidence needs from mteb's TaskMetadata: type, domains, metric, splits, subsets per slice."""

    name: str
    type: str
    main_score: str
    splits: tuple[str, ...]
    slices: Mapping[str, tuple[str, ...]]
    """Slice key -> the hf_subsets it averages (one language, or one language pair for cross-lingual)."""
    domains: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "type": self.type,
            "main_score": self.main_score,
            "splits": list(self.splits),
            "domains": list(self.domains),
            "slices": {k: list(v) for k, v in sorted(self.slices.items())},
        }

    @classmethod
    def from_dict(cls, name: str, raw: Mapping[str, Any]) -> TaskInfo:
        return cls(
            name=name,
            type=str(raw["type"]),
            main_score=str(raw["main_score"]),
            splits=tuple(raw["splits"]),
            slices={str(k): tuple(v) for k, v in raw["slices"].items()},
            domains=tuple(raw.get("domains") or ()),
        )


def task_info(
    name: str,
    type_: str,
    main_score: str,
    eval_splits: Iterable[str],
    eval_langs: Mapping[str, Iterable[str]] | Iterable[str],
    domains: Iterable[str] | None = None,
) -> TaskInfo:
    """TaskInfo from mteb TaskMetadata fields; eval_langs is a list (one 'default' subset) or a mapping
    subset -> languages."""
    subsets = (
        {str(k): list(v) for k, v in eval_langs.items()}
        if isinstance(eval_langs, Mapping)
        else {"default": list(eval_langs)}
    )
    slices: dict[str, list[str]] = {}
    for subset, langs in subsets.items():
        slices.setdefault(slice_key(langs), []).append(subset)
    return TaskInfo(
        name=name,
        type=type_,
        main_score=main_score,
        splits=tuple(eval_splits),
        slices={k: tuple(sorted(v)) for k, v in slices.items()},
        domains=tuple(sorted(domains or ())),
    )


def _metric(row: Mapping[str, Any], metric: str) -> float | None:
    """The row's stored main_score, as the leaderboard reads it (older files store the main score of their
    day); the current metric name only where a row has none (files converted from before mteb 1.11)."""
    value = row["main_score"] if "main_score" in row else row.get(metric)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or math.isnan(value):
        return None
    return float(value)


def task_name_of(file_stem: str) -> str:
    """The current task name for a result file's stem (renamed tasks keep their old file names)."""
    return LEGACY_TASK_NAMES.get(file_stem, file_stem)


def slice_score(task: TaskInfo, key: str, result: Mapping[str, Any]) -> float | None:
    """Mean main score x100 over every (eval split x subset) row of one slice; None if any row is missing."""
    scores = result.get("scores")
    if not isinstance(scores, Mapping):
        return None
    values: list[float] = []
    for split in task.splits:
        rows = scores.get(split)
        if not isinstance(rows, list):
            return None
        by_subset = {str(r.get("hf_subset", "default")): r for r in rows if isinstance(r, Mapping)}
        for subset in task.slices[key]:
            row = by_subset.get(subset)
            value = None if row is None else _metric(row, task.main_score)
            if value is None:
                return None
            values.append(value)
    return round(100.0 * sum(values) / len(values), 2) if values else None


def task_slice_scores(task: TaskInfo, candidates: Iterable[ResultFile]) -> dict[str, float]:
    """Per slice, the first complete result in mteb's join_revisions order (main revision, newest mteb)."""
    ordered = order_results(candidates)  # normalised (catalog.mteb_results), best first
    out: dict[str, float] = {}
    for key in task.slices:
        for _, result in ordered:
            value = slice_score(task, key, result)
            if value is not None:
                out[key] = value
                break
    return out


def compute_scores(
    tasks: Mapping[str, TaskInfo], files: Mapping[str, Mapping[str, Iterable[ResultFile]]]
) -> Scores:
    """{model id: {task: [(revision, json)]}} -> {task: {slice: {model id: score}}}, sorted (stable
    output)."""
    out: Scores = {}
    for model_id in sorted(files):
        by_task: dict[str, list[ResultFile]] = {}
        for stem, candidates in files[model_id].items():
            by_task.setdefault(task_name_of(stem), []).extend(candidates)
        for task_name, merged in by_task.items():
            task = tasks.get(task_name)
            if task is None:
                continue
            for key, value in task_slice_scores(task, merged).items():
                out.setdefault(task_name, {}).setdefault(key, {})[model_id] = value
    return {t: {k: dict(sorted(m.items())) for k, m in sorted(s.items())} for t, s in sorted(out.items())}


Packed = Mapping[str, Sequence[Sequence[float]]]
"""One task's scores as stored: slice key -> [[model index, score], ...]."""


@dataclass(frozen=True)
class TaskScores:
    """The evidence table: task metadata, scores per slice (kept packed until asked for), provenance."""

    tasks: Mapping[str, TaskInfo]
    models: tuple[str, ...]
    """Catalog ids; packed scores refer to them by index."""
    packed: Mapping[str, Packed]
    sources: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def from_scores(
        cls, tasks: Mapping[str, TaskInfo], scores: Scores, sources: Mapping[str, Any] | None = None
    ) -> TaskScores:
        models = tuple(sorted({m for s in scores.values() for by in s.values() for m in by}))
        index = {m: i for i, m in enumerate(models)}
        packed = {
            t: {k: [[index[m], v] for m, v in sorted(by.items())] for k, by in sorted(s.items())}
            for t, s in scores.items()
        }
        return cls(dict(tasks), models, packed, dict(sources or {}))

    def packed_slice(self, task: str, key: str) -> Sequence[Sequence[float]]:
        """[[model index, score], ...] on one (task, slice); empty when nobody ran it."""
        return (self.packed.get(task) or {}).get(key, ())

    @cached_property
    def index(self) -> dict[str, int]:
        return {m: i for i, m in enumerate(self.models)}

    def slice_scores(self, task: str, key: str) -> dict[str, float]:
        """model id -> score on one (task, slice); empty when nobody ran it."""
        return {self.models[int(i)]: float(v) for i, v in self.packed_slice(task, key)}

    def scores(self) -> Scores:
        """Everything unpacked (tests and the refresh diff; ranking reads slices on demand)."""
        return {t: {k: self.slice_scores(t, k) for k in s} for t, s in self.packed.items()}


def to_document(table: TaskScores) -> dict[str, Any]:
    tasks = {
        name: {**table.tasks[name].to_dict(), "scores": dict(table.packed.get(name, {}))}
        for name in sorted(table.tasks)
    }
    return {"schema": SCHEMA, "sources": dict(table.sources), "models": list(table.models), "tasks": tasks}


def evidence_table(
    tasks: Mapping[str, TaskInfo],
    files: Mapping[str, Mapping[str, Iterable[ResultFile]]],
    sources: Mapping[str, Any] | None = None,
) -> TaskScores:
    """The evidence table from parsed result files: what scripts/build_evidence.py writes and what
    `catalog refresh` recomputes. Only tasks at least one catalog model ran are kept (a small file)."""
    scores = compute_scores(tasks, files)
    return TaskScores.from_scores({n: tasks[n] for n in scores}, scores, sources)


def wanted_file_stems(task_names: Iterable[str]) -> set[str]:
    """Result-file stems to fetch for these tasks: their names plus the old names mteb renamed."""
    names = set(task_names)
    return names | {old for old, new in LEGACY_TASK_NAMES.items() if new in names}


def _compact(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def dumps(table: TaskScores) -> str:
    """Compact JSON with one task per line, so a refresh shows as a readable diff."""
    doc = to_document(table)
    head = {k: v for k, v in doc.items() if k != "tasks"}
    lines = [f"{_compact(name)}:{_compact(body)}" for name, body in doc["tasks"].items()]
    head_text = json.dumps(head, separators=(",", ":"), ensure_ascii=False, sort_keys=True)[:-1]
    return head_text + ',"tasks":{\n' + ",\n".join(lines) + "\n}}\n"


def parse_document(doc: Mapping[str, Any]) -> TaskScores:
    """A task_scores document -> TaskScores; ValueError names what is wrong. Scores stay packed (parsing
    ~67k numbers into dicts would cost more than the whole ranking); a bad model index fails on use."""
    if (
        not isinstance(doc, Mapping)
        or doc.get("schema") != SCHEMA
        or not isinstance(doc.get("tasks"), Mapping)
    ):
        raise ValueError(f"not a task_scores document of schema {SCHEMA}")
    models = tuple(str(m) for m in doc.get("models") or [])
    tasks: dict[str, TaskInfo] = {}
    packed: dict[str, Packed] = {}
    for name, raw in doc["tasks"].items():
        try:
            tasks[name] = TaskInfo.from_dict(name, raw)
            packed[name] = {str(k): v for k, v in (raw.get("scores") or {}).items()}
        except (KeyError, TypeError, AttributeError) as exc:
            raise ValueError(f"task {name!r}: malformed ({exc})") from None
    return TaskScores(tasks, models, packed, dict(doc.get("sources") or {}))


def read_task_scores(path: Path) -> TaskScores:
    return parse_document(json.loads(Path(path).read_text(encoding="utf-8")))


@lru_cache(maxsize=1)
def load_task_scores() -> TaskScores:
    """The shipped evidence table (catalog/data/task_scores.json), parsed once per process."""
    raw = resources.files("catalog").joinpath(f"data/{FILENAME}").read_text("utf-8")
    return parse_document(json.loads(raw))
