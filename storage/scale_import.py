"""File a trial that ran elsewhere (mteb on a GPU box) next to the local trial it was exported from.

The imported trial is matched by the fingerprint of the data its local twin ran on, so it lands under the
same decision and reads side by side with it in `show`, `diff`, exports and the TUI. A run is filed once:
its run id is kept in the trial's settings, and a second import of it is refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from storage.db import StorageError
from storage.sqlite_lib import Database
from storage.store import get_decision, save_trial


@dataclass(frozen=True)
class FiledTrial:
    trial_id: int
    decision_id: int
    twin_trial_id: int | None
    """The local trial on the same data (the exported one when it is still in the journal)."""


def file_mteb_trial(db: Database, trial: dict[str, Any], *, decision_id: int | None = None) -> FiledTrial:
    """Store `MtebRun.to_trial()` beside its local twin, else under `decision_id` (else StorageError)."""
    settings = trial.get("settings") or {}
    run_id = str(settings.get("mteb_run_id") or "")
    fingerprint = str((trial.get("dataset") or {}).get("trial_fingerprint") or "")
    if not run_id or not fingerprint:
        raise StorageError("not an mteb run record (no run id or trial fingerprint)")
    done = db.execute(
        "SELECT id, decision_id FROM trials WHERE json_extract(settings_json, '$.mteb_run_id') = ?", [run_id]
    ).fetchone()
    if done:
        raise StorageError(f"this run is already in the journal: trial #{done[0]} under decision #{done[1]}")
    twin = _twin(db, fingerprint, settings.get("exported_from_trial"))
    if decision_id is not None:
        target = decision_id
    elif twin is not None:
        target = twin[1]
    else:
        raise StorageError(
            f"its data (fingerprint {fingerprint[:12]}) matches no trial in this journal: save the local "
            "trial first (embedscout trial ... --save), or pass --decision N to file it there anyway"
        )
    get_decision(db, target, with_children=False)  # DecisionNotFound, one line, before anything is written
    doc = {**trial, "settings": {**settings, "twin_trial": twin[0] if twin else None}}
    return FiledTrial(save_trial(db, target, doc), target, twin[0] if twin else None)


def _twin(db: Database, fingerprint: str, exported_id: Any) -> tuple[int, int] | None:
    """(trial id, decision id) of the local trial on this data: the exported one, else the newest."""
    rows = db.execute(
        "SELECT id, decision_id FROM trials WHERE dataset_fingerprint = ?"
        " AND json_extract(settings_json, '$.mteb_run_id') IS NULL ORDER BY id DESC",
        [fingerprint],
    ).fetchall()
    found = [(int(r[0]), int(r[1])) for r in rows]
    return next((t for t in found if t[0] == exported_id), found[0] if found else None)
