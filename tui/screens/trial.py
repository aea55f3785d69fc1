"""The trial: documents (a path with completion, a folder browser, or the built-in demo), an optional
queries file, a sample size and the opt-ins (backend, deeper checks, int8, API spend cap); then
`evaluators.runner.run_trial` in a thread worker (STYLE E3) with a bar per model, live log lines, and
Cancel (escape) that the runner sees between batches. The highlighted result's details show below the table.

Loading documents and encoding happen only in the worker; the UI thread only renders messages.
"""

from __future__ import annotations

import threading
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Checkbox, DataTable, Footer, Header, Input, Label, RichLog
from textual.worker import Worker, WorkerState, get_current_worker

from tui.messages import ModelFinished, TrialLogged, TrialProgressed
from tui.screens.base import AppScreen
from tui.trial_text import log_tail
from tui.widgets.path_input import PathSuggester
from tui.widgets.result_details import ResultDetails
from tui.widgets.results_table import PRIMARY, ResultsTable, winner
from tui.widgets.trial_options import TrialOptions, describe
from tui.widgets.trial_progress import TrialProgress


class TrialScreen(AppScreen):
    """Run the ticked models on the user's documents or the demo, and show the numbers."""

    CSS_PATH = "trial.tcss"
    AUTO_FOCUS = "#corpus-path"
    BINDINGS = [
        Binding("ctrl+r", "run", "Run trial"),
        Binding("escape", "cancel", "Cancel"),
        Binding("ctrl+o", "browse", "Browse…"),
        Binding("ctrl+e", "decide", "Decide"),
        Binding("ctrl+l", "details", "Details"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._worker: Worker[Any] | None = None
        self._stop = threading.Event()
        """Set by Cancel; the runner polls it between batches and returns what finished (complete=False)."""
        self._finished: list[Any] = []
        """Rows that completed in the current run (kept when the run is cancelled)."""
        self._shown: list[Any] = []
        """The rows in the results table, in table order (row key = index), for the details pane."""

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="trial-form"):
            with Horizontal(classes="form-row"):
                yield Label("Documents", classes="form-label")
                yield Input(
                    placeholder="folder or file (→ completes)",
                    id="corpus-path",
                    suggester=PathSuggester(),
                    compact=True,
                )
                yield Button("Browse…", id="browse", compact=True)
            with Horizontal(classes="form-row"):
                yield Label("Queries", classes="form-label")
                yield Input(
                    placeholder="optional JSONL/CSV",
                    id="queries-path",
                    suggester=PathSuggester(),
                    compact=True,
                )
                yield Label(" Sample", classes="form-label-short")
                yield Input("200", type="integer", id="sample", compact=True)
            yield TrialOptions(id="trial-options", classes="form-row")
            with Horizontal(classes="form-row"):
                yield Checkbox("Use built-in demo", id="use-demo", compact=True)
                yield Button("Run", id="run", variant="primary", compact=True)
                yield Button("Cancel", id="cancel", variant="error", compact=True, disabled=True)
                yield Button("Decide →", id="to-decide", compact=True)
            yield Label("", id="trial-models")
        yield TrialProgress(id="trial-progress")
        yield RichLog(id="trial-log", wrap=True, markup=False, max_lines=500)
        yield ResultsTable(id="results-table")
        yield ResultDetails(id="result-details")
        yield Footer()

    def on_mount(self) -> None:
        self._show_models()
        self.query_one(ResultDetails).show(None)
        if self.session.last_trial is not None:
            self._show_rows(self.session.last_trial.results, cursor=self._winner_index())

    def on_screen_resume(self) -> None:
        self._show_models()

    def _show_models(self) -> None:
        refs = self.session.trial_refs()
        self.query_one("#trial-models", Label).update(
            "Models: " + (", ".join(refs) if refs else "none ticked (F3 to pick)")
        )

    # -- starting -----------------------------------------------------------------------------------
    def action_run(self) -> None:
        if self._worker is not None and self._worker.is_running:
            self.notify("A trial is already running.", severity="warning")
            return
        refs = self.session.trial_refs()
        if not refs:
            self.notify("Tick at least one model on the shortlist (F3).", severity="warning")
            return
        try:
            options = self.query_one(TrialOptions).options()
        except ValueError as exc:
            self.query_one("#trial-log", RichLog).write(f"Not started: {exc}")
            self.notify(str(exc), title="Trial not started", severity="error")
            self.query_one("#max-usd", Input).focus()
            return
        corpus = self.query_one("#corpus-path", Input).value.strip()
        demo = self.query_one("#use-demo", Checkbox).value or not corpus
        sample_text = self.query_one("#sample", Input).value.strip()
        source = {
            "demo": demo,
            "corpus": None if demo else corpus,
            "queries": self.query_one("#queries-path", Input).value.strip() or None,
            "sample": int(sample_text) if sample_text.isdigit() and int(sample_text) > 0 else None,
        }
        self.session.trial_source = source
        self.session.trial_settings = {"models": refs, **source, **options}
        self._finished = []
        self.query_one(TrialProgress).start(refs)
        self._show_rows([])
        log = self.query_one("#trial-log", RichLog)
        log.clear()
        log.write(
            f"Trial of {len(refs)} model(s) on "
            + ("the built-in demo" if demo else corpus)
            + (f", sample {source['sample']}" if source["sample"] else "")
            + describe(options)
        )
        self._set_running(True)
        self._stop.clear()
        self._worker = self._trial_in_thread(source, refs, options)

    @work(thread=True, exclusive=True, group="trial", exit_on_error=False)
    def _trial_in_thread(self, source: dict[str, Any], refs: list[str], options: dict[str, Any]) -> Any:
        from evaluators.datasets import reading_notes

        me = get_current_worker()
        post = self.post_message
        post(TrialLogged("Reading documents…"))
        if source["demo"]:
            dataset = self.services.load_demo(sample=source["sample"])
        else:
            dataset = self.services.load_dataset(source["corpus"], source["queries"], sample=source["sample"])
        post(
            TrialLogged(
                f"{dataset.name}: {len(dataset.corpus)} passages, {len(dataset.queries)} queries"
                + (f" ({dataset.query_origin}, synthetic)" if dataset.synthetic else "")
            )
        )
        for line in reading_notes(dataset.info):  # skipped files, dropped queries: as the CLI shows them
            post(TrialLogged(line))
        return self.services.run_trial(
            dataset,
            refs,
            on_progress=lambda model, done, total: post(TrialProgressed(model, done, total)),
            on_model_done=lambda result: post(ModelFinished(result)),
            should_stop=lambda: me.is_cancelled or self._stop.is_set(),
            **options,
        )

    # -- progress -----------------------------------------------------------------------------------
    @on(TrialProgressed)
    def _on_progressed(self, event: TrialProgressed) -> None:
        self.query_one(TrialProgress).advance(event.model, event.done, event.total)

    @on(TrialLogged)
    def _on_logged(self, event: TrialLogged) -> None:
        self.query_one("#trial-log", RichLog).write(event.line)

    @on(ModelFinished)
    def _on_model_finished(self, event: ModelFinished) -> None:
        row = event.result
        self._finished.append(row)
        ref = str((row.details or {}).get("ref", row.model))
        self.query_one(TrialProgress).finish(ref, row.status, row.model)
        if row.status == "ok":
            line = f"{row.model}: {PRIMARY} {row.metrics.get(PRIMARY, float('nan')):.3f}" + log_tail(row)
        else:
            line = f"{row.model}: {row.status} ({row.error})"
        self.query_one("#trial-log", RichLog).write(line)
        self._show_rows(self._finished)

    @on(Worker.StateChanged)
    def _on_worker_state(self, event: Worker.StateChanged) -> None:
        if event.worker is not self._worker or not event.worker.is_finished:
            return
        from evaluators.types import TrialCancelled, TrialInputError  # loaded by the worker already

        self._set_running(False)
        log = self.query_one("#trial-log", RichLog)
        refused = isinstance(event.worker.error, TrialInputError)
        self.query_one(TrialProgress).stop_waiting("not run" if refused else "stopped")
        if event.state is WorkerState.SUCCESS:
            self._show_result(event.worker.result)
        elif event.state is WorkerState.CANCELLED:
            log.write(f"Cancelled: kept {len(self._finished)} finished model(s).")
            self._keep_partial()
            self.notify("Trial cancelled.", severity="warning")
        else:
            error = event.worker.error
            if isinstance(error, TrialCancelled):
                self._keep_partial()
                log.write("Cancelled.")
                return
            log.write(f"Error: {error}")
            # Bad input (unreadable folder, over the spend cap): nothing ran, so nothing failed.
            title = "Trial not started" if refused else "Trial failed"
            self.notify(str(error), title=title, severity="error", timeout=10)

    def _show_result(self, result: Any) -> None:
        self.session.last_trial = result
        self._show_rows(result.results, cursor=self._winner_index())
        dense_ok = [r for r in result.results if r.status == "ok" and r.model != "bm25"]
        failed = [r for r in result.results if r.status == "failed"]
        if failed and not dense_ok:
            self.notify(
                "No embedding model could be loaded (offline, or not installed?): "
                + "; ".join(f"{r.model}: {r.error}" for r in failed)[:300],
                title="Models failed",
                severity="error",
                timeout=10,
            )
        best = winner(result.results)
        log = self.query_one("#trial-log", RichLog)
        if not result.complete:
            kept = sum(r.status != "cancelled" for r in result.results)
            log.write(f"Cancelled: kept {kept} finished model(s).")
            self.notify("Trial cancelled; finished models are kept.", severity="warning")
        log.write(f"Done. Winner: {best.model}" if best else "Done: no model produced results.")

    # -- results and details ------------------------------------------------------------------------
    def _show_rows(self, rows: list[Any], *, cursor: int | None = None) -> None:
        self._shown = list(rows)
        table = self.query_one(ResultsTable)
        table.show(self._shown, cursor=cursor)
        self._show_details(table.cursor_row)

    def _winner_index(self) -> int | None:
        trial = self.session.last_trial
        best = winner(trial.results) if trial is not None else None
        return next((i for i, r in enumerate(trial.results) if r is best), None) if best else None

    def _show_details(self, index: int) -> None:
        row = self._shown[index] if 0 <= index < len(self._shown) else None
        self.query_one(ResultDetails).show(row)

    @on(DataTable.RowHighlighted, "#results-table")
    def _on_result_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_details(event.cursor_row)

    def _keep_partial(self) -> None:
        if not self._finished:
            return
        from evaluators.types import TrialResult  # a plain dataclass module; no ML imports

        self.session.last_trial = TrialResult(
            dataset={"name": "partial"}, results=list(self._finished), complete=False
        )

    def _set_running(self, running: bool) -> None:
        self.set_class(running, "-running")
        self.query_one("#run", Button).disabled = running
        self.query_one("#cancel", Button).disabled = not running

    # -- other actions ------------------------------------------------------------------------------
    def action_cancel(self) -> None:
        if self._worker is not None and self._worker.is_running and not self._stop.is_set():
            self.query_one("#trial-log", RichLog).write("Cancelling after the current batch…")
            # Not worker.cancel(): that would discard the partial TrialResult the runner returns.
            self._stop.set()

    def action_browse(self) -> None:
        from tui.screens.path_picker import PathPickerScreen

        def chosen(path: str | None) -> None:
            if path:
                self.query_one("#corpus-path", Input).value = path
                self.query_one("#use-demo", Checkbox).value = False

        self.app.push_screen(PathPickerScreen(), chosen)

    def action_details(self) -> None:
        """Toggle the details pane filling the screen (escape also restores it)."""
        if self.maximized is not None:
            self.minimize()
            return
        details = self.query_one(ResultDetails)
        details.focus()
        self.maximize(details, container=False)

    def action_decide(self) -> None:
        self.es_app.action_goto("decide")

    @on(Button.Pressed)
    def _on_button(self, event: Button.Pressed) -> None:
        actions = {
            "run": self.action_run,
            "cancel": self.action_cancel,
            "browse": self.action_browse,
            "to-decide": self.action_decide,
        }
        if event.button.id in actions:
            actions[event.button.id]()

    @on(Input.Submitted, "#corpus-path, #queries-path, #sample")
    def _on_submitted(self) -> None:
        self.action_run()
