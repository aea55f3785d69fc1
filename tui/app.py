"""EmbedscoutApp: routes between the five screens and owns the `Session` and the `Services`.

Each screen is a Textual *mode* with its own stack, so a running trial keeps going while the user reads the
shortlist or the history. Screen modules are imported when first shown, which keeps the first screen fast.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from textual.app import App, SystemCommand
from textual.binding import Binding

from tui.services import Services
from tui.state import Session

if TYPE_CHECKING:
    from textual.screen import Screen


def _questions() -> Screen[Any]:
    from tui.screens.questionnaire import QuestionnaireScreen

    return QuestionnaireScreen()


def _shortlist() -> Screen[Any]:
    from tui.screens.shortlist import ShortlistScreen

    return ShortlistScreen()


def _trial() -> Screen[Any]:
    from tui.screens.trial import TrialScreen

    return TrialScreen()


def _decide() -> Screen[Any]:
    from tui.screens.decide import DecideScreen

    return DecideScreen()


def _history() -> Screen[Any]:
    from tui.screens.history import HistoryScreen

    return HistoryScreen()


SCREEN_TITLES: dict[str, str] = {
    "questions": "Questions",
    "shortlist": "Shortlist",
    "trial": "Trial",
    "decide": "Decide",
    "history": "History",
}


class EmbedscoutApp(App[None]):
    """Guided questions -> shortlist -> trial -> decision, plus a history browser."""

    CSS_PATH = "app.tcss"
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
    BINDINGS = [
        Binding("f2", "goto('questions')", "Questions", priority=True),
        Binding("f3", "goto('shortlist')", "Shortlist", priority=True),
        Binding("f4", "goto('trial')", "Trial", priority=True),
        Binding("f5", "goto('decide')", "Decide", priority=True),
        Binding("f6", "goto('history')", "History", priority=True),
        Binding("ctrl+t", "toggle_theme", "Theme", priority=True),
    ]

    def __init__(
        self, services: Services | None = None, *, start: str = "questions", session: Session | None = None
    ) -> None:
        super().__init__()
        self.services: Services = services or Services()
        """The core seam: tests pass fakes, the real app builds it lazily."""
        self.session: Session = session or Session()
        """Answers, shortlist, ticked models and the last trial, shared by every screen."""
        self._start = start
        self.theme = "textual-dark"

    def on_mount(self) -> None:
        self.switch_mode(self._start)

    def action_goto(self, mode: str) -> None:
        """Show one of the five screens (its state is kept while it is away)."""
        if mode in self.MODES and self.current_mode != mode:
            self.switch_mode(mode)

    def action_toggle_theme(self) -> None:
        self.theme = "textual-light" if self.current_theme.dark else "textual-dark"

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
        commands = getattr(screen, "palette_commands", None)
        if callable(commands):
            yield from commands()


def run_app() -> None:
    """Entry point of the bare `embedscout` command."""
    EmbedscoutApp().run()
