"""The guided questions: one step per question, back/forward, and the answers summary always in view.

Every control replaces the draft's `Profile` (a frozen value), so the shortlist, the trials and Decide all
see at once that the answers changed. Hardware detection and measuring a folder run in thread workers:
both touch the disk or probe devices.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import (
    Button,
    Checkbox,
    ContentSwitcher,
    Footer,
    Header,
    Input,
    Label,
    RadioSet,
    Select,
    SelectionList,
    Static,
)
from textual.worker import Worker, WorkerState

from tui.app.screens import questionnaire_steps as steps
from tui.app.screens.base import AppScreen
from tui.app.screens.questionnaire_steps import STEPS
from tui.app.widgets.answers_summary import AnswersSummary
from tui.present.profile import describe_hardware
from tui.workflow import fields

if TYPE_CHECKING:
    from evaluators.hardware import Hardware



class QuestionnaireScreen(AppScreen):
    """Seven steps; ctrl+n / ctrl+b (or Enter in a field) move forward and back. alt+right / alt+left do
    the same inside tmux, whose prefix key is ctrl+b."""

    CSS_PATH = "questionnaire.tcss"
    BINDINGS = [
        Binding("ctrl+n,alt+right", "next", "Next"),
        Binding("ctrl+b,alt+left", "back", "Back"),
        Binding(
            "ctrl+r", "shortlist", "Shortlist now", show=False
        ),  # F3 shows the same, and is in the footer
    ]

    def __init__(self) -> None:
        super().__init__()
        self.step = 0
        """Index into STEPS of the question on screen."""
        self._hardware: Hardware | None = None
        """What detection found (None until the worker returns)."""
        self._detected_note: str | None = None
        """What the hardware step says about detection once it ended (None while it runs)."""

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="questions-body"):
            with Vertical(id="questions-main"):
                yield Label("", id="step-counter")
                # Only the first step is built now; each other one when first shown (see _show_step).
                yield ContentSwitcher(self._build_step(0), initial="step-languages", id="steps")
                with Horizontal(id="nav"):
                    yield Button("Back", id="back", compact=True)
                    yield Button("Next", id="next", variant="primary", compact=True)
            yield AnswersSummary(id="summary")
        yield Footer(compact=True)  # built compact: switching it after mount rebuilds every key

    def _build_step(self, index: int) -> VerticalScroll:
        key, question, hint = STEPS[index]
        controls = steps.controls(key, self.draft.profile, self._hardware)
        note = self._detected_note
        if note is not None:  # detection ended before this step was built
            for detected in (c for c in controls if c.id == "detected"):
                cast(Static, detected).update(note)
        # The message sits right under the field it is about (the length step has more below its field).
        problem = Static("", id=f"problem-{key}", classes="field-problem error-text")
        controls.insert(1 if key == "length" else len(controls), problem)
        return VerticalScroll(
            Label(question, classes="question"),
            Static(hint, classes="hint"),
            *controls,
            id=f"step-{key}",
            classes="step",
        )

    def on_mount(self) -> None:
        self._show_step(0)  # AppScreen.on_mount then watches the draft
        self._detect_in_thread()

    async def _build_and_show(self, step: int) -> None:
        """Mount step `step` (its fields included), then show it. Steps are built when first shown, not
        all after the first paint: seven steps are ~90 widgets, whose mounting delayed the first keys
        typed on this screen and made it slow to show the first time (issue #15)."""
        key = STEPS[step][0]
        switcher = self.query_one("#steps", ContentSwitcher)
        if not switcher.query(f"#step-{key}"):
            await switcher.add_content(self._build_step(step))
        if self.step == step:  # no other step was asked for meanwhile
            self._show_step(step)

    # -- navigation ---------------------------------------------------------------------------------
    def _show_step(self, step: int) -> None:
        self.step = max(0, min(step, len(STEPS) - 1))
        key = STEPS[self.step][0]
        switcher = self.query_one("#steps", ContentSwitcher)
        if not switcher.query(f"#step-{key}"):
            self.call_next(self._build_and_show, self.step)
            return
        switcher.current = f"step-{key}"
        self.query_one("#step-counter", Label).update(f"Question {self.step + 1} of {len(STEPS)}")
        self.query_one("#back", Button).disabled = self.step == 0
        last = self.step == len(STEPS) - 1
        self.query_one("#next", Button).label = "Show shortlist" if last else "Next"
        self._refresh_summary()
        self._show_problem(key)
        focusable = self.query_one(f"#step-{key}").query("Input, SelectionList, RadioSet, Select")
        if focusable:
            focusable.first().focus()

    def _refresh_summary(self) -> None:
        self.query_one(AnswersSummary).show(self.draft.profile, self.step)

    def render_draft(self) -> None:
        self._refresh_summary()

    def action_next(self) -> None:
        if self._refuse_if_wrong(STEPS[self.step][0]):
            return
        if self.step == len(STEPS) - 1:
            self.action_shortlist()
        else:
            self._show_step(self.step + 1)

    def action_back(self) -> None:
        self._show_step(self.step - 1)

    def action_shortlist(self) -> None:
        for key, _, _ in STEPS:
            if self._refuse_if_wrong(key):
                return
        self.es_app.action_goto("shortlist")

    def on_screen_suspend(self) -> None:
        """Leaving with a wrong answer (F3...) keeps the last valid one: say so rather than hide it."""
        for index, (key, _, _) in enumerate(STEPS):
            problem = self._problem(key)
            if problem is not None:
                self.notify(
                    f"Question {index + 1}: {problem}\n"
                    "The shortlist uses your last valid answer until it is fixed.",
                    title="An answer is not valid",
                    severity="warning",
                    timeout=8,
                )
                return

    @on(Button.Pressed, "#next")
    def _on_next_pressed(self) -> None:
        self.action_next()

    @on(Button.Pressed, "#back")
    def _on_back_pressed(self) -> None:
        self.action_back()

    @on(Input.Submitted)
    def _on_field_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "measure-folder":
            self._start_measure()
        else:
            self.action_next()

    # -- validation: the rules are tui.workflow.fields'; a wrong answer never reaches the draft ---------
    def _problem(self, key: str) -> str | None:
        """What is wrong with step `key` as typed now (None when fine, or when the step is not built yet)."""
        if not self.query(f"#problem-{key}"):  # built with the step's fields: they are all there
            return None

        def text(selector: str) -> str:
            return self.query_one(selector, Input).value

        if key == "languages":
            selected = self.query_one("#languages", SelectionList).selected
            return fields.check_languages(selected, self.query_one("#multilingual", Checkbox).value)
        if key == "length":
            return fields.check(fields.DOC_TOKENS, text("#doc-tokens"))
        if key == "corpus":
            return fields.check(fields.CORPUS_DOCS, text("#corpus-docs"))
        if key == "budget":
            return fields.check_budget(self._budget_kind(), text("#max-price"), text("#monthly-cap"))
        if key == "hardware":
            return fields.check(fields.RAM_GB, text("#ram-gb")) or fields.check(
                fields.VRAM_GB, text("#vram-gb")
            )
        return None

    def _show_problem(self, key: str) -> str | None:
        """Show (or clear) the message under step `key`'s field; Next is disabled while it is shown."""
        problem = self._problem(key)
        for label in self.query(f"#problem-{key}").results(Static):
            # Unchanged (the usual case on Next/Back): no update, which would lay the screen out again.
            if label.display != (problem is not None) or label.content != (problem or ""):
                label.update(problem or "")
                label.display = problem is not None
        if key == STEPS[self.step][0]:
            self.query_one("#next", Button).disabled = problem is not None
        return problem

    def _refuse_if_wrong(self, key: str) -> bool:
        """True (and the step shown, its field focused) when step `key` has a wrong answer."""
        if self._show_problem(key) is None:
            return False
        index = next(i for i, step in enumerate(STEPS) if step[0] == key)
        if index != self.step:
            self._show_step(index)
        self.app.bell()
        for field in self.query_one(f"#step-{key}").query("Input.-invalid, Input, SelectionList").results():
            field.focus()
            break
        return True

    # -- answers ------------------------------------------------------------------------------------
    def _set(self, **changes: Any) -> None:
        self.draft = self.draft.with_profile(self.draft.profile.replace(**changes))

    def _budget_kind(self) -> str:
        pressed = self.query_one("#budget", RadioSet).pressed_button
        return pressed.id.removeprefix("budget-") if pressed is not None and pressed.id else "open"

    def _set_budget(self) -> None:
        """The radio says which budget applies; only that kind's figure is kept (see Profile.with_budget)."""
        if self._show_problem("budget") is not None:
            return
        kind = self._budget_kind()
        price = monthly = None
        if kind == "price":
            price = fields.parse_float(fields.MAX_PRICE, self.query_one("#max-price", Input).value)
        elif kind == "monthly":
            monthly = fields.parse_float(fields.MONTHLY_CAP, self.query_one("#monthly-cap", Input).value)
        self.draft = self.draft.with_profile(self.draft.profile.with_budget(kind, price, monthly))

    def _set_languages(self) -> None:
        if self._show_problem("languages") is None:
            selected = tuple(self.query_one("#languages", SelectionList).selected)
            self._set(languages=selected, multilingual=self.query_one("#multilingual", Checkbox).value)

    @on(SelectionList.SelectedChanged, "#languages")
    def _on_languages_changed(self) -> None:
        self._set_languages()

    @on(Checkbox.Changed)
    def _on_checkbox_changed(self, event: Checkbox.Changed) -> None:
        if event.checkbox.id == "multilingual":
            self._set_languages()
            return
        field = {"will-chunk": "will_chunk", "api-allowed": "api_allowed"}
        if event.checkbox.id in field:
            self._set(**{field[event.checkbox.id]: event.value})

    @on(RadioSet.Changed)
    def _on_radio_changed(self, event: RadioSet.Changed) -> None:
        group = event.radio_set.id or ""
        if group == "budget":
            self._set_budget()
        elif event.pressed.id and group in ("domain", "task", "licence"):
            self._set(**{group: event.pressed.id.removeprefix(f"{group}-")})

    @on(Select.Changed, "#gpu")
    def _on_gpu_changed(self, event: Select.Changed) -> None:
        if isinstance(event.value, str):
            self._set(gpu=event.value)

    @on(Input.Changed)
    def _on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id in ("max-price", "monthly-cap"):
            self._set_budget()
            return
        numeric = {
            "doc-tokens": ("length", "doc_tokens", fields.DOC_TOKENS),
            "corpus-docs": ("corpus", "corpus_docs", fields.CORPUS_DOCS),
            "ram-gb": ("hardware", "ram_gb", fields.RAM_GB),
            "vram-gb": ("hardware", "vram_gb", fields.VRAM_GB),
        }
        if event.input.id not in numeric:
            return
        step, name, spec = numeric[event.input.id]
        self._show_problem(step)
        if fields.check(spec, event.value) is None:  # a wrong value keeps the last valid one, with a message
            self._set(**{name: fields.parse(spec, event.value)})

    # -- workers ------------------------------------------------------------------------------------
    @work(thread=True, exclusive=True, group="hardware", exit_on_error=False)
    def _detect_in_thread(self) -> Hardware:
        return self.services.detect_hardware()

    @on(Button.Pressed, "#measure")
    def _start_measure(self) -> None:
        folder = self.query_one("#measure-folder", Input).value.strip()
        if not folder:
            self.notify("Type a folder path first.", severity="warning")
            return
        self.query_one("#measure", Button).disabled = True
        self._measure_in_thread(folder)

    @work(thread=True, exclusive=True, group="measure", exit_on_error=False)
    def _measure_in_thread(self, folder: str) -> int:
        return self.services.measure_doc_tokens(folder)

    @on(Worker.StateChanged)
    def _on_worker_state(self, event: Worker.StateChanged) -> None:
        worker, state = event.worker, event.state
        if worker.group == "hardware" and worker.is_finished:
            text = "Hardware not detected: enter it below."
            hardware: Any = worker.result
            if state is WorkerState.SUCCESS and hardware is not None:
                self._hardware = hardware
                text = "Detected: " + describe_hardware(hardware)
                self._apply_hardware(hardware)
            self._detected_note = text
            for detected in self.query("#detected").results(Static):
                detected.update(text)
        elif worker.group == "measure" and state in (WorkerState.SUCCESS, WorkerState.ERROR):
            self.query_one("#measure", Button).disabled = False
            if state is WorkerState.SUCCESS and worker.result:
                self.query_one("#doc-tokens", Input).value = str(worker.result)
                self.notify(f"Median document: about {worker.result:,} tokens.", title="Measured")
            else:
                self.es_app.show_error(worker.error, "Could not measure that folder")

    def _apply_hardware(self, hardware: Hardware) -> None:
        """Fill the hardware answers the user has not given yet (detected values stay editable)."""
        before = self.draft.profile
        after = before.with_hardware(hardware)
        if after == before:
            return
        self.draft = self.draft.with_profile(after)
        for name, selector in (("ram_gb", "#ram-gb"), ("vram_gb", "#vram-gb")):
            value = getattr(after, name)
            if value != getattr(before, name):
                for field in self.query(selector).results(Input):
                    field.value = steps.fmt(value)
        for select in self.query("#gpu").results(Select):
            select.value = after.gpu
