"""The trial screen's details pane: what the results table has no room for, for the highlighted model
(lines from `tui.trial_text`: how it ran, int8 agreement, API tokens and cost, each deeper check)."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from tui.trial_text import details_text


class ResultDetails(VerticalScroll):
    """A scrollable pane under the results table; `show(row)` fills it, `show(None)` explains it."""

    DEFAULT_CSS = """
    ResultDetails { height: 1fr; padding: 0 1; }
    ResultDetails > Static { width: 1fr; }
    """

    ALLOW_MAXIMIZE = True
    """ctrl+l on the trial screen fills the screen with it (a long check list at 80x24)."""
    HINT = "Details of the highlighted model (↑/↓ in the table): how it ran, int8, API cost, deeper checks."

    def compose(self) -> ComposeResult:
        yield Static(Text(self.HINT, style="dim"), id="details-text")

    @property
    def plain(self) -> str:
        """The pane's text without styles (what a test or a screen reader would read)."""
        content = self.query_one("#details-text", Static).content
        return content.plain if isinstance(content, Text) else str(content)

    def show(self, row: Any | None) -> None:
        self.border_title = f"Details: {row.model}" if row is not None else "Details"
        static = self.query_one("#details-text", Static)
        static.update(details_text(row) if row is not None else Text(self.HINT, style="dim"))
        self.scroll_home(animate=False)
