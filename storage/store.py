"""The decision journal's API: create, update, attach, decide, list, get, supersede, delete, export, import.

Functions over an open `Database` (from `open_db()`) and plain dicts (`Requirements.to_dict()`,
`Recommendation.to_dict()`, `TrialResult.to_dict()`), so callers never write SQL. Every multi-row write is
one IMMEDIATE transaction; each trial result commits on its own so a killed trial keeps what it measured.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from evaluators.winner.model import WinnerStability
from storage import report
from storage.db import (
    BUSY_TIMEOUT_S,
    DecisionNotFound,
    StorageError,
    open_db,
    read_only_reason,
    write_transaction,
)
from storage.queries import DecisionFilter, select_decision_ids
from storage.records import (
    STATUSES,
    Decision,
    RecommendationRecord,
    TrialRecord,
    dumps,
    result_to_row,
    utcnow,
)
from storage.report import DecisionDiff
from storage.sqlite_lib import Database, Table
from storage.validate import check_model_ref

__all__ = [
    "BUSY_TIMEOUT_S",
    "Decision",
    "DecisionDiff",
    "DecisionNotFound",
    "StorageError",
    "add_trial_result",
    "attach_recommendation",
    "check_model_ref",
    "begin_trial",
    "create_decision",
    "decide",
    "delete_decision",
    "diff_decisions",
    "export_json",
    "finish_trial",
    "get_decision",
    "get_trial",
    "import_json",
    "list_decisions",
    "open_db",
    "read_only_reason",
    "recent_decisions",
    "save_trial",
    "supersede",
    "update_decision",
]


def create_decision(
    db: Database, *, title: str, requirements: dict[str, Any] | None = None, tags: Iterable[str] = ()
) -> int:
    """A new draft decision; returns its id. The title is kept as given (blank: "Untitled decision")."""
    now = utcnow()
    decision = Decision(
        id=None,
        title=title if title.strip() else "Untitled decision",
        created_at=now,
        updated_at=now,
        requirements=dict(requirements or {}),
        tags=_norm_tags(tags),
    )
    return _insert_decision(db, decision)


def _insert_decision(db: Database, decision: Decision) -> int:
    with write_transaction(db):
        table = db.table("decisions")
        table.insert(decision.to_row())
        return _last_pk(table)


def update_decision(
    db: Database,
    decision_id: int,
    *,
    title: str | None = None,
    requirements: dict[str, Any] | None = None,
    tags: Iterable[str] | None = None,
    status: str | None = None,
    chosen_model: str | None = None,
    rationale: str | None = None,
) -> Decision:
    """Change the given fields (None leaves one as it is); bumps updated_at; returns the decision."""
    if status is not None and status not in STATUSES:
        raise StorageError(f"unknown status {status!r} (expected one of: {', '.join(STATUSES)})")
    if title is not None and not title.strip():
        raise StorageError("a decision needs a non-blank title")
    with write_transaction(db):
        current = _decision_row(db, decision_id)
        if title is not None:
            current.title = title
        if requirements is not None:
            current.requirements = dict(requirements)
        if tags is not None:
            current.tags = _norm_tags(tags)
        if status is not None:
            current.status = status
        if chosen_model is not None:
            current.chosen_model = chosen_model
        if rationale is not None:
            current.rationale = rationale
        current.updated_at = utcnow()
        db.table("decisions").update(decision_id, current.to_row())
    return get_decision(db, decision_id)


def attach_recommendation(db: Database, decision_id: int, recommendation: dict[str, Any]) -> int:
    """Snapshot a `Recommendation.to_dict()` (ranked + excluded, reasons, catalog version); returns its id."""
    record = RecommendationRecord.from_recommendation(recommendation, decision_id=decision_id)
    with write_transaction(db):
        _decision_row(db, decision_id)
        table = db.table("recommendations")
        table.insert(record.to_row())
        _touch(db, decision_id)
        return _last_pk(table)


def begin_trial(
    db: Database,
    decision_id: int | None,
    *,
    dataset: dict[str, Any],
    settings: dict[str, Any] | None = None,
    environment: dict[str, Any] | None = None,
) -> int:
    """Record a trial as 'incomplete' before it runs; returns the trial id.

    decision_id None files it under a new draft decision titled after the dataset (see `get_trial`).
    """
    with write_transaction(db):
        if decision_id is None:
            name = str(dataset.get("name") or "dataset")
            decision_id = create_decision(db, title=f"Trial on {name}")
        else:
            _decision_row(db, decision_id)
        now = utcnow()
        record = TrialRecord(
            id=None,
            decision_id=decision_id,
            created_at=now,
            started_at=now,
            dataset=dict(dataset),
            settings=dict(settings or {}),
            environment=dict(environment or {}),
        )
        table = db.table("trials")
        table.insert(record.to_row())
        _touch(db, decision_id)
        return _last_pk(table)


def add_trial_result(db: Database, trial_id: int, result: Any) -> int:
    """Append one model's row (`ModelResult.to_dict()` or an object with `to_dict`); commits at once."""
    with write_transaction(db):
        _trial_row(db, trial_id)
        return _insert_result(db, trial_id, result)


