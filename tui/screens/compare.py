"""Two journal decisions side by side: the differing fields on top (storage's diff), each report below.

Pushed over History; escape returns. The reads run in a thread worker with their own connection.
"""

from __future__ import annotations

from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Markdown
from textual.worker import Worker, WorkerState


class CompareScreen(Screen[None]):
    """`a` and `b` are decision ids; rows that differ are marked with ≠."""

    CSS_PATH = "compare.tcss"
    BINDINGS = [Binding("escape", "close", "Back")]

    def __init__(self, a: int, b: int) -> None:
        super().__init__()
        self.a, self.b = a, b

    def compose(self) -> ComposeResult:
        yield Header()
        yield DataTable(id="diff-table", cursor_type="row")
        with Horizontal(id="compare-panes"):
            with VerticalScroll(classes="compare-pane"):
                yield Markdown("Loading…", id="compare-a")
            with VerticalScroll(classes="compare-pane"):
                yield Markdown("Loading…", id="compare-b")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(DataTable).add_columns("", "Field", f"#{self.a}", f"#{self.b}")
        self._load_in_thread()

    @work(thread=True, exclusive=True, group="compare", exit_on_error=False)
    def _load_in_thread(self) -> tuple[list[tuple[str, Any, Any]], str, str]:
        app: Any = self.app
        journal, db = app.services.journal(), app.services.open_db()
        try:
            rows: list[tuple[str, Any, Any]] = []
            differ = getattr(journal, "diff_decisions", None)
            if callable(differ):
                diff = differ(db, self.a, self.b)
                for section in ("summary", "requirements", "shortlist"):
                    rows += [(f"{section}: {r.label}", r.a, r.b) for r in getattr(diff, section, [])]
                for r in getattr(diff, "results", []):
                    rows.append((f"trial: {r.label}", _metric(r.a), _metric(r.b)))
            return rows, journal.export_markdown(db, self.a), journal.export_markdown(db, self.b)
        finally:
            close = getattr(db, "close", None)
            if callable(close):
                close()

    @on(Worker.StateChanged)
    def _on_worker_state(self, event: Worker.StateChanged) -> None:
        if event.worker.group != "compare" or not event.worker.is_finished:
            return
        if event.state is WorkerState.ERROR:
            self.notify(str(event.worker.error), title="Compare failed", severity="error")
            return
        result: Any = event.worker.result
        rows, md_a, md_b = result
        table = self.query_one(DataTable)
        for label, a, b in rows:
            table.add_row("≠" if a != b else " ", label, _short(a), _short(b))
        self.query_one("#compare-a", Markdown).update(md_a)
        self.query_one("#compare-b", Markdown).update(md_b)

    def action_close(self) -> None:
        self.app.pop_screen()


def _metric(value: Any) -> Any:
    if isinstance(value, dict):
        v = value.get("ndcg@10")
        return f"nDCG@10 {v:.3f}" if isinstance(v, (int, float)) else value.get("status", "-")
    return value


def _short(value: Any) -> str:
    text = "-" if value is None else str(value)
    return text if len(text) <= 40 else text[:39] + "…"
