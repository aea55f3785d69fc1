"""The guided questions: one step per question, back/forward, and the answers summary always in view.

Every control replaces the draft's `Profile` (a frozen value), so the shortlist, the trials and Decide all
see at once that the answers changed. Hardware detection and measuring a folder run in thread workers:
both touch the disk or probe devices.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widget import Widget
from textual.widgets import (
    Button,
    Checkbox,
    ContentSwitcher,
    Footer,
    Header,
    Input,
    Label,
    RadioButton,
    RadioSet,
    Select,
    SelectionList,
    Static,
)
from textual.worker import Worker, WorkerState

from tui.app.screens.base import AppScreen
from tui.app.widgets.answers_summary import AnswersSummary
from tui.app.widgets.path_input import PathSuggester
from tui.present.profile import describe_hardware
from tui.workflow.profile import BUDGETS, DOMAINS, GPUS, LANGUAGES, LICENCES, TASKS, Profile

if TYPE_CHECKING:
    from evaluators.hardware import Hardware

STEPS: tuple[tuple[str, str, str], ...] = (
    (
        "languages",
        "Which languages are your documents and queries in?",
        "Picks the benchmark (MTEB English, Multilingual, C-MTEB) and the vocabulary your script needs.",
    ),
    (
        "domain",
        "What domain is the text from?",
        "Training data matters: legal, medical and code text favour models trained on it.",
    ),
    (
        "length",
        "How long is a typical document?",
        "Context window: a 512-token model truncates a 3,000-token document unless you chunk it.",
    ),
    (
        "corpus",
        "How many documents will you index?",
        "Dimensions x documents = index memory; tokens x price = what an API model costs you.",
    ),
    (
        "budget",
        "What is your budget?",
        "Cost: API models bill per 1M tokens; open weights cost hardware instead.",
    ),
    (
        "hardware",
        "What will the model run on?",
        "Model size must fit: a 7B embedder needs ~16 GB of VRAM; small ones run fine on a CPU.",
    ),
    (
        "licence",
        "What licence do you need?",
        "Some weights are research-only (e.g. CC-BY-NC): check before you ship a product.",
    ),
)


class QuestionnaireScreen(AppScreen):
    """Seven steps; ctrl+n / ctrl+b (or Enter in a field) move forward and back. alt+right / alt+left do
    the same inside tmux, whose prefix key is ctrl+b."""

    CSS_PATH = "questionnaire.tcss"
    BINDINGS = [
        Binding("ctrl+n,alt+right", "next", "Next"),
        Binding("ctrl+b,alt+left", "back", "Back"),
        Binding("ctrl+r", "shortlist", "Shortlist now"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.step = 0
        """Index into STEPS of the question on screen."""
        self._hardware: Hardware | None = None
        """What detection found (None until the worker returns)."""

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="questions-body"):
            with Vertical(id="questions-main"):
                yield Label("", id="step-counter")
                # Only the first step is built before the first paint; the rest mount right after it.
                yield ContentSwitcher(self._build_step(0), initial="step-languages", id="steps")
                with Horizontal(id="nav"):
                    yield Button("Back", id="back")
                    yield Button("Next", id="next", variant="primary")
            yield AnswersSummary(id="summary")
        yield Footer()

    def _build_step(self, index: int) -> VerticalScroll:
        key, question, hint = STEPS[index]
        controls = getattr(self, f"_controls_{key}")(self.draft.profile)
        return VerticalScroll(
            Label(question, classes="question"),
            Static(hint, classes="hint"),
            *controls,
            id=f"step-{key}",
            classes="step",
        )

    def _controls_languages(self, a: Profile) -> list[Widget]:
        return [
            SelectionList[str](
                *[(name, code, code in a.languages) for code, name in LANGUAGES], id="languages"
            ),
            Checkbox(
                "Multilingual / cross-lingual (many or unknown languages)", a.multilingual, id="multilingual"
            ),
        ]

    def _controls_domain(self, a: Profile) -> list[Widget]:
        return [
            RadioSet(
                *[RadioButton(name, a.domain == code, id=f"domain-{code}") for code, name in DOMAINS],
                id="domain",
            ),
            Label("What are the embeddings for?", classes="question"),
            RadioSet(
                *[RadioButton(name, a.task == code, id=f"task-{code}") for code, name in TASKS], id="task"
            ),
        ]

    def _controls_length(self, a: Profile) -> list[Widget]:
        return [
            Input(str(a.doc_tokens), type="integer", id="doc-tokens", placeholder="tokens per document"),
            Checkbox("I will split long documents into chunks", a.will_chunk, id="will-chunk"),
            Horizontal(
                Input(
                    placeholder="…or measure a folder: path", id="measure-folder", suggester=PathSuggester()
                ),
                Button("Measure", id="measure"),
                classes="row",
            ),
        ]

    def _controls_corpus(self, a: Profile) -> list[Widget]:
        return [
            Input(str(a.corpus_docs), type="integer", id="corpus-docs", placeholder="number of documents")
        ]

    def _controls_budget(self, a: Profile) -> list[Widget]:
        return [
            RadioSet(
                *[RadioButton(name, a.budget == code, id=f"budget-{code}") for code, name in BUDGETS],
                id="budget",
            ),  # only the chosen kind's figure below applies (Profile.with_budget)
            Horizontal(
                Input(_fmt(a.max_price_per_1m), type="number", id="max-price", placeholder="USD per 1M tok"),
                Input(_fmt(a.monthly_cap_usd), type="number", id="monthly-cap", placeholder="USD per month"),
                classes="row",
            ),
        ]

    def _controls_hardware(self, a: Profile) -> list[Widget]:
        detected = (
            "Detected: " + describe_hardware(self._hardware)
            if self._hardware is not None
            else ("Detecting hardware…")
        )
        return [
            Static(detected, id="detected"),
            Horizontal(
                Input(_fmt(a.ram_gb), type="number", id="ram-gb", placeholder="RAM GB"),
                Select(
                    [(label, code) for code, label in GPUS],
                    value=a.gpu,
                    allow_blank=False,
                    id="gpu",
                ),
                Input(_fmt(a.vram_gb), type="number", id="vram-gb", placeholder="VRAM GB"),
                classes="row",
            ),
            Checkbox("API models allowed (documents leave your network)", a.api_allowed, id="api-allowed"),
        ]

    def _controls_licence(self, a: Profile) -> list[Widget]:
        return [
            RadioSet(
                *[RadioButton(name, a.licence == code, id=f"licence-{code}") for code, name in LICENCES],
                id="licence",
            )
        ]

    def on_mount(self) -> None:
        self._show_step(0)  # AppScreen.on_mount then watches the draft
        self._detect_in_thread()
        self.call_after_refresh(self._mount_other_steps)

    async def _mount_other_steps(self) -> None:
        switcher = self.query_one("#steps", ContentSwitcher)
        for index in range(1, len(STEPS)):
            if not switcher.query(f"#step-{STEPS[index][0]}"):
                await switcher.add_content(self._build_step(index))

    # -- navigation ---------------------------------------------------------------------------------
    def _show_step(self, step: int) -> None:
        self.step = max(0, min(step, len(STEPS) - 1))
        key = STEPS[self.step][0]
        switcher = self.query_one("#steps", ContentSwitcher)
        if not switcher.query(f"#step-{key}"):  # a key press beat the background mount
            switcher.add_content(self._build_step(self.step), set_current=True)
            self.call_after_refresh(self._show_step, self.step)
            return
        switcher.current = f"step-{key}"
        self.query_one("#step-counter", Label).update(f"Question {self.step + 1} of {len(STEPS)}")
        self.query_one("#back", Button).disabled = self.step == 0
        last = self.step == len(STEPS) - 1
        self.query_one("#next", Button).label = "Show shortlist" if last else "Next"
        self._refresh_summary()
        focusable = self.query_one(f"#step-{key}").query("Input, SelectionList, RadioSet, Select")
        if focusable:
            focusable.first().focus()

    def _refresh_summary(self) -> None:
        self.query_one(AnswersSummary).show(self.draft.profile, self.step)

    def render_draft(self) -> None:
        self._refresh_summary()

    def action_next(self) -> None:
        if self.step == len(STEPS) - 1:
            self.action_shortlist()
        else:
            self._show_step(self.step + 1)

    def action_back(self) -> None:
        self._show_step(self.step - 1)

    def action_shortlist(self) -> None:
        self.es_app.action_goto("shortlist")

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

    # -- answers ------------------------------------------------------------------------------------
    def _set(self, **changes: Any) -> None:
        self.draft = self.draft.with_profile(self.draft.profile.replace(**changes))

    def _set_budget(self) -> None:
        """The radio says which budget applies; only that kind's figure is kept (see Profile.with_budget)."""
        pressed = self.query_one("#budget", RadioSet).pressed_button
        kind = pressed.id.removeprefix("budget-") if pressed is not None and pressed.id else "open"
        price = _number(self.query_one("#max-price", Input).value)
        monthly = _number(self.query_one("#monthly-cap", Input).value)
        self.draft = self.draft.with_profile(self.draft.profile.with_budget(kind, price, monthly))

    @on(SelectionList.SelectedChanged, "#languages")
    def _on_languages_changed(self, event: SelectionList.SelectedChanged[str]) -> None:
        self._set(languages=tuple(event.selection_list.selected))

    @on(Checkbox.Changed)
    def _on_checkbox_changed(self, event: Checkbox.Changed) -> None:
        field = {"multilingual": "multilingual", "will-chunk": "will_chunk", "api-allowed": "api_allowed"}
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
            "doc-tokens": ("doc_tokens", int),
            "corpus-docs": ("corpus_docs", int),
            "ram-gb": ("ram_gb", float),
            "vram-gb": ("vram_gb", float),
        }
        if event.input.id not in numeric:
            return
        name, kind = numeric[event.input.id]
        try:
            value: Any = kind(event.value) if event.value.strip() else None
        except ValueError:
            return
        if value is None and name in ("doc_tokens", "corpus_docs"):
            return
        self._set(**{name: value})

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
                    field.value = _fmt(value)
        for select in self.query("#gpu").results(Select):
            select.value = after.gpu


def _fmt(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def _number(text: str) -> float | None:
    """A typed amount, or None when the field is empty or not (yet) a number."""
    try:
        return float(text) if text.strip() else None
    except ValueError:
        return None
