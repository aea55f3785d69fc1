"""The SQL behind `list_decisions`: text, status, tag, model and date filters over the journal.

Separate so the filter grammar (what --search, --tag, --model, --since match) reads in one place.
All user values go in as parameters, never into the SQL text.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from storage.db import StorageError
from storage.sqlite_lib import Database

_TEXT_COLUMNS = ("d.title", "d.rationale", "d.chosen_model", "d.tags_json", "d.requirements_json")


@dataclass(frozen=True)
class DecisionFilter:
    search: str | None = None
    """Case-insensitive substring of title, rationale, chosen model, tags or requirements."""
    status: str | None = None
    tag: str | None = None
    """Exact tag, case-insensitive."""
    model: str | None = None
    """Case-insensitive substring of the chosen model, a shortlisted candidate, or a model in a trial."""
    since: str | None = None
    until: str | None = None


def _fold(value: object) -> str | None:
    return None if value is None else str(value).casefold()


def select_decision_ids(
    db: Database, flt: DecisionFilter, *, limit: int | None, offset: int = 0
) -> list[int]:
    """Ids of matching decisions, newest first."""
    db.register_function(_fold, deterministic=True, replace=True, name="es_fold")
    where: list[str] = []
    params: list[object] = []
    if flt.search:
        where.append("(" + " OR ".join(f"instr(es_fold({c}), es_fold(?)) > 0" for c in _TEXT_COLUMNS) + ")")
        params.extend([flt.search] * len(_TEXT_COLUMNS))
    if flt.status:
        where.append("d.status = ?")
        params.append(flt.status)
    if flt.tag:
        where.append("EXISTS (SELECT 1 FROM json_each(d.tags_json) t WHERE es_fold(t.value) = es_fold(?))")
        params.append(flt.tag.strip())
    if flt.model:
        where.append(
            "(instr(es_fold(d.chosen_model), es_fold(?)) > 0"
            " OR EXISTS (SELECT 1 FROM trials t JOIN trial_results r ON r.trial_id = t.id"
            "  WHERE t.decision_id = d.id AND instr(es_fold(r.model), es_fold(?)) > 0)"
            " OR EXISTS (SELECT 1 FROM recommendations rec, json_each(rec.ranked_json) c"
            "  WHERE rec.decision_id = d.id"
            "  AND instr(es_fold(json_extract(c.value, '$.id')), es_fold(?)) > 0))"
        )
        params.extend([flt.model] * 3)
    if flt.since:
        where.append("d.created_at >= ?")
        params.append(_timestamp(flt.since, end_of_day=False))
    if flt.until:
        where.append("d.created_at <= ?")
        params.append(_timestamp(flt.until, end_of_day=True))
    sql = "SELECT d.id FROM decisions d"
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY d.created_at DESC, d.id DESC"
    if limit is not None:
        sql += " LIMIT ? OFFSET ?"
        params.extend([int(limit), int(offset)])
    return [int(row[0]) for row in db.execute(sql, params).fetchall()]


def _timestamp(text: str, *, end_of_day: bool) -> str:
    """A user date or timestamp as stored text; a bare date `until` means the end of that day (UTC)."""
    raw = text.strip()
    try:
        parsed = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise StorageError(f"not a date: {text!r} (use YYYY-MM-DD or an ISO-8601 timestamp)") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    parsed = parsed.astimezone(timezone.utc)
    if end_of_day and len(raw) == 10:
        parsed = parsed + timedelta(days=1) - timedelta(seconds=1)
    return parsed.strftime("%Y-%m-%dT%H:%M:%SZ")
