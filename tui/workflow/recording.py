"""How a trial lands in the journal, the same record from both front ends.

`trial_record` is what Decide saves for a finished trial; `LiveRecord` is `embedscout trial --save`, which
opens the record before any model runs and adds each row as its model finishes, so a killed trial keeps
what it measured. Both write the plan's settings, the runner's dataset description and the kept rows.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tui.workflow.errors import UserError
from tui.workflow.plan import TrialPlan
from tui.workflow.services import Services

if TYPE_CHECKING:
    from evaluators.types import Dataset, ModelResult, TrialResult
    from storage.sqlite_lib import Database


def kept_rows(result: TrialResult) -> list[ModelResult]:
    """The rows a journal keeps: every model that finished (ok or failed), not the one stopped mid-way."""
    return [r for r in result.results if r.status != "cancelled"]


def trial_record(plan: TrialPlan, result: TrialResult) -> dict[str, Any]:
    """A finished trial as `storage.store.save_trial` takes it."""
    return {
        "dataset": result.dataset,
        "settings": plan.settings(),
        "environment": result.environment,
        "results": [r.to_dict() for r in kept_rows(result)],
        "complete": result.complete,
        "started_at": result.started_at,
        "finished_at": result.finished_at,
    }


class LiveRecord:
    """A trial filed while it runs: `begin` before the first model, `add` per finished row (from the
    trial's thread, on its own connection), `finish` with the final rows compared with the best."""

    def __init__(
        self, plan: TrialPlan, services: Services, *, decision: int | None, title: str | None
    ) -> None:
        self.plan, self.services = plan, services
        self.decision, self.title = decision, title
        self.trial_id: int | None = None
        self.warnings: list[str] = []
        """Rows that could not be saved as they finished (the final save still tries)."""
        self._worker_db: Database | None = None

    def begin(self, dataset: Dataset) -> None:
        from evaluators.hardware import environment
        from evaluators.runner import describe_dataset, scored_queries
        from storage import store

        db = self.services.open_db()
        try:
            if self.decision is None:
                self.decision = store.create_decision(
                    db, title=self.title or f"Trial on {dataset.name}", requirements={}
                )
            info = describe_dataset(dataset, len(scored_queries(dataset)))
            self.trial_id = store.begin_trial(
                db, self.decision, dataset=info, settings=self.plan.settings(), environment=environment()
            )
        finally:
            db.close()

    def add(self, row: ModelResult) -> None:
        from storage.store import StorageError, add_trial_result

        if self.trial_id is None:
            return
        try:
            if self._worker_db is None:
                self._worker_db = self.services.open_db()
            add_trial_result(self._worker_db, self.trial_id, row)
        except StorageError as exc:  # never kill the trial over it: finish() saves every row again
            self.warnings.append(f"could not save {row.model} yet: {exc}")

    def finish(self, result: TrialResult) -> str:
        """Replace the running rows with the final ones; returns the line that says where it was filed."""
        from storage.store import finish_trial

        if self.trial_id is None:
            raise UserError("the trial was not recorded: it stopped before any model ran")
        db = self.services.open_db()
        try:
            finish_trial(
                db,
                self.trial_id,
                complete=result.complete,
                results=kept_rows(result),
                stability=result.stability,
            )
        finally:
            db.close()
        return f"Saved trial #{self.trial_id} under decision #{self.decision}."