def _insert_result(db: Database, trial_id: int, result: Any) -> int:
    data = result.to_dict() if hasattr(result, "to_dict") else dict(result)
    table = db.table("trial_results")
    table.insert(result_to_row(trial_id, data))
    return _last_pk(table)


def finish_trial(
    db: Database,
    trial_id: int,
    *,
    complete: bool,
    finished_at: str | None = None,
    results: Iterable[Any] | None = None,
    stability: Any = None,
) -> None:
    """Mark a trial complete (every model ran) or incomplete (cancelled / failed part way).

    results: the final rows, replacing those added one by one while it ran (the final ones carry the
    comparison with the best model, known only at the end); in one transaction, so a crash keeps the old.
    stability: the trial's `WinnerStability` (or its dict), known only at the end too; None stores none.
    """
    figure = _stability_dict(stability)
    with write_transaction(db):
        row = _trial_row(db, trial_id)
        if results is not None:
            db.execute("DELETE FROM trial_results WHERE trial_id = ?", [trial_id])
            for result in results:
                _insert_result(db, trial_id, result)
        status = "complete" if complete else "incomplete"
        update = {"status": status, "finished_at": finished_at or utcnow()}
        if figure is not None:
            update["stability_json"] = dumps(figure)
        db.table("trials").update(trial_id, update)
        _touch(db, int(row["decision_id"]))


def _stability_dict(value: Any) -> dict[str, Any] | None:
    """A winner-stability figure fit to store (read back exactly as written), or a one-line StorageError."""
    if value is None:
        return None
    if hasattr(value, "to_dict"):
        return dict(value.to_dict())
    try:
        figure = WinnerStability.load(value)
    except (TypeError, ValueError) as exc:
        raise StorageError(f"trial stability is malformed ({exc}): export it again from embedscout") from None
    if figure is None:
        raise StorageError("trial stability must be an object naming the best model, or null")
    return figure.to_dict()


def save_trial(db: Database, decision_id: int | None, trial: Any) -> int:
    """Store a whole `TrialResult.to_dict()` (+ optional "settings") in one transaction; returns its id."""
    data: dict[str, Any] = trial.to_dict() if hasattr(trial, "to_dict") else dict(trial)
    with write_transaction(db):
        trial_id = begin_trial(
            db,
            decision_id,
            dataset=data.get("dataset") or {},
            settings=data.get("settings") or {},
            environment=data.get("environment") or {},
        )
        for result in data.get("results") or []:
            add_trial_result(db, trial_id, result)
        complete = (
            data.get("status", "complete" if data.get("complete", True) else "incomplete") == "complete"
        )
        finish_trial(db, trial_id, complete=complete, finished_at=data.get("finished_at") or None,
                     stability=data.get("stability"))
        kept = {k: data[k] for k in ("started_at", "created_at") if data.get(k)}
        if kept:  # a trial saved after the fact (or imported) keeps its own times
            db.table("trials").update(trial_id, kept)
    return trial_id


def decide(db: Database, decision_id: int, *, model: str, note: str = "") -> Decision:
    """Record the choice: status 'decided', the chosen model id and the rationale note."""
    check_model_ref(model)
    current = get_decision(db, decision_id, with_children=False)
    if current.status == "superseded":
        raise StorageError(
            f"decision {decision_id} was superseded by {current.superseded_by}; decide on the newer one"
        )
    return update_decision(db, decision_id, status="decided", chosen_model=model, rationale=note)


