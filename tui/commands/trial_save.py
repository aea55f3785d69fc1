"""`embedscout trial --save`: the journal record of a trial, written while it runs."""

from __future__ import annotations

from typing import Any

import click


class TrialSaver:
    """--save: the trial record exists (status incomplete) before models run; each row lands as its model
    finishes (so a killed trial keeps them), and the final rows, compared with the best, replace them."""

    def __init__(self, decision: int | None, title: str | None) -> None:
        from storage.store import StorageError, create_decision, open_db

        try:  # before the trial runs: an unusable journal is a one-line error, not a lost run
            self.db = open_db(writable=True)
        except StorageError as exc:
            raise click.ClickException(f"--save: {exc}") from None
        self.decision = decision
        self._create, self._title = create_decision, title
        self.trial_id: int | None = None
        self._worker_db: Any = None

    def begin(self, dataset: Any, settings: dict[str, Any]) -> None:
        from evaluators.hardware import environment
        from evaluators.runner import describe_dataset
        from storage.store import StorageError, begin_trial

        try:
            if self.decision is None:
                self.decision = self._create(
                    self.db, title=self._title or f"Trial on {dataset.name}", requirements={}
                )
            info = describe_dataset(dataset, len(dataset.queries))
            self.trial_id = begin_trial(
                self.db, self.decision, dataset=info, settings=settings, environment=environment()
            )
        except StorageError as exc:
            raise click.ClickException(str(exc)) from None

    def add(self, row: Any) -> None:
        """on_model_done, in the trial's worker thread (which needs its own connection)."""
        from storage.store import StorageError, add_trial_result, open_db

        assert self.trial_id is not None
        try:
            if self._worker_db is None:
                self._worker_db = open_db()
            add_trial_result(self._worker_db, self.trial_id, row)
        except StorageError as exc:  # the final save still tries; never kill the trial over it
            click.echo(f"embedscout: warning: could not save {row.model} yet: {exc}", err=True)

    def finish(self, result: Any) -> None:
        from storage.store import StorageError, finish_trial

        assert self.trial_id is not None
        rows = [r for r in result.results if r.status != "cancelled"]
        try:
            finish_trial(
                self.db, self.trial_id, complete=result.complete, results=rows, stability=result.stability
            )
        except StorageError as exc:
            raise click.ClickException(str(exc)) from None
        click.echo(f"Saved trial #{self.trial_id} under decision #{self.decision}.", err=True)
