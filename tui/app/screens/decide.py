"""Decide: which trials back the decision, the chosen model, a title and why; saved in one transaction.

Everything shown comes from the draft: trials that ran under an earlier profile are marked and left out
unless the user ticks them and confirms; changing the answers re-derives the suggested model and title (a
title the user typed is kept). Saving runs `DecisionDraft.decide` in a thread worker; saving the same thing
again writes nothing and says "already saved".
"""

from __future__ import annotations

from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.widgets import Button, Footer, Header, Input, Label, Select, SelectionList, Static, TextArea
from textual.widgets.selection_list import Selection
from textual.worker import Worker, WorkerState

from tui.app.screens.base import AppScreen
from tui.present.formats import short_names
from tui.present.profile import profile_label
from tui.workflow.draft import Choice, Decided, DecisionDraft, DraftTrial
from tui.workflow.scores import PRIMARY, PRIMARY_LABEL, best_row


class DecideScreen(AppScreen):
    """The best model of the backing trials is preselected; any ticked or shortlisted model can be chosen."""

    CSS_PATH = "decide.tcss"
    AUTO_FOCUS = "#choice"
    BINDINGS = [Binding("ctrl+s", "save", "Save decision")]

    def __init__(self) -> None:
        super().__init__()
        self._revision: int | None = None
        """The profile revision last shown: a change resets the trial selection and the suggestions."""
        self._auto_title = ""
        """The title this screen filled in; a different value was typed by the user and is kept."""
        self._backing_set_by_user = False
        self._auto_choice: str | None = None
        """The model this screen suggested; a different choice was the user's and is kept."""

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="decide-body"):
            yield Static("", id="decide-evidence")
            yield Label(
                "Trials that back this decision (space ticks)", classes="field-label", id="backing-label"
            )
            yield SelectionList[int](id="backing", compact=True)
            with Horizontal(classes="form-row"):
                yield Label("Model", classes="form-label")
                yield Select[str]([], id="choice", prompt="Pick the model you will use", compact=True)
            with Horizontal(classes="form-row"):
                yield Label("Title", classes="form-label")
                yield Input(id="title", placeholder="What is this decision about?", compact=True)
            yield Label("Why (rationale, saved as written)", classes="field-label")
            yield TextArea(id="rationale", soft_wrap=True)
            with Horizontal(id="decide-buttons"):
                yield Button("Save decision", id="save", variant="primary", compact=True)
                yield Button("History", id="to-history", compact=True)
                yield Label("", id="saved-note")
        yield Footer(compact=True)  # built compact: switching it after mount rebuilds every key

    # -- the draft ------------------------------------------------------------------------------------
    def render_draft(self) -> None:
        self.es_app.rank_if_needed()  # the choice offers the shortlist of the answers as they are now
        draft = self.draft
        reset = self._revision != draft.revision
        self._revision = draft.revision
        self._render_backing(draft, reset=reset)
        self._render_choice(draft, reset=reset)
        title = self.query_one("#title", Input)
        if not title.value or title.value == self._auto_title:
            self._auto_title = title.value = draft.suggested_title()
        self.query_one("#decide-evidence", Static).update(self._evidence(draft))
        saved = draft.saved
        self.query_one("#saved-note", Label).update(
            f"Saved as decision #{saved.decision_id}" if saved else ""
        )

    def _render_backing(self, draft: DecisionDraft, *, reset: bool) -> None:
        backing = self.query_one("#backing", SelectionList)
        keep = set(backing.selected)
        shown = {int(backing.get_option_at_index(i).value) for i in range(backing.option_count)}
        if reset or not self._backing_set_by_user:
            chosen = set(draft.default_backing())
            self._backing_set_by_user = False
        else:  # the user's picks stay; a trial new since then joins when it is of the current profile
            chosen = keep | {k for k in draft.default_backing() if k not in shown}
        backing.clear_options()
        backing.add_options(
            [Selection(self._trial_text(draft, t), t.key, t.key in chosen) for t in draft.trials]
        )
        backing.display = bool(draft.trials)
        self.query_one("#backing-label").display = bool(draft.trials)

    @staticmethod
    def _trial_text(draft: DecisionDraft, t: DraftTrial) -> Content:
        """'Trial 1 on demo-squad-en: 2/2 ok, best X (nDCG@10 0.600)', led by a warning when it ran under an
        earlier profile (first, so a narrow screen still shows it; the evidence above says which)."""
        ok = [r for r in t.result.results if r.status == "ok"]
        best = best_row(t.result.results)
        text = f"Trial {t.key} on {t.result.dataset.get('name', '?')}: {len(ok)}/{len(t.result.results)} ok"
        if best is not None:
            name = short_names([best.model])[best.model]
            text += f", best {name} ({PRIMARY_LABEL} {best.metrics[PRIMARY]:.3f})"
        if not t.result.complete:
            text += " (incomplete)"
        if draft.is_current(t):
            return Content(text)
        return Content.styled("EARLIER PROFILE ", "bold $warning") + Content(text)

    def _backing(self) -> tuple[int, ...]:
        return tuple(sorted(int(k) for k in self.query_one("#backing", SelectionList).selected))

    def _render_choice(self, draft: DecisionDraft, *, reset: bool) -> None:
        backing = self._backing()
        options = draft.model_options(backing)
        choice = self.query_one("#choice", Select)
        current = choice.value
        choice.set_options([(f"{ref} ({source})", ref) for ref, source in options])
        refs = [ref for ref, _ in options]
        picked = isinstance(current, str) and current in refs and current != self._auto_choice
        if picked and not reset:
            choice.value = current  # the user's pick stands while the answers stay the same
            return
        suggested = draft.suggested_model(backing)
        if suggested in refs:
            choice.value = self._auto_choice = suggested

    def _evidence(self, draft: DecisionDraft) -> str:
        rec = draft.recommendation
        lines = [f"Profile: {profile_label(draft.profile)}"]
        if rec is not None and rec.candidates:
            lines.append(f"Shortlist: {len(rec.candidates)} ranked, top {rec.candidates[0].spec.name}")
        elif rec is not None:
            lines.append(
                f"Shortlist: no catalog model fits these answers ({len(rec.excluded)} excluded; F3 says why)"
            )
        elif draft.rank_failed == draft.revision:
            lines.append("Shortlist: ranking failed for these answers (see the message); fix them on F2.")
        else:
            lines.append("Shortlist: ranking the catalog for these answers…")
        earlier = [t for t in draft.trials if not draft.is_current(t)]
        if not draft.trials:
            lines.append("Trials: none yet (F4). You can still decide on the shortlist alone.")
        for t in earlier:
            lines.append(
                f"Trial {t.key} ran under an earlier profile ({profile_label(t.profile)}): "
                "not attached unless you tick it and confirm."
            )
        return "\n".join(lines)

    @on(SelectionList.SelectedChanged, "#backing")
    def _on_backing_changed(self) -> None:
        self._backing_set_by_user = True
        self._render_choice(self.draft, reset=False)

    # -- saving ---------------------------------------------------------------------------------------
    def _choice(self, *, confirmed: bool = False) -> Choice | None:
        model = self.query_one("#choice", Select).value
        if not isinstance(model, str):
            self.notify("Pick a model first.", severity="warning")
            return None
        return Choice(
            model=model,
            title=self.query_one("#title", Input).value.strip() or "Untitled decision",
            rationale=self.query_one("#rationale", TextArea).text,
            trials=self._backing(),
            confirm_earlier=confirmed,
        )

    def action_save(self) -> None:
        if self.query_one("#save", Button).disabled:
            return  # a save is running: a second ctrl+s must not start another
        choice = self._choice()
        if choice is None:
            return
        earlier = [k for k in choice.trials if not self.draft.is_current(self.draft.trial(k))]
        if not earlier:
            self._start_save(choice)
            return
        from tui.app.screens.confirm import ConfirmScreen

        keys = ", ".join(str(k) for k in earlier)
        question = (
            f"Trial {keys} ran under an earlier profile, not the answers this decision saves "
            f"({profile_label(self.draft.profile)}). Attach it as evidence anyway?"
        )

        def answered(yes: bool | None) -> None:
            if yes:
                confirmed = self._choice(confirmed=True)
                if confirmed is not None:
                    self._start_save(confirmed)

        self.app.push_screen(ConfirmScreen(question, "Attach anyway", "Cancel"), answered)

    def _start_save(self, choice: Choice) -> None:
        self.query_one("#save", Button).disabled = True
        self._save_in_thread(self.draft, choice)

    @work(thread=True, exclusive=True, group="save", exit_on_error=False)
    def _save_in_thread(self, draft: DecisionDraft, choice: Choice) -> Decided:
        return draft.decide(choice, self.services)

    @on(Worker.StateChanged)
    def _on_worker_state(self, event: Worker.StateChanged) -> None:
        if event.worker.group != "save" or not event.worker.is_finished:
            return
        self.query_one("#save", Button).disabled = False
        if event.state is WorkerState.SUCCESS:
            decided: Any = event.worker.result
            self._saved(decided)
        elif event.state is WorkerState.ERROR:
            self.es_app.show_error(event.worker.error, "Could not save")

    def _saved(self, decided: Decided) -> None:
        # Keep what the user did meanwhile (new trials, other answers): only the saved mark is taken over.
        self.draft = self.draft.with_saved(decided)
        self.notify(decided.message, title="Saved" if decided.written else "Nothing to save")

    @on(Button.Pressed, "#save")
    def _on_save_pressed(self) -> None:
        self.action_save()

    @on(Button.Pressed, "#to-history")
    def _on_history_pressed(self) -> None:
        self.es_app.action_goto("history")