def list_decisions(
    db: Database,
    *,
    search: str | None = None,
    status: str | None = None,
    tag: str | None = None,
    model: str | None = None,
    since: str | None = None,
    until: str | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> list[Decision]:
    """Decisions newest first, filtered by text, status, tag, model (chosen, shortlisted or tried), date.

    since/until are ISO dates or timestamps on created_at (a date-only `until` includes that whole day).
    Returned decisions have no recommendations/trials loaded; use `get_decision` for one in full.
    """
    if status is not None and status not in STATUSES:
        raise StorageError(f"unknown status {status!r} (expected one of: {', '.join(STATUSES)})")
    flt = DecisionFilter(search=search, status=status, tag=tag, model=model, since=since, until=until)
    ids = select_decision_ids(db, flt, limit=limit, offset=offset)
    rows = {row["id"]: row for row in db.table("decisions").rows_where(_id_in(ids), ids)} if ids else {}
    return [Decision.from_row(rows[i]) for i in ids if i in rows]


def recent_decisions(db: Database, limit: int = 10) -> list[Decision]:
    """The newest `limit` decisions (the History screen's default query)."""
    return list_decisions(db, limit=limit)


def get_decision(db: Database, decision_id: int, *, with_children: bool = True) -> Decision:
    """One decision with its recommendations and trials (oldest first); DecisionNotFound if there is none."""
    decision = _decision_row(db, decision_id)
    if not with_children:
        return decision
    decision.recommendations = [
        RecommendationRecord.from_row(r)
        for r in db.table("recommendations").rows_where("decision_id = ?", [decision_id], order_by="id")
    ]
    decision.trials = [
        _load_trial(db, r)
        for r in db.table("trials").rows_where("decision_id = ?", [decision_id], order_by="id")
    ]
    return decision


def get_trial(db: Database, trial_id: int) -> TrialRecord:
    """One trial with its per-model results; DecisionNotFound if there is none."""
    return _load_trial(db, _trial_row(db, trial_id))


def supersede(db: Database, old_id: int, new_id: int | None = None, *, title: str | None = None) -> int:
    """Mark `old_id` superseded by `new_id` (none: copy it into a new draft first); returns the new id."""
    if new_id == old_id:
        raise StorageError("a decision cannot supersede itself")
    with write_transaction(db):
        old = _decision_row(db, old_id)
        if new_id is None:
            new_id = create_decision(
                db, title=title or f"{old.title} (revisited)", requirements=old.requirements, tags=old.tags
            )
        else:
            _decision_row(db, new_id)
        db.table("decisions").update(
            old_id, {"status": "superseded", "superseded_by": new_id, "updated_at": utcnow()}
        )
    return new_id


def delete_decision(db: Database, decision_id: int) -> None:
    """Delete a decision with its recommendations, trials and results (the CLI confirms first)."""
    with write_transaction(db):
        _decision_row(db, decision_id)
        trial_ids = [r["id"] for r in db.table("trials").rows_where("decision_id = ?", [decision_id])]
        if trial_ids:
            db.table("trial_results").delete_where(_id_in(trial_ids, "trial_id"), trial_ids)
        db.table("trials").delete_where("decision_id = ?", [decision_id])
        db.table("recommendations").delete_where("decision_id = ?", [decision_id])
        db.execute("UPDATE decisions SET superseded_by = NULL WHERE superseded_by = ?", [decision_id])
        db.table("decisions").delete(decision_id)


def diff_decisions(db: Database, a_id: int, b_id: int) -> DecisionDiff:
    """Requirements, shortlists, trial results and choices of two decisions, side by side."""
    return report.diff(get_decision(db, a_id), get_decision(db, b_id))


def export_json(db: Database, decision_id: int) -> str:
    """The decision with everything attached, as JSON text that `import_json` reads back."""
    return json.dumps(report.to_document(get_decision(db, decision_id)), ensure_ascii=False, indent=2)


def import_json(db: Database, data: str | bytes | dict[str, Any]) -> int:
    """Store an `export_json` document as a new decision (new ids, original timestamps); returns its id."""
    decision = report.from_document(data)
    with write_transaction(db):
        decision.superseded_by = None  # ids from another journal mean nothing here
        new_id = _insert_decision(db, decision)
        for rec in decision.recommendations:
            rec.decision_id = new_id
            db.table("recommendations").insert(rec.to_row())
        for trial in decision.trials:
            save_trial(db, new_id, trial.to_dict())
        db.table("decisions").update(new_id, {"updated_at": decision.updated_at})
    return new_id


def _decision_row(db: Database, decision_id: int) -> Decision:
    rows = list(db.table("decisions").rows_where("id = ?", [decision_id]))
    if not rows:
        raise DecisionNotFound(f"no decision with id {decision_id} (see 'embedscout history')")
    return Decision.from_row(rows[0])


def _trial_row(db: Database, trial_id: int) -> dict[str, Any]:
    rows = list(db.table("trials").rows_where("id = ?", [trial_id]))
    if not rows:
        raise DecisionNotFound(f"no trial with id {trial_id}")
    return rows[0]


def _load_trial(db: Database, row: dict[str, Any]) -> TrialRecord:
    results = [
        json.loads(r["result_json"])
        for r in db.table("trial_results").rows_where("trial_id = ?", [row["id"]], order_by="id")
    ]
    return TrialRecord.from_row(row, results)


def _last_pk(table: Table) -> int:
    assert table.last_pk is not None
    return int(table.last_pk)


def _touch(db: Database, decision_id: int) -> None:
    db.table("decisions").update(decision_id, {"updated_at": utcnow()})


def _norm_tags(tags: Iterable[str]) -> tuple[str, ...]:
    if isinstance(tags, str):
        tags = [tags]
    seen: dict[str, None] = {}
    for tag in tags:
        if tag.strip():
            seen.setdefault(tag.strip(), None)
    return tuple(seen)


def _id_in(ids: list[int], column: str = "id") -> str:
    return f"{column} IN ({', '.join('?' for _ in ids)})"
