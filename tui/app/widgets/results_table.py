"""The trial's results: one row per model in the shared trial columns (`tui.present.trial_rows`), the
winner in bold, failed models as rows with a one-word status (the reason is in the details pane and the
log). Under 100 cells wide (80x24) it shows the key columns only (`TUI_NARROW_VIEW`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.cells import cell_len
from rich.text import Text
from textual import events
from textual.widgets import DataTable

from tui.present import trial_rows as rows
from tui.present.formats import cut

MODEL_WIDTH = {rows.TUI_VIEW: 40, rows.TUI_NARROW_VIEW: 18}
"""Model names are cut to this many cells (the full name is in the details pane's title)."""


class ResultsTable(DataTable[Any]):
    """A DataTable of `ModelResult` rows, in `TUI_VIEW` columns (`TUI_NARROW_VIEW` when narrow)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._results: list[rows.ResultRow] = []
        self._view: tuple[str, ...] = rows.TUI_VIEW

    def on_mount(self) -> None:
        self.cursor_type = "row"
        self._view = self._pick_view()
        self.add_columns(*(rows.BY_KEY[k].label for k in self._view))

    def _pick_view(self) -> tuple[str, ...]:
        return rows.TUI_NARROW_VIEW if self.app.size.width < rows.TUI_NARROW_BELOW else rows.TUI_VIEW

    def on_resize(self, event: events.Resize) -> None:
        if self._pick_view() != self._view:
            self.show(self._results)

    def show(self, results: Sequence[rows.ResultRow], *, cursor: int | None = None) -> None:
        """Rebuild the rows (keys are indexes into `results`); the cursor goes to row `cursor` when given,
        else stays on the row it was on."""
        self._results = list(results)
        keep = self.cursor_row if cursor is None else cursor
        self._view = view = self._pick_view()
        table = []
        for row in rows.trial_rows(results):
            cells = row.view(view)
            cells[0] = cut(cells[0], MODEL_WIDTH[view])
            table.append((cells, "bold" if row.best else "" if row.ok else "italic"))
        # Rebuild the columns with widths fitted to these rows, set here rather than measured on idle (a
        # frame drawn before that measure clipped every cell to its header's width).
        self.clear(columns=True)
        for n, key in enumerate(view):
            label = rows.BY_KEY[key].label
            self.add_column(label, width=max([cell_len(label), *(cell_len(c[n]) for c, _ in table)]))
        for i, (cells, style) in enumerate(table):
            self.add_row(*(Text(c, style=style) for c in cells), key=f"{i}")
        if results:
            self.move_cursor(row=max(0, min(keep, len(results) - 1)))
        # Never taller than its rows (+ header, border, scrollbar), so the space left goes to what follows.
        self.styles.max_height = len(results) + 3
        # ... and never shorter than its rows (up to 5): at 80x24 the details pane gives way first.
        self.styles.min_height = min(len(results), 5) + 2
