"""One journal decision's full report (storage's Markdown export), opened from History with Enter.

A separate screen so a long report (shortlist with reasons, trial tables) gets the whole terminal.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Markdown


class ReportScreen(Screen[None]):
    """Shows `markdown`; escape goes back to History."""

    CSS_PATH = "report_screen.tcss"
    BINDINGS = [Binding("escape", "close", "Back")]

    def __init__(self, decision_id: int, markdown: str) -> None:
        super().__init__()
        self.decision_id = decision_id
        self.markdown = markdown

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="report-box"):
            yield Markdown(self.markdown, id="report")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = f"decision #{self.decision_id}"
        self.query_one("#report-box").focus()

    def action_close(self) -> None:
        self.app.pop_screen()
