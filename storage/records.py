"""The journal's records (Decision, RecommendationRecord, TrialRecord) and their row mapping.

Plain dataclasses so the CLI and the TUI can read decisions without SQL. Rows keep timestamps as ISO-8601
UTC text and structured values as JSON text columns; `to_row` cleans values (no secrets, JSON-safe numbers).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from storage.redact import clean

STATUSES = ("draft", "decided", "superseded")
"""Lifecycle: draft (exploring), decided (a model was chosen), superseded (a newer decision replaced it)."""
TRIAL_STATUSES = ("complete", "incomplete")
METRIC_COLUMNS = {
    "ndcg@10": "ndcg_at_10",
    "recall@1": "recall_at_1",
    "recall@5": "recall_at_5",
    "recall@10": "recall_at_10",
    "mrr@10": "mrr_at_10",
    "hit@1": "hit_at_1",
}
"""ModelResult metric key -> trial_results column (headline metrics, queryable in SQL)."""
PERF_COLUMNS = {"query_p50_ms": "query_p50_ms", "docs_per_s": "docs_per_s"}


def utcnow() -> str:
    """Now as ISO-8601 UTC text, e.g. '2026-11-22T04:05:06Z' (sortable as text)."""
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def dumps(value: Any) -> str:
    """JSON text for a column: cleaned, Unicode kept as is (readable with the sqlite3 shell)."""
    return json.dumps(clean(value), ensure_ascii=False)


def loads(text: str | None, default: Any) -> Any:
    return default if text in (None, "") else json.loads(text)


@dataclass
class RecommendationRecord:
    """A saved `Recommendation.to_dict()`: ranked and excluded lists with reasons, and the catalog version."""

    id: int | None
    decision_id: int | None
    created_at: str
    catalog_version: str = ""
    requirements: dict[str, Any] = field(default_factory=dict)
    candidates: list[dict[str, Any]] = field(default_factory=list)
    excluded: list[dict[str, Any]] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)
    """Any other keys the recommendation carried (kept so export/import loses nothing)."""

    @property
    def shortlist(self) -> list[str]:
        """Candidate model ids, best first."""
        return [str(c.get("id", "")) for c in self.candidates]

    @classmethod
    def from_recommendation(
        cls, rec: dict[str, Any], *, decision_id: int | None = None
    ) -> RecommendationRecord:
        known = {
            "requirements",
            "catalog_version",
            "candidates",
            "excluded",
            "created_at",
            "id",
            "decision_id",
        }
        return cls(
            id=None,
            decision_id=decision_id,
            created_at=str(rec.get("created_at") or utcnow()),
            catalog_version=str(rec.get("catalog_version") or ""),
            requirements=dict(rec.get("requirements") or {}),
            candidates=list(rec.get("candidates") or []),
            excluded=list(rec.get("excluded") or []),
            extra={k: v for k, v in rec.items() if k not in known},
        )

    def to_dict(self) -> dict[str, Any]:
        """The `Recommendation.to_dict()` shape, plus created_at."""
        return {
            **self.extra,
            "requirements": self.requirements,
            "catalog_version": self.catalog_version,
            "candidates": self.candidates,
            "excluded": self.excluded,
            "created_at": self.created_at,
        }

    def to_row(self) -> dict[str, Any]:
        return {
            "decision_id": self.decision_id,
            "created_at": self.created_at,
            "catalog_version": clean(self.catalog_version),
            "requirements_json": dumps(self.requirements),
            "ranked_json": dumps(self.candidates),
            "excluded_json": dumps(self.excluded),
            "extra_json": dumps(self.extra),
        }

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> RecommendationRecord:
        return cls(
            id=row["id"],
            decision_id=row["decision_id"],
            created_at=row["created_at"],
            catalog_version=row["catalog_version"] or "",
            requirements=loads(row["requirements_json"], {}),
            candidates=loads(row["ranked_json"], []),
            excluded=loads(row["excluded_json"], []),
            extra=loads(row["extra_json"], {}),
        )


@dataclass
class TrialRecord:
    """One saved trial: what it measured on (dataset + fingerprint, settings, environment), per-model rows."""

    id: int | None
    decision_id: int | None
    created_at: str
    status: str = "incomplete"
    """'complete' | 'incomplete' (still running, cancelled, or the process died before finish_trial)."""
    started_at: str = ""
    finished_at: str = ""
    dataset: dict[str, Any] = field(default_factory=dict)
    settings: dict[str, Any] = field(default_factory=dict)
    environment: dict[str, Any] = field(default_factory=dict)
    results: list[dict[str, Any]] = field(default_factory=list)
    """`ModelResult.to_dict()` per model, in the order they were added."""
    stability: dict[str, Any] | None = None
    """`WinnerStability.to_dict()` (evaluators.winner), or None: fewer than two models, or an older record."""

    @property
    def complete(self) -> bool:
        return self.status == "complete"

    def to_dict(self) -> dict[str, Any]:
        """The `TrialResult.to_dict()` shape plus settings and status (what `save_trial` accepts)."""
        return {
            "dataset": self.dataset,
            "results": self.results,
            "environment": self.environment,
            "settings": self.settings,
            "complete": self.complete,
            "status": self.status,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "created_at": self.created_at,
            "stability": self.stability,
        }

    def to_row(self) -> dict[str, Any]:
        return {
            "decision_id": self.decision_id,
            "created_at": self.created_at,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "status": self.status,
            "dataset_name": clean(str(self.dataset.get("name") or "")),
            "dataset_fingerprint": clean(str(self.dataset.get("fingerprint") or "")),
            "dataset_json": dumps(self.dataset),
            "settings_json": dumps(self.settings),
            "environment_json": dumps(self.environment),
            "stability_json": None if self.stability is None else dumps(self.stability),
        }

    @classmethod
    def from_row(cls, row: dict[str, Any], results: list[dict[str, Any]]) -> TrialRecord:
        return cls(
            id=row["id"],
            decision_id=row["decision_id"],
            created_at=row["created_at"],
            status=row["status"],
            started_at=row["started_at"] or "",
            finished_at=row["finished_at"] or "",
            dataset=loads(row["dataset_json"], {}),
            settings=loads(row["settings_json"], {}),
            environment=loads(row["environment_json"], {}),
            results=results,
            stability=loads(row.get("stability_json"), None),
        )


def result_to_row(trial_id: int, result: dict[str, Any]) -> dict[str, Any]:
    """A trial_results row for one `ModelResult.to_dict()`: headline numbers as columns, all as JSON."""
    cleaned = clean(result)
    metrics = cleaned.get("metrics") or {}
    perf = cleaned.get("perf") or {}
    row: dict[str, Any] = {
        "trial_id": trial_id,
        "created_at": utcnow(),
        "model": str(cleaned.get("model") or ""),
        "status": str(cleaned.get("status") or "ok"),
        "error": cleaned.get("error"),
        "result_json": json.dumps(cleaned, ensure_ascii=False),
    }
    row.update({col: _number(metrics.get(key)) for key, col in METRIC_COLUMNS.items()})
    row.update({col: _number(perf.get(key)) for key, col in PERF_COLUMNS.items()})
    return row


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


@dataclass
class Decision:
    """One journal entry: what was asked, recommended and measured, what was chosen, and why."""

    id: int | None
    title: str
    created_at: str
    updated_at: str
    requirements: dict[str, Any] = field(default_factory=dict)
    """`Requirements.to_dict()`: the questionnaire's answers."""
    status: str = "draft"
    chosen_model: str | None = None
    """Stable catalog id (or the trial's model ref, e.g. 'bm25') of the chosen model."""
    rationale: str = ""
    tags: tuple[str, ...] = ()
    superseded_by: int | None = None
    recommendations: list[RecommendationRecord] = field(default_factory=list)
    """Oldest first; empty in `list_decisions` results (load one with `get_decision`)."""
    trials: list[TrialRecord] = field(default_factory=list)
    """Oldest first; empty in `list_decisions` results."""

    @property
    def latest_recommendation(self) -> RecommendationRecord | None:
        return self.recommendations[-1] if self.recommendations else None

    @property
    def shortlist(self) -> list[str]:
        rec = self.latest_recommendation
        return rec.shortlist if rec else []

    def to_row(self) -> dict[str, Any]:
        return {
            "title": clean(self.title),
            "created_at": self.created_at,
            "updated_at": self.updated_at,
            "requirements_json": dumps(self.requirements),
            "status": self.status,
            "chosen_model": clean(self.chosen_model),
            "rationale": clean(self.rationale or ""),
            "tags_json": dumps(list(self.tags)),
            "superseded_by": self.superseded_by,
        }

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Decision:
        return cls(
            id=row["id"],
            title=row["title"],
            created_at=row["created_at"],
            updated_at=row["updated_at"],
            requirements=loads(row["requirements_json"], {}),
            status=row["status"],
            chosen_model=row["chosen_model"],
            rationale=row["rationale"] or "",
            tags=tuple(loads(row["tags_json"], [])),
            superseded_by=row["superseded_by"],
        )
