"""The always-visible summary of the user's answers (right column of the questionnaire)."""

from __future__ import annotations

from rich.table import Table
from textual.widgets import Static

from tui.present.profile import summary_rows
from tui.workflow.profile import Profile


class AnswersSummary(Static):
    """Renders `summary_rows(profile)`; the current step's row is highlighted."""

    DEFAULT_CSS = """
    AnswersSummary { padding: 0 1; border: round $primary; border-title-color: $primary; }
    """

    def on_mount(self) -> None:
        self.border_title = "Your answers"

    def show(self, profile: Profile, current: int = -1) -> None:
        table = Table.grid(padding=(0, 1))
        table.add_column(style="bold", no_wrap=True)
        table.add_column()
        for i, (question, answer) in enumerate(summary_rows(profile)):
            table.add_row(question, answer, style="reverse" if i == current else "")
        self.update(table)
