"""Small hand-built evidence tables (catalog.evidence_data.TaskScores) for ranking tests.

A test states per-task scores outright, so the expected order is obvious from the test itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from catalog.evidence_data import TaskInfo, TaskScores
from catalog.models import ModelSpec


def table(
    scores: Mapping[str, Mapping[str, float]],
    *,
    lang: str = "en",
    type_: str = "Retrieval",
    domains: Iterable[str] = (),
) -> TaskScores:
    """{task: {model id: score}} in one language slice, all of one task type."""
    tags = tuple(domains)
    tasks = {t: TaskInfo(t, type_, "ndcg_at_10", ("test",), {lang: ("default",)}, tags) for t in scores}
    return TaskScores.from_scores(tasks, {t: {lang: dict(by)} for t, by in scores.items()})


def merge(*tables: TaskScores) -> TaskScores:
    tasks: dict[str, TaskInfo] = {}
    scores: dict[str, dict[str, dict[str, float]]] = {}
    for tab in tables:
        for name, info in tab.tasks.items():
            if name in tasks:  # same task in two languages: merge its slices
                slices = {**tasks[name].slices, **info.slices}
                info = TaskInfo(name, info.type, info.main_score, info.splits, slices, info.domains)
            tasks[name] = info
        for name, slices in tab.scores().items():
            for key, by in slices.items():
                scores.setdefault(name, {}).setdefault(key, {}).update(by)
    return TaskScores.from_scores(tasks, scores)


def spread(
    models: Mapping[str, float], n_tasks: int, *, prefix: str = "T", jitter: float = 1.0
) -> dict[str, dict[str, float]]:
    """n tasks on which each model scores its level, with a small deterministic per-task wobble."""
    return {
        f"{prefix}{i}": {
            m: level + jitter * ((i * 7 + j * 3) % 5 - 2) / 2 for j, (m, level) in enumerate(models.items())
        }
        for i in range(n_tasks)
    }


def spec(mid: str, **kw: Any) -> ModelSpec:
    """An open, English, 100M-parameter, 8k-context model unless told otherwise."""
    base: dict[str, Any] = {
        "name": mid,
        "provider": "test",
        "open_weights": True,
        "hf_id": mid,
        "max_tokens": 8192,
        "n_parameters": 100_000_000,
        "dims": 768,
        "languages": ("en",),
        "license": "apache-2.0",
        "commercial_use": True,
    }
    if not kw.get("open_weights", True):
        base.update(hf_id=None, api_provider="acme", api_model_name=mid, n_parameters=None)
    base.update(kw)
    return ModelSpec(id=mid, **base)
