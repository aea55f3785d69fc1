"""The trial screen's details pane: what the results table has no room for, for the highlighted model
(`tui.present.trial_notes.detail_lines`: how it ran, int8 agreement, API tokens and cost, each check)."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from tui.present.trial_notes import detail_lines
from tui.present.trial_rows import ResultRow


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

    def show(self, row: ResultRow | None) -> None:
        self.border_title = f"Details: {row.model}" if row is not None else "Details"
        text = Text(self.HINT, style="dim")
        if row is not None:
            text = Text()
            for style, line in detail_lines(row):
                text.append(line + "\n", style=style)
            text.rstrip()
        self.query_one("#details-text", Static).update(text)
        self.scroll_home(animate=False)
