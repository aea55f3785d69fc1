"""The trial: documents (a path with completion, a folder browser, or the built-in demo), an optional
questions file, a sample size, the opt-ins (backend, checks, int8, API spend cap) and LLM-written questions.

The form becomes a `TrialPlan`; `tui.workflow.execute` runs it in a thread worker (STYLE E3) with a bar per
model, a status line (the estimate, then the running model's phase and the time left), live log lines and
Cancel (escape or ctrl+c) that the runner sees between batches; ctrl+q mid-trial stops it first. The finished
trial joins the draft, stamped with the profile it started under; the table shows the draft's latest trial
(with its winner stability under it) and says when it ran under an earlier profile.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.validation import Function
from textual.widgets import Button, Checkbox, DataTable, Footer, Header, Input, Label, RichLog
from textual.worker import Worker, WorkerState, get_current_worker

from tui.app.messages import ModelFinished, TrialLogged, TrialPhased, TrialProgressed
from tui.app.screens.base import AppScreen
from tui.app.widgets.path_input import PathSuggester
from tui.app.widgets.result_details import ResultDetails
from tui.app.widgets.results_table import ResultsTable
from tui.app.widgets.trial_options import QuestionOptions, TrialOptions, describe
from tui.app.widgets.trial_progress import TrialProgress
from tui.present import trial_progress as words
from tui.present.profile import profile_label
from tui.present.trial_notes import log_line, stability_lines
from tui.present.trial_rows import dataset_line
from tui.workflow import fields
from tui.workflow.errors import UserError
from tui.workflow.plan import Sample, Source, TrialPlan
from tui.workflow.scores import best_row

if TYPE_CHECKING:
    from evaluators.types import Dataset, ModelResult, TrialResult
    from tui.workflow.profile import Profile

DEFAULT_SAMPLE = "200"


@dataclass(frozen=True)
class _Run:
    """What a running trial started from: its plan and the profile (and revision) it runs under."""

    plan: TrialPlan
    revision: int
    profile: Profile


class TrialScreen(AppScreen):
    """Run the ticked models on the user's documents or the demo, and show the numbers."""

    CSS_PATH = "trial.tcss"
    AUTO_FOCUS = "#corpus-path"
    BINDINGS = [
        Binding("ctrl+r", "run", "Run trial"),
        Binding("escape", "cancel", "Cancel"),
        # Priority, or a focused Input takes ctrl+c as 'copy'; only while a trial runs (check_action).
        Binding("ctrl+c", "cancel_trial", "Cancel", show=False, priority=True),
        Binding("ctrl+o", "browse", "Browse…"),
        Binding("ctrl+e", "decide", "Decide"),
        Binding("ctrl+l", "details", "Details"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._worker: Worker[TrialResult] | None = None
        self._run: _Run | None = None
        self._stop = threading.Event()
        """Set by Cancel; the runner polls it between batches and returns what finished (complete=False)."""
        self._finished: list[ModelResult] = []
        """Rows that completed in the current run, shown while it runs."""
        self._shown: list[ModelResult] = []
        """The rows in the results table, in table order (row key = index), for the details pane."""
        self._drawn: TrialResult | None = None
        self._quitting = False
        """ctrl+q came mid-trial: the app exits once the runner has stopped."""

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
                yield Input(
                    DEFAULT_SAMPLE,
                    type="integer",
                    id="sample",
                    compact=True,
                    placeholder="all",
                    validators=[Function(lambda t: fields.check(fields.SAMPLE, t) is None)],
                    valid_empty=True,
                    tooltip="Documents to keep (empty: all of them)",
                )
            yield TrialOptions(id="trial-options", classes="form-row")
            yield QuestionOptions(id="question-options", classes="form-row")
            with Horizontal(classes="form-row"):
                yield Checkbox("Use built-in demo", id="use-demo", compact=True)
                yield Button("Run", id="run", variant="primary", compact=True)
                yield Button("Cancel", id="cancel", variant="error", compact=True, disabled=True)
                yield Button("Decide →", id="to-decide", compact=True)
            yield Label("", id="form-problem", classes="error-text")
            yield Label("", id="trial-models")
        yield TrialProgress(id="trial-progress")
        yield RichLog(id="trial-log", wrap=True, markup=False, max_lines=500)
        yield ResultsTable(id="results-table")
        yield Label("", id="trial-stability")
        yield ResultDetails(id="result-details")
        yield Footer(compact=True)  # built compact: switching it after mount rebuilds every key

    def on_mount(self) -> None:
        self.query_one(ResultDetails).show(None)
        self.es_app.quit_guards.append(self.stop_for_quit)

    # -- the draft ------------------------------------------------------------------------------------
    def render_draft(self) -> None:
        draft = self.draft
        refs = draft.trial_models()
        line = "Models: " + (", ".join(refs) if refs else "none ticked (F3 to pick)")
        latest = draft.latest_trial
        if latest is not None and not self._trial_running:
            line += f" · showing trial {latest.key} of {len(draft.trials)}"
            if not draft.is_current(latest):
                line += f", for an earlier profile ({profile_label(latest.profile)})"
        self.query_one("#trial-models", Label).update(line)
        self.set_class(latest is not None and not draft.is_current(latest), "-earlier")
        if latest is not None and not self._trial_running and latest.result is not self._drawn:
            self._drawn = latest.result
            self._show_rows(latest.result.results, cursor=self._winner_index(latest.result))
            self._show_stability(latest.result)

    @property
    def _trial_running(self) -> bool:
        return self._worker is not None and self._worker.is_running

    # -- starting -------------------------------------------------------------------------------------
    def _plan(self) -> TrialPlan:
        """The plan the form describes (UserError when a field cannot be read)."""
        corpus = self.query_one("#corpus-path", Input).value.strip()
        demo = self.query_one("#use-demo", Checkbox).value or not corpus
        sample = self.query_one("#sample", Input).value
        plan = TrialPlan(
            source=Source(
                None if demo else corpus, self.query_one("#queries-path", Input).value.strip() or None
            ),
            models=self.draft.trial_models(),
            sample=Sample(fields.parse_int(fields.SAMPLE, sample)),
            queries=self.query_one(QuestionOptions).queries(),
        )
        plan = self.query_one(TrialOptions).apply(plan)
        plan.validate()
        return plan

    def action_run(self) -> None:
        if self._trial_running:
            self.notify("A trial is already running.", severity="warning")
            return
        log = self.query_one("#trial-log", RichLog)
        try:
            plan = self._plan()
        except UserError as exc:
            log.write(f"Not started: {exc.message}")
            self.es_app.show_error(exc, "Trial not started")
            for label, field in (("Max $", "#max-usd"), ("Sample", "#sample"), ("LLM asks", "#llm-count")):
                if exc.message.startswith(label):
                    self.query_one(field, Input).focus()
            return
        self._run = _Run(plan, self.draft.revision, self.draft.profile)
        self._finished = []
        self.query_one(TrialProgress).start(list(plan.models))
        self._show_rows([])
        self._show_stability(None)
        log.clear()
        where = "the built-in demo" if plan.source.demo else str(plan.source.corpus)
        sample = f", sample {plan.sample.docs}" if plan.sample.docs else ""
        log.write(f"Trial of {len(plan.models)} model(s) on {where}{sample}{describe(plan)}")
        self._set_running(True)
        self._stop.clear()
        self._worker = self._trial_in_thread(plan)

    @work(thread=True, exclusive=True, group="trial", exit_on_error=False)
    def _trial_in_thread(self, plan: TrialPlan) -> TrialResult:
        from tui.workflow.execute import TrialEvents, execute

        me = get_current_worker()

        def post(message: Message) -> None:
            self.post_message(message)

        def ready(ds: Dataset) -> None:
            post(
                TrialLogged(
                    dataset_line(ds.name, len(ds.corpus), len(ds.queries), ds.query_origin, ds.synthetic),
                    status=True,
                )
            )

        post(TrialLogged(words.READING))
        events = TrialEvents(
            note=lambda line: post(TrialLogged(line)),
            dataset_ready=ready,
            progress=lambda model, done, total: post(TrialProgressed(model, done, total)),
            model_done=lambda row: post(ModelFinished(row)),
            should_stop=lambda: me.is_cancelled or self._stop.is_set(),
            phase=lambda e: post(TrialPhased(e.model, e.phase, e.text, e.estimate_s)),
        )
        return execute(plan, events=events, services=self.services)

    # -- progress -------------------------------------------------------------------------------------
    @on(TrialProgressed)
    def _on_progressed(self, event: TrialProgressed) -> None:
        self.query_one(TrialProgress).advance(event.model, event.done, event.total)

    @on(TrialLogged)
    def _on_logged(self, event: TrialLogged) -> None:
        self.query_one("#trial-log", RichLog).write(event.line)
        if event.status and not self._stop.is_set():
            self.query_one(TrialProgress).say(event.line + " · estimating…")

    @on(TrialPhased)
    def _on_phased(self, event: TrialPhased) -> None:
        progress = self.query_one(TrialProgress)
        if event.phase == "estimate":
            total = progress.estimate(event.model, event.text, event.estimate_s)
            lines = [f"Estimate {event.model}: {event.text}" if event.model else f"Estimate: {event.text}"]
            lines += [total] if total else []
        elif event.phase == "replay":  # an unchanged trial: its kept result, nothing recomputed
            progress.say(event.text)
            lines = [event.text]
        else:
            progress.phase(event.model, event.phase)
            lines = [f"{event.model}: {event.text}"]
        for line in lines:
            self.query_one("#trial-log", RichLog).write(line)

    @on(ModelFinished)
    def _on_model_finished(self, event: ModelFinished) -> None:
        row = event.result
        self._finished.append(row)
        self.query_one(TrialProgress).finish(str(row.details.get("ref", row.model)), row.status, row.model)
        self.query_one("#trial-log", RichLog).write(log_line(row))
        self._show_rows(self._finished)

    @on(Worker.StateChanged)
    def _on_worker_state(self, event: Worker.StateChanged) -> None:
        if event.worker is not self._worker or not event.worker.is_finished:
            return
        self._set_running(False)
        if self._quitting:
            self.app.exit()
            return
        log = self.query_one("#trial-log", RichLog)
        log.call_after_refresh(log.scroll_end, animate=False)  # the log shrinks now: keep its last lines
        refused = isinstance(event.worker.error, UserError)
        progress = self.query_one(TrialProgress)
        if event.state is WorkerState.SUCCESS and self._run is not None:
            result: Any = event.worker.result
            at = progress.stop_waiting("not run", stopped=not result.complete)
            self._finish(self._run, result, at)
        elif event.state is WorkerState.CANCELLED:
            log.write(
                f"Cancelled: {len(self._finished)} model(s) had finished; not kept (the app is closing)."
            )
        else:
            progress.stop_waiting("not run")
            progress.stopped(f"{'Not started' if refused else 'Failed'}: {event.worker.error}")
            log.write(f"Error: {event.worker.error}")
            # Bad input (unreadable folder, over the spend cap): nothing ran, so nothing failed.
            self.es_app.show_error(event.worker.error, "Trial not started" if refused else "Trial failed")
        self.render_draft()

    def _finish(self, run: _Run, result: TrialResult, stopped_at: str | None) -> None:
        """Add the trial to the draft (under the profile it started with) and say how it went."""
        self.draft = self.draft.with_trial(run.plan, result, revision=run.revision, profile=run.profile)
        log = self.query_one("#trial-log", RichLog)
        for severity, title, message in words.outcome_notices(result.results, complete=result.complete):
            self.notify(message, title=title, severity=severity, timeout=10)  # type: ignore[arg-type]
        best = best_row(result.results)
        progress = self.query_one(TrialProgress)
        if not result.complete:
            line = words.stopped_line(words.kept(result.results), stopped_at)
            log.write(line)
            progress.stopped(line)
        else:
            progress.done(f"Done: {best.model} best" if best else "Done: no model produced results")
        log.write(f"Done. Winner: {best.model}" if best else "Done: no model produced results.")

    # -- results and details --------------------------------------------------------------------------
    def _show_rows(self, rows: list[ModelResult], *, cursor: int | None = None) -> None:
        self._shown = list(rows)
        table = self.query_one(ResultsTable)
        table.show(self._shown, cursor=cursor)
        self._show_details(table.cursor_row)

    @staticmethod
    def _winner_index(result: TrialResult) -> int | None:
        best = best_row(result.results)
        return next((i for i, r in enumerate(result.results) if r is best), None)

    def _show_stability(self, result: TrialResult | None) -> None:
        """The winner-stability line under the table (a warning when the sample could change the answer or
        the winner is not firm); its full account is the line's tooltip."""
        label = self.query_one("#trial-stability", Label)
        view = stability_lines(result.stability, result.results) if result is not None else None
        label.display = view is not None
        if view is not None:
            summary, detailed, warn = view
            label.update(("⚠ " if warn else "") + summary)
            label.tooltip = detailed
            label.set_class(warn, "-warning")

    def _show_details(self, index: int) -> None:
        self.query_one(ResultDetails).show(self._shown[index] if 0 <= index < len(self._shown) else None)

    @on(DataTable.RowHighlighted, "#results-table")
    def _on_result_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_details(event.cursor_row)

    def _set_running(self, running: bool) -> None:
        self.set_class(running, "-running")
        self.query_one("#run", Button).disabled = running
        self.query_one("#cancel", Button).disabled = not running

    # -- other actions --------------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # ctrl+c cancels only while a trial runs; otherwise it stays the app's (or an Input's copy).
        return self._trial_running if action == "cancel_trial" else True

    def action_cancel_trial(self) -> None:
        self.action_cancel()

    def action_cancel(self) -> None:
        if self._trial_running and not self._stop.is_set():
            self.query_one("#trial-log", RichLog).write("Cancelling after the current batch…")
            self.query_one(TrialProgress).stopped("Stopping after the current batch…")
            # Not worker.cancel(): that would discard the partial TrialResult the runner returns.
            self._stop.set()

    def stop_for_quit(self) -> bool:
        """The app's quit asks first: a running trial is told to stop and says 'stopping…' at once; the app
        exits when the runner has stopped (True: the quit is taken care of). A second ctrl+q quits now."""
        if not self._trial_running or self._quitting:
            return False
        self._quitting = True
        self._stop.set()
        self.query_one(TrialProgress).stopped("Stopping the trial, then quitting… (ctrl+q again: now)")
        self.notify("Stopping the trial after the current batch, then quitting…", title="Quitting")
        return True

    def action_browse(self) -> None:
        from tui.app.screens.path_picker import PathPickerScreen

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

    @on(Input.Changed, "#sample, #max-usd, #llm-count, #llm-model")
    def _on_number_changed(self) -> None:
        """The first wrong field's message under the form; Run is disabled until it is fixed."""
        value = {name: self.query_one(f"#{name}", Input).value for name in ("sample", "max-usd", "llm-count")}
        problem = fields.check_trial_form(
            value["sample"], value["max-usd"], value["llm-count"], self.query_one("#llm-model", Input).value
        )
        label = self.query_one("#form-problem", Label)
        label.update(problem or "")
        label.display = problem is not None
        self.query_one("#run", Button).disabled = problem is not None or self._trial_running

    @on(Input.Submitted, "#corpus-path, #queries-path, #sample, #llm-count, #llm-model")
    def _on_submitted(self) -> None:
        self.action_run()
