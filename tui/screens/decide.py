"""Decide: pick the model, say why, and save answers + shortlist + trial + choice to the journal.

The write is several storage calls (create, attach, save trial, decide), so it runs in a thread worker that
opens its own connection (rule 10); the screen only gathers the inputs and reports the outcome.
"""

from __future__ import annotations

from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, Footer, Header, Input, Label, Select, Static, TextArea
from textual.worker import Worker, WorkerState

from tui.messages import DecisionSaved
from tui.screens.base import AppScreen
from tui.state import DOMAINS, build_requirements
from tui.widgets.results_table import PRIMARY, winner


class DecideScreen(AppScreen):
    """The trial's winner is preselected; any ticked or shortlisted model can be chosen instead."""

    CSS_PATH = "decide.tcss"
    AUTO_FOCUS = "#choice"
    BINDINGS = [
        Binding("ctrl+s", "save", "Save decision"),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="decide-body"):
            yield Static("", id="decide-evidence")
            yield Label("Chosen model", classes="field-label")
            yield Select[str]([], id="choice", prompt="Pick the model you will use")
            yield Label("Title", classes="field-label")
            yield Input(id="title", placeholder="What is this decision about?")
            yield Label("Why (rationale, saved as written)", classes="field-label")
            yield TextArea(id="rationale", soft_wrap=True)
            with Horizontal(id="decide-buttons"):
                yield Button("Save decision", id="save", variant="primary", compact=True)
                yield Button("History", id="to-history", compact=True)
                yield Label("", id="saved-note")
        yield Footer()

    def on_mount(self) -> None:
        self._refresh()

    def on_screen_resume(self) -> None:
        self._refresh()

    def _options(self) -> list[tuple[str, str]]:
        """Trial rows (best first), then ticked models, then the top shortlist: each once."""
        seen: dict[str, str] = {}
        trial = self.session.last_trial
        if trial is not None:
            ok = sorted(
                (r for r in trial.results if r.status == "ok"), key=lambda r: -r.metrics.get(PRIMARY, 0.0)
            )
            for r in ok:
                seen.setdefault(r.model, f"{r.model} (trial {PRIMARY} {r.metrics.get(PRIMARY, 0):.3f})")
        for ref in self.session.trial_refs():
            seen.setdefault(ref, f"{ref} (ticked)")
        rec = self.session.recommendation
        for c in rec.candidates[:10] if rec is not None else []:
            seen.setdefault(c.spec.id, f"{c.spec.name} (shortlist score {c.score:.1f})")
        return [(label, ref) for ref, label in seen.items()]

    def _refresh(self) -> None:
        options = self._options()
        choice = self.query_one("#choice", Select)
        current = choice.value
        choice.set_options(options)
        trial = self.session.last_trial
        best = winner(trial.results) if trial is not None else None
        values = [v for _, v in options]
        if current in values:
            choice.value = current
        elif best is not None:
            choice.value = best.model
        elif values:
            choice.value = values[0]
        title = self.query_one("#title", Input)
        if not title.value:
            a = self.session.answers
            title.value = (
                f"Embedding model for {dict(DOMAINS)[a.domain].lower()} RAG ({', '.join(a.languages)})"
            )
        self.query_one("#decide-evidence", Static).update(self._evidence(best))

    def _evidence(self, best: Any) -> str:
        trial = self.session.last_trial
        rec = self.session.recommendation
        lines = [
            f"Shortlist: {len(rec.candidates)} ranked, top {rec.candidates[0].spec.name}"
            if rec is not None and rec.candidates
            else "Shortlist: not computed yet (F3)."
        ]
        if trial is None:
            lines.append("Trial: none yet (F4). You can still decide on the shortlist alone.")
        else:
            ok = sum(r.status == "ok" for r in trial.results)
            lines.append(
                f"Trial on {trial.dataset.get('name', '?')}: {ok}/{len(trial.results)} models ok"
                + (f", winner {best.model} ({PRIMARY} {best.metrics[PRIMARY]:.3f})" if best else "")
                + ("" if trial.complete else " (incomplete)")
            )
        return "\n".join(lines)

    # -- saving -------------------------------------------------------------------------------------
    def action_save(self) -> None:
        choice = self.query_one("#choice", Select).value
        if not isinstance(choice, str):
            self.notify("Pick a model first.", severity="warning")
            return
        title = self.query_one("#title", Input).value.strip() or "Untitled decision"
        note = self.query_one("#rationale", TextArea).text
        try:
            requirements = build_requirements(self.session.answers, self.services.requirements_cls())
        except ValueError as exc:
            self.notify(str(exc), title="Answers are invalid", severity="error")
            return
        self.query_one("#save", Button).disabled = True
        trial = self.session.last_trial
        self._save_in_thread(
            title=title,
            requirements=requirements,
            model=choice,
            note=note,
            recommendation=self.session.current_recommendation(),
            trial={**trial.to_dict(), "settings": self.session.trial_settings} if trial is not None else None,
        )

    @work(thread=True, exclusive=True, group="save", exit_on_error=False)
    def _save_in_thread(
        self,
        *,
        title: str,
        requirements: Any,
        model: str,
        note: str,
        recommendation: Any,
        trial: dict[str, Any] | None,
    ) -> int:
        if recommendation is None:
            # The shortlist was never shown (or the answers changed since): rank now, so the journal keeps
            # the recommendation that goes with the saved answers.
            recommendation = self.services.recommend(requirements, self.services.load_catalog())
        journal = self.services.journal()
        db = self.services.open_db()
        try:
            decision_id = int(journal.create_decision(db, title=title, requirements=requirements.to_dict()))
            journal.attach_recommendation(db, decision_id, recommendation.to_dict())
            if trial is not None:
                journal.save_trial(db, decision_id, trial)
            journal.decide(db, decision_id, model=model, note=note)
            return decision_id
        finally:
            close = getattr(db, "close", None)
            if callable(close):
                close()

    @on(Worker.StateChanged)
    def _on_worker_state(self, event: Worker.StateChanged) -> None:
        if event.worker.group != "save" or not event.worker.is_finished:
            return
        self.query_one("#save", Button).disabled = False
        if event.state is WorkerState.SUCCESS:
            result: Any = event.worker.result
            decision_id = int(result)
            self.session.decision_id = decision_id
            self.query_one("#saved-note", Label).update(f"Saved as decision #{decision_id}")
            self.notify(f"Decision #{decision_id} saved to the journal.", title="Saved")
            self.app.post_message(DecisionSaved(decision_id))
        elif event.state is WorkerState.ERROR:
            self.notify(str(event.worker.error), title="Could not save", severity="error")

    @on(Button.Pressed, "#save")
    def _on_save_pressed(self) -> None:
        self.action_save()

    @on(Button.Pressed, "#to-history")
    def _on_history_pressed(self) -> None:
        self.es_app.action_goto("history")
