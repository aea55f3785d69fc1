"""Two journal decisions side by side: what differs on top (storage's diff, in words), then each decision
as a readable panel (`tui.present.panels`) below.

Pushed over History; escape returns. The reads run in a thread worker with their own connection.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from rich import box
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Static
from textual.worker import Worker, WorkerState

from tui.app.widgets.decision_panel import DecisionPanel

if TYPE_CHECKING:
    from tui.app.shell import EmbedscoutApp
    from tui.present.panels import Panel

DiffRows = list[tuple[str, list[tuple[str, str, str]]]]


def diff_renderable(sections: DiffRows, a: int, b: int) -> RenderableType:
    """One table per section; a differing row is marked ≠ and bold, values wrap instead of being cut."""
    parts: list[RenderableType] = []
    for title, rows in sections:
        if not rows:
            continue
        table = Table(
            title=title, title_justify="left", title_style="bold underline", expand=True, box=box.SIMPLE_HEAD,
            show_header=not parts, show_edge=False, pad_edge=False,
        )  # fmt: skip
        table.add_column("", width=1)
        table.add_column("", ratio=2, style="dim", overflow="fold")
        table.add_column(f"#{a}", ratio=3, overflow="fold")
        table.add_column(f"#{b}", ratio=3, overflow="fold")
        for label, va, vb in rows:
            changed = va != vb
            style = "bold" if changed else ""
            table.add_row("≠" if changed else "", Text(label), Text(va, style), Text(vb, style))
        parts.append(table)
    return Group(*parts) if parts else Text("Nothing to compare.", style="dim")


class CompareScreen(Screen[None]):
    """`a` and `b` are decision ids; rows that differ are marked with ≠."""

    CSS_PATH = "compare.tcss"
    BINDINGS = [Binding("escape", "close", "Back")]

    def __init__(self, a: int, b: int) -> None:
        super().__init__()
        self.a, self.b = a, b
        self.diff_rows: DiffRows = []
        """(section, [(label, value in a, value in b)]) as shown on top, in words."""

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="diff-box"):
            yield Static("Loading…", id="diff")
        with Horizontal(id="compare-panes"):
            with VerticalScroll(classes="compare-pane"):
                yield DecisionPanel("Loading…", id="compare-a")
            with VerticalScroll(classes="compare-pane"):
                yield DecisionPanel("Loading…", id="compare-b")
        yield Footer()

    def on_mount(self) -> None:
        self._load_in_thread()

    @work(thread=True, exclusive=True, group="compare", exit_on_error=False)
    def _load_in_thread(self) -> tuple[DiffRows, Panel, Panel]:
        from storage import store
        from tui.present.panels import decision_panel, diff_sections

        db = cast("EmbedscoutApp", self.app).services.open_db()
        try:
            diff = store.diff_decisions(db, self.a, self.b)
        finally:
            db.close()
        return diff_sections(diff), decision_panel(diff.a), decision_panel(diff.b)

    @on(Worker.StateChanged)
    def _on_worker_state(self, event: Worker.StateChanged) -> None:
        if event.worker.group != "compare" or not event.worker.is_finished:
            return
        if event.state is WorkerState.ERROR:
            cast("EmbedscoutApp", self.app).show_error(event.worker.error, "Compare failed")
            return
        result: Any = event.worker.result
        self.diff_rows, panel_a, panel_b = result
        self.query_one("#diff", Static).update(diff_renderable(self.diff_rows, self.a, self.b))
        self.query_one("#compare-a", DecisionPanel).show(panel_a)
        self.query_one("#compare-b", DecisionPanel).show(panel_b)

    def action_close(self) -> None:
        self.app.pop_screen()
