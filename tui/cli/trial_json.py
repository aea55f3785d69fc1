"""`embedscout trial --json`: the result as JSON, apart from the rich tables so `--json` imports no rich."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from evaluators.types import TrialResult


def to_json(result: TrialResult) -> dict[str, Any]:
    """TrialResult.to_dict() with each row's metrics and perf also flattened to top-level keys."""
    data: dict[str, Any] = result.to_dict()
    flat_rows = []
    for row in data["results"]:
        flat = {"model": row["model"], "status": row["status"], "error": row["error"]}
        flat.update(row.get("metrics", {}))
        flat.update(row.get("perf", {}))
        flat_rows.append({**flat, **row})
    data["results"] = flat_rows
    return data
