"""Two journal decisions side by side: the differing fields on top (storage's diff), each report below.

Pushed over History; escape returns. The reads run in a thread worker with their own connection.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Markdown
from textual.worker import Worker, WorkerState

from tui.present.formats import cut, plain
from tui.present.journal import metric_cell
from tui.present.profile import requirement_label, requirement_value

if TYPE_CHECKING:
    from tui.app.shell import EmbedscoutApp


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
        self._load_in_thread()

    @work(thread=True, exclusive=True, group="compare", exit_on_error=False)
    def _load_in_thread(self) -> tuple[list[tuple[str, str, str]], str, str]:
        from storage import store
        from tui.present.markdown import decision_markdown

        db = cast("EmbedscoutApp", self.app).services.open_db()
        try:
            diff = store.diff_decisions(db, self.a, self.b)
        finally:
            db.close()
        rows = [(f"decision: {r.label}", plain(r.a), plain(r.b)) for r in diff.summary]
        rows += [
            (
                f"answer: {requirement_label(r.label)}",
                requirement_value(r.label, r.a),
                requirement_value(r.label, r.b),
            )
            for r in diff.requirements
        ]
        rows += [(f"shortlist #{r.label}", plain(r.a), plain(r.b)) for r in diff.shortlist]
        rows += [
            (f"trial: {r.label}", metric_cell(r.a, "ndcg@10"), metric_cell(r.b, "ndcg@10"))
            for r in diff.results
        ]
        return rows, decision_markdown(diff.a), decision_markdown(diff.b)

    @on(Worker.StateChanged)
    def _on_worker_state(self, event: Worker.StateChanged) -> None:
        if event.worker.group != "compare" or not event.worker.is_finished:
            return
        if event.state is WorkerState.ERROR:
            cast("EmbedscoutApp", self.app).show_error(event.worker.error, "Compare failed")
            return
        result: Any = event.worker.result
        rows, md_a, md_b = result
        table = self.query_one(DataTable)
        # Columns are added with the rows, so their widths fit the rows (not just the headers).
        table.clear(columns=True)
        table.add_columns("", "Field", f"#{self.a}", f"#{self.b}")
        for label, a, b in rows:
            table.add_row("≠" if a != b else " ", label, cut(a, 40), cut(b, 40))
        self.query_one("#compare-a", Markdown).update(md_a)
        self.query_one("#compare-b", Markdown).update(md_b)

    def action_close(self) -> None:
        self.app.pop_screen()
