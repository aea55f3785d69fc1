"""The help screen (F1 or `?` from any screen): the journey, the keys of the screen it was opened from,
where the data is kept and how to quit. The keys come from that screen's BINDINGS and the App's, so the
help cannot drift from what the keys do; the words are `tui.present.help`'s."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Markdown

from tui.present.help import help_markdown

if TYPE_CHECKING:
    from textual.app import App

    from tui.app.shell import EmbedscoutApp


def binding_keys(app: App[Any], bindings: list[BindingType]) -> list[tuple[str, str]]:
    """(keys, description) per action of `bindings`, in their order; a binding's alternative keys are
    joined ('ctrl+n / alt+→'); bindings without a description are left out."""
    keys: dict[str, list[str]] = {}
    words: dict[str, str] = {}
    for binding in Binding.make_bindings(bindings):
        if not binding.description or binding.system:
            continue
        shown = app.get_key_display(binding)
        keys.setdefault(binding.action, [])
        if shown not in keys[binding.action]:
            keys[binding.action].append(shown)
        words.setdefault(binding.action, binding.description)
    return [(" / ".join(shown), words[action]) for action, shown in keys.items()]


class HelpScreen(Screen[None]):
    """Help for `source` (the screen it was opened from); escape, F1 or ? closes it."""

    CSS_PATH = "help.tcss"
    BINDINGS = [Binding("escape,question_mark", "close", "Close help")]

    def __init__(self, source: Screen[Any]) -> None:
        super().__init__()
        self.source_title = _title(source)
        self.source_keys = binding_keys(source.app, list(source.BINDINGS))
        """(keys, description) of the screen the help was opened from."""

    def compose(self) -> ComposeResult:
        app = cast("EmbedscoutApp", self.app)
        text = help_markdown(
            self.source_title,
            self.source_keys,
            [
                *binding_keys(app, list(app.BINDINGS)),
                ("^p", "Command palette (every screen and action by name)"),
            ],
            app.services.locations(),
        )
        yield Header()
        with VerticalScroll(id="help-box"):
            yield Markdown(text, id="help")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = f"help · {self.source_title}"
        self.query_one("#help-box").focus()

    def action_close(self) -> None:
        self.dismiss(None)


def _title(screen: Screen[Any]) -> str:
    """'Shortlist', 'Compare', …: the screen class without 'Screen' (Questionnaire reads 'Questions')."""
    name = type(screen).__name__.removesuffix("Screen")
    return {"Questionnaire": "Questions", "Report": "the report"}.get(name, name)
