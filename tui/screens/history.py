"""History: browse the decision journal (search, status filter), read one, compare two side by side,
re-check one against the current catalog, and export it to Markdown.

Every journal read runs in a thread worker with its own connection (rule 10); the screen renders results.
"""

from __future__ import annotations

from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import DataTable, Footer, Header, Input, Label, Markdown, Select
from textual.worker import Worker, WorkerState

from tui.recheck import recheck_lines
from tui.screens.base import AppScreen

STATUSES = (("All statuses", ""), ("Draft", "draft"), ("Decided", "decided"), ("Superseded", "superseded"))


class HistoryScreen(AppScreen):
    """Decisions newest first; the highlighted one is shown on the right."""

    CSS_PATH = "history.tcss"
    AUTO_FOCUS = "#decisions"
    BINDINGS = [
        Binding("enter", "open", "Open"),
        Binding("space", "mark", "Mark"),
        Binding("c", "compare", "Compare"),
        Binding("r", "recheck", "Re-check"),
        Binding("e", "export", "Export .md"),
        Binding("slash", "search", "Search"),
        Binding("ctrl+l", "reload", "Reload", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.marked: list[int] = []
        """Decision ids marked for comparison (at most two, oldest mark dropped first)."""
        self._selected: int | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="history-bar"):
            yield Input(placeholder="/ search title, model, rationale…", id="search", compact=True)
            yield Select(STATUSES, value="", allow_blank=False, id="status", compact=True)
            yield Label("", id="history-count")
        with Horizontal(id="history-body"):
            yield DataTable(id="decisions", cursor_type="row", zebra_stripes=True)
            with VerticalScroll(id="decision-detail-box"):
                yield Markdown("Select a decision.", id="decision-detail")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#decisions", DataTable).add_columns("", "#", "Date", "Title", "Status", "Model")
        self.action_reload()

    def on_screen_resume(self) -> None:
        self.action_reload()

    # -- listing ------------------------------------------------------------------------------------
    def action_reload(self) -> None:
        search = self.query_one("#search", Input).value.strip() or None
        status = self.query_one("#status", Select).value
        self._list_in_thread(search, status if isinstance(status, str) and status else None)

    @work(thread=True, exclusive=True, group="history-list", exit_on_error=False)
    def _list_in_thread(self, search: str | None, status: str | None) -> list[Any]:
        db = self.services.open_db()
        try:
            return list(self.services.journal().list_decisions(db, search=search, status=status))
        finally:
            _close(db)

    def _show_list(self, decisions: list[Any]) -> None:
        table = self.query_one("#decisions", DataTable)
        table.clear()
        for d in decisions:
            table.add_row(
                "●" if d.id in self.marked else " ",
                str(d.id),
                str(d.created_at)[:10],
                d.title,
                d.status,
                d.chosen_model or "-",
                key=str(d.id),
            )
        self.query_one("#history-count", Label).update(f"{len(decisions)} decision(s)")
        if decisions:
            ids: list[int] = [int(d.id) for d in decisions]
            want = ids[0]
            for candidate in (self._selected, self.session.decision_id):
                if candidate in ids:
                    want = int(candidate)
                    break
            table.move_cursor(row=ids.index(want))
            self._selected = None  # reload the detail too: the decision may have changed since
            self._open(want)
        else:
            self.query_one("#decision-detail", Markdown).update(
                "No decisions yet. Save one from the Decide screen (F5)."
            )

    @on(DataTable.RowHighlighted, "#decisions")
    def _on_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.row_key.value is not None:
            self._open(int(event.row_key.value))

    def _open(self, decision_id: int) -> None:
        if decision_id != self._selected:
            self._selected = decision_id
            self._detail_in_thread(decision_id)

    @work(thread=True, exclusive=True, group="history-detail", exit_on_error=False)
    def _detail_in_thread(self, decision_id: int) -> str:
        db = self.services.open_db()
        try:
            return str(self.services.journal().export_markdown(db, decision_id))
        finally:
            _close(db)

    @on(Input.Changed, "#search")
    @on(Select.Changed, "#status")
    def _on_filter_changed(self) -> None:
        self.action_reload()

    @on(Input.Submitted, "#search")
    def _on_search_submitted(self) -> None:
        self.query_one("#decisions", DataTable).focus()

    # -- actions ------------------------------------------------------------------------------------
    def action_open(self) -> None:
        """The highlighted decision's report, full screen."""
        if self._selected is None:
            return
        from tui.screens.report import ReportScreen

        text = self.query_one("#decision-detail", Markdown).source
        self.app.push_screen(ReportScreen(self._selected, text))

    @on(DataTable.RowSelected, "#decisions")
    def _on_row_selected(self) -> None:
        self.action_open()

    def action_search(self) -> None:
        self.query_one("#search", Input).focus()

    def action_mark(self) -> None:
        if self._selected is None:
            return
        if self._selected in self.marked:
            self.marked.remove(self._selected)
        else:
            self.marked = (self.marked + [self._selected])[-2:]
        table = self.query_one("#decisions", DataTable)
        for row_key in table.rows:
            mark = "●" if row_key.value is not None and int(row_key.value) in self.marked else " "
            table.update_cell(row_key, table.ordered_columns[0].key, mark)

    def action_compare(self) -> None:
        ids = list(self.marked)
        if len(ids) < 2 and self._selected is not None and self._selected not in ids:
            ids.append(self._selected)
        if len(ids) < 2:
            self.notify("Mark two decisions with space, then press c.", severity="warning")
            return
        from tui.screens.compare import CompareScreen

        self.app.push_screen(CompareScreen(ids[0], ids[1]))

    def action_export(self) -> None:
        if self._selected is None:
            self.notify("Nothing selected to export.", severity="warning")
            return
        self._export_in_thread(self._selected)

    @work(thread=True, exclusive=True, group="history-export", exit_on_error=False)
    def _export_in_thread(self, decision_id: int) -> str:
        db = self.services.open_db()
        try:
            text = str(self.services.journal().export_markdown(db, decision_id))
        finally:
            _close(db)
        path = self.services.export_dir() / f"decision-{decision_id}.md"
        path.write_text(text, encoding="utf-8")
        return str(path)

    def action_recheck(self) -> None:
        if self._selected is None:
            self.notify("Nothing selected to re-check.", severity="warning")
            return
        self._recheck_in_thread(self._selected)

    @work(thread=True, exclusive=True, group="history-recheck", exit_on_error=False)
    def _recheck_in_thread(self, decision_id: int) -> str:
        db = self.services.open_db()
        try:
            decision = self.services.journal().get_decision(db, decision_id)
        finally:
            _close(db)
        requirements_cls: Any = self.services.requirements_cls()
        requirements = requirements_cls.from_dict(dict(decision.requirements))
        fresh = self.services.recommend(requirements, self.services.load_catalog())
        return f"## Re-check of #{decision_id} against today's catalog\n\n" + "\n".join(
            recheck_lines(decision, fresh)
        )

    @on(Worker.StateChanged)
    def _on_worker_state(self, event: Worker.StateChanged) -> None:
        worker, group = event.worker, event.worker.group
        if not worker.is_finished or not group.startswith("history-"):
            return
        if event.state is WorkerState.ERROR:
            self.notify(
                str(worker.error), title=f"{group.removeprefix('history-').title()} failed", severity="error"
            )
        elif event.state is WorkerState.SUCCESS:
            result: Any = worker.result
            if group == "history-list":
                self._show_list(result)
            elif group == "history-detail":
                self.query_one("#decision-detail", Markdown).update(result)
            elif group == "history-export":
                self.notify(f"Exported to {result}", title="Exported")
            elif group == "history-recheck":
                self.query_one("#decision-detail", Markdown).update(result)
                self.notify("Re-check done: see the right pane.", title="Re-check")


def _close(db: Any) -> None:
    close = getattr(db, "close", None)
    if callable(close):
        close()
