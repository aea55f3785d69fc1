"""`catalog refresh` for the evidence table: shipped task metadata + downloaded result files -> a new table.

The recompute is catalog.evidence_data.evidence_table, the very function scripts/build_evidence.py runs on
a local checkout, so a refresh and a rebuild from the same files give the same table. This module adds only
what a refresh needs around it: which file stems to fetch, the provenance, and a summary of what changed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from catalog.evidence_data import TaskScores, evidence_table, wanted_file_stems
from catalog.refresh import ResultFile


def evidence_file_stems(shipped: TaskScores) -> set[str]:
    """Result-file stems the refresh downloads for the evidence (the shipped table's tasks)."""
    return wanted_file_stems(shipped.tasks)


def refresh_evidence(
    shipped: TaskScores,
    files: Mapping[str, Mapping[str, Iterable[ResultFile]]],
    *,
    source: str,
    generated: str,
    current: TaskScores | None = None,
) -> TaskScores:
    """Recompute every slice score from downloaded files, with the shipped task metadata (the task list
    and its splits and subsets do not change without a rebuild from an mteb checkout).

    A score the download could not recompute (a mirror without that file) keeps its `current` value, as
    the catalog overlay keeps a mean: a refresh never turns evidence into nothing. With every file
    downloaded, the result is exactly what scripts/build_evidence.py writes from the same files."""
    sources = {
        "results": {"repo": source, "commit": f"refreshed {generated}", "date": generated[:10]},
        "mteb": dict(shipped.sources.get("mteb") or {}),
        "method": "embedscout catalog refresh (catalog.evidence_data.evidence_table); docs/ranking.md",
        "generated": generated,
    }
    fresh = evidence_table(shipped.tasks, files, sources)
    if current is None:
        return fresh
    merged = current.scores()
    for task, slices in fresh.scores().items():
        for key, by_model in slices.items():
            merged.setdefault(task, {}).setdefault(key, {}).update(by_model)
    tasks = {t: shipped.tasks.get(t) or current.tasks[t] for t in merged}
    return TaskScores.from_scores(tasks, merged, sources)


@dataclass(frozen=True)
class EvidenceChange:
    tasks_before: int
    tasks_after: int
    scores_before: int
    scores_after: int
    changed: int
    """Scores present in both whose value differs."""
    models_gained: tuple[str, ...]
    """Catalog models with evidence now that had none."""

    def summary(self) -> str:
        gained = f"; new evidence for {', '.join(self.models_gained[:5])}" if self.models_gained else ""
        return (
            f"evidence: {self.tasks_after} tasks, {self.scores_after:,} scores (was {self.tasks_before}, "
            f"{self.scores_before:,}); {self.changed:,} changed{gained}"
        )


def compare_evidence(before: TaskScores, after: TaskScores) -> EvidenceChange:
    old, new = before.scores(), after.scores()
    flat_old = {(t, k, m): v for t, s in old.items() for k, by in s.items() for m, v in by.items()}
    flat_new = {(t, k, m): v for t, s in new.items() for k, by in s.items() for m, v in by.items()}
    changed = sum(1 for key, v in flat_new.items() if key in flat_old and flat_old[key] != v)
    gained = tuple(sorted(set(after.models) - set(before.models)))
    return EvidenceChange(len(old), len(new), len(flat_old), len(flat_new), changed, gained)
