"""The trial's results: one row per model in the shared trial columns (`tui.present.trial_rows`), the
winner in bold, failed models as rows that say why."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.text import Text
from textual.widgets import DataTable

from tui.present import trial_rows as rows
from tui.present.formats import cut


class ResultsTable(DataTable[Any]):
    """A DataTable of `ModelResult` rows, in `TUI_VIEW` columns."""

    def on_mount(self) -> None:
        self.cursor_type = "row"
        self.add_columns(*(rows.BY_KEY[k].label for k in rows.TUI_VIEW))

    def show(self, results: Sequence[rows.ResultRow], *, cursor: int | None = None) -> None:
        """Rebuild the rows (keys are indexes into `results`); the cursor goes to row `cursor` when given,
        else stays on the row it was on."""
        keep = self.cursor_row if cursor is None else cursor
        # Rebuild the columns too: widths are then fitted to the new rows, never clipped to old ones.
        self.clear(columns=True)
        self.add_columns(*(rows.BY_KEY[k].label for k in rows.TUI_VIEW))
        for i, row in enumerate(rows.trial_rows(results)):
            cells = row.view(rows.TUI_VIEW)
            cells[1] = cut(cells[1], 26)  # the full reason is in the log and the details pane
            style = "bold" if row.best else "" if row.ok else "italic"
            self.add_row(*(Text(c, style=style) for c in cells), key=f"{i}")
        if results:
            self.move_cursor(row=max(0, min(keep, len(results) - 1)))
        # Never taller than its rows (+ header, border, scrollbar), so the space left goes to what follows.
        self.styles.max_height = len(results) + 3
