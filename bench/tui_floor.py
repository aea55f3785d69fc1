"""The floor under bench_tui's numbers: what a bare Textual app costs on this machine for the same actions,
timed the same way. If the bare app cannot meet a target, no embedscout change can.

The bare app has none of embedscout: one screen with a Header, an Input, one DataTable of 79 rows x 10
short text columns (the shortlist's shape) and a Footer; `s` sorts it in place (DataTable.sort, as the
shortlist does), typing in the Input rebuilds the rows that match (as a filter would); four more screens
(modes) hold a Header, a Label and a Footer. `python bench/tui_floor.py --first-screen` runs that app in a
terminal; bench_tui times its first screen on a pty like the real one.
"""

from __future__ import annotations

import sys
from typing import Any

from textual.app import App, ComposeResult
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Input, Label

ROWS = [
    (" ", str(i), f"some-provider/model-name-{i}", f"{i / 3:.1f}", "MTEB eng v2", "61.2", "768", "512",
     "335M", "Apache-2.0")
    for i in range(1, 80)
]  # fmt: skip
MARKER = b"Question 1 of 7"


class _TableScreen(Screen[None]):
    DEFAULT_CSS = "_TableScreen DataTable { height: 1fr; }"  # as the shortlist's: the screen never scrolls
    BINDINGS = [("s", "sort", "Sort")]

    def compose(self) -> ComposeResult:
        yield Header()
        yield Label(MARKER.decode())
        yield Input(id="bare-filter")
        yield DataTable(cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns(*(f"col {i}" for i in range(10)))
        for row in ROWS:
            table.add_row(*row, key=row[1])
        table.focus()
        self.reverse = False

    def action_sort(self) -> None:
        self.reverse = not self.reverse
        self.query_one(DataTable).sort(key=lambda row: float(row[3]), reverse=self.reverse)

    def on_input_changed(self, event: Input.Changed) -> None:
        table = self.query_one(DataTable)
        table.clear()
        for row in ROWS:
            if event.value in row[2]:
                table.add_row(*row, key=row[1])


class _PlainScreen(Screen[None]):
    def compose(self) -> ComposeResult:
        yield Header()
        yield Label("another screen")
        yield Footer()


class BareApp(App[None]):
    MODES = {"a": _TableScreen, "b": _PlainScreen, "c": _PlainScreen, "d": _PlainScreen, "e": _PlainScreen}
    BINDINGS = [(f"f{i}", f"switch_mode('{mode}')", mode) for i, mode in enumerate("abcde", start=2)]

    def on_mount(self) -> None:
        self.switch_mode("a")


async def measure_floor(runs: int, timed: Any) -> dict[str, list[float]]:
    """Sort, filter keystroke and screen switch times of the bare app, with bench_tui's `timed`."""
    app = BareApp()
    times: dict[str, list[float]] = {"sort": [], "filter": [], "switch": [], "no-op key": []}
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        for _ in range(runs):
            times["sort"].append(await timed(pilot, "s"))
        for _ in range(runs):
            times["no-op key"].append(await timed(pilot, "z"))  # bound to nothing: the pilot's own cost
        app.screen.query_one(Input).focus()
        await pilot.pause()
        for i in range(runs):
            times["filter"].append(await timed(pilot, "1" if i % 2 == 0 else "backspace"))
        app.screen.query_one(DataTable).focus()
        for _ in range(max(1, runs // 5)):
            for key in ("f3", "f4", "f5", "f6", "f2"):
                times["switch"].append(await timed(pilot, key))
    return times


if __name__ == "__main__" and "--first-screen" in sys.argv:
    BareApp().run()
