"""EmbedscoutApp: routes between the five screens and owns the `DecisionDraft` and the `Services`.

Each screen is a Textual *mode* with its own stack, so a running trial keeps going while the user reads the
shortlist or the history. Screen modules are imported when first shown, which keeps the first screen fast.
The draft is a reactive: screens watch it and re-render from it, they never keep their own copy.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from textual import events, on, work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.reactive import reactive
from textual.worker import Worker, WorkerState

from tui.app.stylesheet import KeptParseStylesheet
from tui.workflow.draft import DecisionDraft
from tui.workflow.errors import user_error
from tui.workflow.services import Services

if TYPE_CHECKING:
    from textual.content import Content
    from textual.screen import Screen

    from catalog.ranking import Recommendation
    from tui.workflow.profile import Profile


def _questions() -> Screen[Any]:
    from tui.app.screens.questionnaire import QuestionnaireScreen

    return QuestionnaireScreen()


def _shortlist() -> Screen[Any]:
    from tui.app.screens.shortlist import ShortlistScreen

    return ShortlistScreen()


def _trial() -> Screen[Any]:
    from tui.app.screens.trial import TrialScreen

    return TrialScreen()


def _decide() -> Screen[Any]:
    from tui.app.screens.decide import DecideScreen

    return DecideScreen()


def _history() -> Screen[Any]:
    from tui.app.screens.history import HistoryScreen

    return HistoryScreen()


SCREEN_CSS = (
    *("questionnaire", "shortlist", "trial", "decide", "history"),
    *("help", "compare", "report_screen", "path_picker"),
)
"""The sibling .tcss of every screen (tui/app/screens/), loaded with the app's own."""

SCREEN_TITLES: dict[str, str] = {
    "questions": "Questions",
    "shortlist": "Shortlist",
    "trial": "Trial",
    "decide": "Decide",
    "history": "History",
}


