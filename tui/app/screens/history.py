"""History: browse the decision journal (search, status filter), read one, compare two side by side,
re-check one against the current catalog, and export it to Markdown.

Every journal read runs in a thread worker with its own connection (rule 10); reports are rendered by
`tui.present.markdown`, the same text `embedscout export` writes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import DataTable, Footer, Header, Input, Label, Markdown, Select
from textual.worker import Worker, WorkerState

from tui.app.screens.base import AppScreen
from tui.app.widgets.decision_panel import DecisionPanel
from tui.present.formats import cut, short_names

if TYPE_CHECKING:
    from storage.records import Decision
    from tui.present.panels import Panel

STATUSES = (("All statuses", ""), ("Draft", "draft"), ("Decided", "decided"), ("Superseded", "superseded"))


class HistoryScreen(AppScreen):
    """Decisions newest first; the highlighted one is shown on the right."""

    CSS_PATH = "history.tcss"
    AUTO_FOCUS = "#decisions"
    # Under 100 columns the list sits above the decision: side by side, both halves are too narrow to read.
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]
    BINDINGS = [
        Binding("enter", "open", "Full report"),
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
        self._listed_for: object = object()
        """The draft's saved mark the list was loaded for (none yet): a new save reloads it."""
        self.report_text = ""
        """The shown decision's full Markdown report (what Enter opens and `e` exports); '' when none."""

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="history-bar"):
            yield Input(placeholder="/ search title, model, rationale…", id="search", compact=True)
            yield Select(STATUSES, value="", allow_blank=False, id="status", compact=True)
            yield Label("", id="history-count")
        with Horizontal(id="history-body"):
            yield DataTable(id="decisions", cursor_type="row", zebra_stripes=True)
            with VerticalScroll(id="decision-detail-box"):
                yield Markdown("", id="recheck")
                yield DecisionPanel(
                    "Select a decision.", id="decision-detail", hint="Enter: the full report · e: export it"
                )
        yield Footer(compact=True)  # built compact: switching it after mount rebuilds every key

    def on_mount(self) -> None:
        self.query_one("#decisions", DataTable).add_columns("", "#", "Title", "Model", "Status", "Date")

    def render_draft(self) -> None:
        """Reload when shown, and when the draft was saved while this screen was away."""
        if self.is_current or self._listed_for is not self.draft.saved:
            self._listed_for = self.draft.saved
            self.action_reload()

    # -- listing --------------------------------------------------------------------------------------
    def action_reload(self) -> None:
        search = self.query_one("#search", Input).value.strip() or None
        status = self.query_one("#status", Select).value
        self._list_in_thread(search, status if isinstance(status, str) and status else None)

    @work(thread=True, exclusive=True, group="history-list", exit_on_error=False)
    def _list_in_thread(self, search: str | None, status: str | None) -> list[Decision]:
        from storage.store import list_decisions

        db = self.services.open_db()
        try:
            return list_decisions(db, search=search, status=status)
        finally:
            db.close()

    def _show_list(self, decisions: list[Decision]) -> None:
        table = self.query_one("#decisions", DataTable)
        table.clear()
        # Organisation prefixes dropped (unless two models would share a name) so the column fits.
        names = short_names(d.chosen_model for d in decisions if d.chosen_model)
        for d in decisions:
            mark = "●" if d.id in self.marked else " "
            model = names.get(d.chosen_model, "-") if d.chosen_model else "-"
            title = cut(d.title, 24)
            table.add_row(mark, str(d.id), title, model, d.status, d.created_at[:10], key=str(d.id))
        self.query_one("#history-count", Label).update(f"{len(decisions)} decision(s)")
        if not decisions:
            self.report_text = ""
            self._show_recheck("")
            self.query_one(DecisionPanel).show(
                None, "No decisions yet. Save one from the Decide screen (F5)."
            )
            return
        ids = [int(d.id or 0) for d in decisions]
        saved = self.draft.saved.decision_id if self.draft.saved else None
        want = next((c for c in (self._selected, saved) if c in ids), ids[0])
        table.move_cursor(row=ids.index(want))
        self._selected = None  # reload the detail too: the decision may have changed since
        self._open(want)

    @on(DataTable.RowHighlighted, "#decisions")
    def _on_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.row_key.value is not None:
            self._open(int(event.row_key.value))

    def _open(self, decision_id: int) -> None:
        if decision_id != self._selected:
            self._selected = decision_id
            self._detail_in_thread(decision_id)

    def _decision(self, decision_id: int) -> Decision:
        """The decision with everything attached (in a worker thread: reads the journal)."""
        from storage.store import get_decision

        db = self.services.open_db()
        try:
            return get_decision(db, decision_id)
        finally:
            db.close()

    @work(thread=True, exclusive=True, group="history-detail", exit_on_error=False)
    def _detail_in_thread(self, decision_id: int) -> tuple[Panel, str]:
        from tui.present.markdown import decision_markdown
        from tui.present.panels import decision_panel

        decision = self._decision(decision_id)
        return decision_panel(decision), decision_markdown(decision)

    def _show_recheck(self, text: str) -> None:
        recheck = self.query_one("#recheck", Markdown)
        recheck.update(text)
        recheck.display = bool(text)

    @on(Input.Changed, "#search")
    @on(Select.Changed, "#status")
    def _on_filter_changed(self) -> None:
        self.action_reload()

    @on(Input.Submitted, "#search")
    def _on_search_submitted(self) -> None:
        self.query_one("#decisions", DataTable).focus()

    # -- actions --------------------------------------------------------------------------------------
    def action_open(self) -> None:
        """The highlighted decision's report, full screen."""
        if self._selected is None:
            return
        from tui.app.screens.report_screen import ReportScreen

        self.app.push_screen(ReportScreen(self._selected, self.report_text))

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
        from tui.app.screens.compare import CompareScreen

        self.app.push_screen(CompareScreen(ids[0], ids[1]))

    def action_export(self) -> None:
        if self._selected is None:
            self.notify("Nothing selected to export.", severity="warning")
            return
        self._export_in_thread(self._selected)

    @work(thread=True, exclusive=True, group="history-export", exit_on_error=False)
    def _export_in_thread(self, decision_id: int) -> str:
        path = self.services.export_dir() / f"decision-{decision_id}.md"
        from tui.present.markdown import decision_markdown

        path.write_text(decision_markdown(self._decision(decision_id)), encoding="utf-8")
        return str(path)

    def action_recheck(self) -> None:
        if self._selected is None:
            self.notify("Nothing selected to re-check.", severity="warning")
            return
        self._recheck_in_thread(self._selected)

    @work(thread=True, exclusive=True, group="history-recheck", exit_on_error=False)
    def _recheck_in_thread(self, decision_id: int) -> str:
        from tui.present.markdown import recheck_markdown
        from tui.workflow.advice import recheck

        report, _ = recheck(self._decision(decision_id), self.services)
        return recheck_markdown(report, decision_id)

    @on(Worker.StateChanged)
    def _on_worker_state(self, event: Worker.StateChanged) -> None:
        worker, group = event.worker, event.worker.group
        if not worker.is_finished or not group.startswith("history-"):
            return
        if event.state is WorkerState.ERROR:
            self.es_app.show_error(worker.error, f"{group.removeprefix('history-').title()} failed")
        elif event.state is WorkerState.SUCCESS:
            result: Any = worker.result
            if group == "history-list":
                self._show_list(result)
            elif group == "history-detail":
                panel, self.report_text = result
                self._show_recheck("")
                self.query_one(DecisionPanel).show(panel)
            elif group == "history-export":
                self.notify(f"Exported to {result}", title="Exported")
            elif group == "history-recheck":
                self._show_recheck(result)
                self.query_one("#decision-detail-box", VerticalScroll).scroll_home(animate=False)
                self.notify("Re-check done: see the top of the right pane.", title="Re-check")