class EmbedscoutApp(App[None]):
    """Guided questions -> shortlist -> trial -> decision, plus a history browser."""

    # Every screen's stylesheet is read once here: a screen shown for the first time whose CSS is new
    # makes Textual re-parse all the app's CSS and restyle every widget (100-450 ms per first visit here).
    CSS_PATH = ["app.tcss", *(f"screens/{name}.tcss" for name in SCREEN_CSS)]
    TITLE = "embedscout"
    SUB_TITLE = "choose an embedding model for RAG"
    MODES: dict[str, str | Callable[[], Screen[Any]]] = {  # type: ignore[assignment,misc]
        "questions": _questions,
        "shortlist": _shortlist,
        "trial": _trial,
        "decide": _decide,
        "history": _history,
    }
    # Priority: screen navigation must work from inside any widget (TextArea binds f6/f7 itself).
    # The F-keys are listed in the header (screen_keys), not the footer, so the footer fits 80 columns.
    BINDINGS = [
        # Help and Quit first: at 80 columns the footer cuts from the right; the F-keys are in the header.
        Binding("f1", "help", "Help", priority=True),
        # Not priority: inside an Input, `?` is typed; everywhere else it opens the help.
        Binding("question_mark", "help", "Help", show=False),
        Binding("ctrl+q", "quit", "Quit", priority=True),
        Binding("f2", "goto('questions')", "Questions", priority=True, show=False),
        Binding("f3", "goto('shortlist')", "Shortlist", priority=True, show=False),
        Binding("f4", "goto('trial')", "Trial", priority=True, show=False),
        Binding("f5", "goto('decide')", "Decide", priority=True, show=False),
        Binding("f6", "goto('history')", "History", priority=True, show=False),
        Binding("ctrl+t", "toggle_theme", "Theme", priority=True),
    ]
    KEYS_DURING_SWITCH = frozenset({"ctrl+q", "ctrl+c"})
    """Keys still handled while a screen is being shown; every other key pressed then is dropped."""

    draft: reactive[DecisionDraft] = reactive(DecisionDraft, init=False)
    """The decision in progress (profile, recommendation, every trial, what was saved). Replaced, never
    mutated: each replacement tells the watching screens to re-render."""

    def __init__(
        self,
        services: Services | None = None,
        *,
        start: str = "questions",
        draft: DecisionDraft | None = None,
    ) -> None:
        super().__init__()
        self.stylesheet = KeptParseStylesheet(variables=self.get_css_variables())
        self.services: Services = services or Services()
        """The I/O seam: tests pass fakes of the runner, the journal file, the catalog or the machine."""
        if draft is not None:
            self.set_reactive(EmbedscoutApp.draft, draft)
        self._start = start
        self._ranking: int | None = None
        """The profile revision a ranking worker is running for."""
        self._rank_worker: Worker[Any] | None = None
        self._keys_from = math.inf
        """Key presses made before this time (textual's event clock) are dropped: they were typed while a
        screen was being shown, for the screen the user was looking at, not for its first field."""
        self.quit_guards: list[Callable[[], bool]] = []
        """Asked in turn by ctrl+q: one that returns True (a running trial told to stop) exits the app
        itself when its work has stopped."""
        self.theme = "textual-dark"

    def on_mount(self) -> None:
        self.switch_mode(self._start)

    def action_goto(self, mode: str) -> None:
        """Show one of the five screens (its state is kept while it is away)."""
        if mode in self.MODES and self.current_mode != mode:
            self._keys_from = math.inf
            self.switch_mode(mode)

    def action_help(self) -> None:
        """The help for the screen on top (F1 again closes it)."""
        from tui.app.screens.help import HelpScreen

        if isinstance(self.screen, HelpScreen):
            self.screen.dismiss(None)
        else:
            self.push_screen(HelpScreen(self.screen))

    def screen_ready(self) -> None:
        """Called by a screen when it is shown (ScreenResume): keys pressed from now on reach it."""
        from textual._time import get_time  # the clock textual stamps events with (Message.time)

        self._keys_from = get_time()

    async def on_event(self, event: events.Event) -> None:
        if (
            isinstance(event, events.Key)
            and not event.is_forwarded
            and event.time < self._keys_from
            and event.key not in self.KEYS_DURING_SWITCH
        ):
            return  # typed during a screen switch (1-5 s under load): it must not land in the new screen
        await super().on_event(event)

    def format_title(self, title: str, sub_title: str) -> Content:
        """A screen's header: the five screens and their keys, the one shown (its sub_title) highlighted.
        This is where the F-keys are listed, so the footer keeps its 80 columns for the screen's own keys."""
        from textual.content import Content

        if sub_title not in SCREEN_TITLES:
            return super().format_title(title, sub_title)
        parts: list[str | tuple[str, str]] = []
        for binding in self.BINDINGS:
            if isinstance(binding, Binding) and binding.action.startswith("goto("):
                mode = binding.action.removeprefix("goto('").removesuffix("')")
                label = f"{binding.key.upper()} {SCREEN_TITLES[mode]}"
                parts += [" ", (f" {label} ", "reverse bold") if mode == sub_title else label]
        return Content.assemble(*parts[1:])

    async def action_quit(self) -> None:
        """Quit, unless a screen has work to stop first (it says so at once and exits when stopped)."""
        if any(guard() for guard in self.quit_guards):
            return
        self.exit()

    def action_toggle_theme(self) -> None:
        self.theme = "textual-light" if self.current_theme.dark else "textual-dark"

    # -- ranking: one worker for every screen that shows the recommendation -------------------------
    def rank_if_needed(self) -> None:
        """Rank the catalog for the profile as it is now, unless that is done, running or failed."""
        draft = self.draft
        if draft.needs_ranking and self._ranking != draft.revision:
            self._ranking = draft.revision
            self._rank_worker = self._rank_in_thread(draft.profile, draft.revision)

    @work(thread=True, exclusive=True, group="recommend", exit_on_error=False)
    def _rank_in_thread(self, profile: Profile, revision: int) -> tuple[Recommendation, int]:
        from tui.workflow.advice import recommend_for

        return recommend_for(profile, self.services), revision

    @on(Worker.StateChanged)
    def _on_ranked(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        # A replaced (cancelled) ranking is for an older profile: only the current worker's end counts.
        if worker is not self._rank_worker or event.state not in (WorkerState.SUCCESS, WorkerState.ERROR):
            return
        revision, self._ranking = self._ranking, None
        if event.state is WorkerState.SUCCESS:
            result: Any = worker.result
            recommendation, ranked_for = result
            self.draft = self.draft.with_recommendation(recommendation, ranked_for)
        elif revision is not None:
            self.draft = self.draft.with_rank_failed(revision)
            self.show_error(worker.error, "Could not rank the catalog")
        self.rank_if_needed()  # the answers may have changed while it ran

    def show_error(self, error: BaseException | None, title: str) -> None:
        """The one place a failure becomes a message: a UserError's text and hint, else what broke."""
        known = user_error(error) if error is not None else None
        if known is not None:
            text = known.message + (f"\n{known.hint}" if known.hint else "")
            self.notify(text, title=title, severity="error", timeout=10)
        else:
            self.notify(
                f"{type(error).__name__}: {error}",
                title=f"{title} (unexpected)",
                severity="error",
                timeout=10,
            )

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """Palette: go to each screen, toggle the theme, then the current screen's own actions."""
        yield from super().get_system_commands(screen)
        for mode, title in SCREEN_TITLES.items():
            yield SystemCommand(
                f"Go to {title}", f"Show the {title.lower()} screen", lambda m=mode: self.action_goto(m)
            )
        yield SystemCommand(
            "Toggle light/dark theme", "Switch between light and dark", self.action_toggle_theme
        )
        yield SystemCommand(
            "Help", "The journey, this screen's keys, where data is kept (F1)", self.action_help
        )
        commands = getattr(screen, "palette_commands", None)
        if callable(commands):
            yield from commands()


def run_app(services: Services | None = None) -> None:
    """Entry point of the bare `embedscout` command."""
    EmbedscoutApp(services).run()
