"""The shortlist: ranked candidates with reasons, the excluded models with the constraints they failed, a
quality vs. cost/speed plot, and ticks that choose what the trial runs (BM25 ticked by default).

Ranking is `catalog.ranking.recommend` through `Services`, run in a thread worker and redone whenever the
answers changed since the last visit. This screen only filters, sorts and renders.
"""

from __future__ import annotations

from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.coordinate import Coordinate
from textual.widgets import DataTable, Footer, Header, Input, Label, Markdown, TabbedContent, TabPane
from textual.worker import Worker, WorkerState

from tui.screens.base import AppScreen
from tui.state import BASELINE, build_requirements
from tui.widgets import model_rows as rows
from tui.widgets.quality_plot import QualityPlot

COLUMNS = ("✓", "#", "Model", "Score", "Benchmark", "Value", "Dims", "Max tok", "Size/price", "Licence")
SORTS: tuple[tuple[str, Any, bool], ...] = (
    ("score", lambda r: r.score, True),
    ("benchmark value", lambda r: rows.benchmark_used(r)[1] or -1.0, True),
    ("dims", lambda r: r.spec.dims or 0, False),
    ("max tokens", lambda r: r.spec.max_tokens or 0, True),
    ("size/price", lambda r: rows.size_sort_value(r.spec), False),
    ("name", lambda r: r.spec.name.casefold(), False),
)
_HEADER_SORT = {3: 0, 5: 1, 6: 2, 7: 3, 8: 4, 2: 5}


class ShortlistScreen(AppScreen):
    """Candidates / Excluded / Plot tabs over one recommendation."""

    CSS_PATH = "shortlist.tcss"
    AUTO_FOCUS = "#candidates-table"
    BINDINGS = [
        Binding("space", "tick", "Tick for trial"),
        Binding("s", "sort", "Sort"),
        Binding("slash", "filter", "Filter"),
        Binding("c", "show_tab('tab-candidates')", "Candidates", show=False),
        Binding("x", "show_tab('tab-excluded')", "Excluded"),
        Binding("p", "show_tab('tab-plot')", "Plot"),
        Binding("a", "switch_axis", "Plot axis", show=False),
        Binding("t", "trial", "Trial"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.sort_index = 0
        """Index into SORTS of the active sort."""
        self._shown: list[Any] = []
        """Candidates in table order (after filter and sort), BM25 excluded."""
        self._ranked_for: Any = None
        """The Answers the current recommendation was computed from."""

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="shortlist-bar"):
            yield Input(placeholder="/ filter: name, provider, licence, language…", id="filter")
            yield Label("", id="shortlist-status")
        with TabbedContent(id="shortlist-tabs"):
            with TabPane("Candidates", id="tab-candidates"):
                yield DataTable(id="candidates-table", cursor_type="row", zebra_stripes=True)
                with VerticalScroll(id="candidate-detail-box"):
                    yield Markdown("", id="candidate-detail")
            with TabPane("Excluded", id="tab-excluded"):
                yield DataTable(id="excluded-table", cursor_type="row")
                with VerticalScroll(id="excluded-detail-box"):
                    yield Markdown("", id="excluded-detail")
            with TabPane("Plot", id="tab-plot"):
                yield QualityPlot(id="quality-plot")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#candidates-table", DataTable).add_columns(*COLUMNS)
        self.query_one("#excluded-table", DataTable).add_columns("Model", "Provider", "Failed constraints")
        self._refresh_if_stale()

    def on_screen_resume(self) -> None:
        self._refresh_if_stale()

    def _refresh_if_stale(self) -> None:
        if self._ranked_for != self.session.answers or self.session.recommendation is None:
            self._ranked_for = self.session.answers
            self.query_one("#shortlist-status", Label).update("Ranking…")
            self._recommend_in_thread(self.session.answers)

    @work(thread=True, exclusive=True, group="recommend", exit_on_error=False)
    def _recommend_in_thread(self, answers: Any) -> Any:
        models = self.services.load_catalog()
        requirements = build_requirements(answers, self.services.requirements_cls())
        return self.services.recommend(requirements, models)

    @on(Worker.StateChanged)
    def _on_worker_state(self, event: Worker.StateChanged) -> None:
        if event.worker.group != "recommend":
            return
        if event.state is WorkerState.SUCCESS:
            self.session.recommendation = event.worker.result
            self.session.recommended_for = self._ranked_for
            self._render_all()
        elif event.state is WorkerState.ERROR:
            self._ranked_for = None
            self.query_one("#shortlist-status", Label).update("Ranking failed")
            self.notify(str(event.worker.error), title="Could not rank the catalog", severity="error")

    # -- rendering ----------------------------------------------------------------------------------
    def _render_all(self) -> None:
        rec = self.session.recommendation
        self._render_candidates()
        text = self.query_one("#filter", Input).value
        table = self.query_one("#excluded-table", DataTable)
        table.clear()
        excluded = [e for e in rec.excluded if rows.matches(e.spec, text)]
        for e in excluded:
            table.add_row(e.spec.name, e.spec.provider, "; ".join(str(r) for r in e.reasons), key=e.spec.id)
        self._show_excluded_detail(excluded[0] if excluded else None)
        self.query_one(QualityPlot).show(self._shown)
        self.query_one("#shortlist-status", Label).update(
            f"{len(rec.candidates)} ranked · {len(rec.excluded)} excluded · "
            f"sort: {SORTS[self.sort_index][0]} · ticked: {len(self.session.ticked)}"
        )

    def _render_candidates(self) -> None:
        rec = self.session.recommendation
        if rec is None:
            return
        text = self.query_one("#filter", Input).value
        name, key, reverse = SORTS[self.sort_index]
        self._shown = sorted(
            (c for c in rec.candidates if rows.matches(c.spec, text)), key=key, reverse=reverse
        )
        table = self.query_one("#candidates-table", DataTable)
        row = table.cursor_row
        table.clear()
        table.add_row(*rows.baseline_cells(BASELINE in self.session.ticked), key=BASELINE)
        rank = {c.spec.id: i for i, c in enumerate(rec.candidates, start=1)}
        for c in self._shown:
            table.add_row(
                *rows.candidate_cells(rank[c.spec.id], c, c.spec.id in self.session.ticked), key=c.spec.id
            )
        table.move_cursor(row=min(row, table.row_count - 1))
        self._show_candidate_detail(table.cursor_row)

    def _show_candidate_detail(self, row: int) -> None:
        text = (
            rows.baseline_detail()
            if row <= 0 or row > len(self._shown)
            else rows.candidate_detail(
                self._shown[row - 1], tuple(getattr(self.session.recommendation, "assumptions", ()))
            )
        )
        self.query_one("#candidate-detail", Markdown).update(text)

    def _show_excluded_detail(self, excluded: Any) -> None:
        text = rows.excluded_detail(excluded) if excluded is not None else "Nothing excluded."
        self.query_one("#excluded-detail", Markdown).update(text)

    @on(DataTable.RowHighlighted, "#candidates-table")
    def _on_candidate_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_candidate_detail(event.cursor_row)

    @on(DataTable.RowHighlighted, "#excluded-table")
    def _on_excluded_highlighted(self, event: DataTable.RowHighlighted) -> None:
        rec = self.session.recommendation
        by_id = {e.spec.id: e for e in rec.excluded} if rec else {}
        self._show_excluded_detail(by_id.get(str(event.row_key.value)))

    @on(DataTable.RowSelected, "#candidates-table")
    def _on_candidate_selected(self) -> None:
        self.action_tick()

    @on(DataTable.HeaderSelected, "#candidates-table")
    def _on_header_selected(self, event: DataTable.HeaderSelected) -> None:
        if event.column_index in _HEADER_SORT:
            self.sort_index = _HEADER_SORT[event.column_index]
            self._render_all()

    @on(Input.Changed, "#filter")
    def _on_filter_changed(self) -> None:
        if self.session.recommendation is not None:
            self._render_all()

    @on(Input.Submitted, "#filter")
    def _on_filter_submitted(self) -> None:
        self.query_one("#candidates-table", DataTable).focus()

    # -- actions ------------------------------------------------------------------------------------
    def action_tick(self) -> None:
        table = self.query_one("#candidates-table", DataTable)
        if table.row_count == 0 or self.query_one(TabbedContent).active != "tab-candidates":
            return
        key = table.coordinate_to_cell_key(Coordinate(table.cursor_row, 0)).row_key
        ref = str(key.value)
        on_now = self.session.tick(ref)
        table.update_cell(key, table.ordered_columns[0].key, "✓" if on_now else " ")
        self._render_status_only()

    def _render_status_only(self) -> None:
        rec = self.session.recommendation
        if rec is not None:
            self.query_one("#shortlist-status", Label).update(
                f"{len(rec.candidates)} ranked · {len(rec.excluded)} excluded · "
                f"sort: {SORTS[self.sort_index][0]} · ticked: {len(self.session.ticked)}"
            )

    def action_sort(self) -> None:
        self.sort_index = (self.sort_index + 1) % len(SORTS)
        if self.session.recommendation is not None:
            self._render_all()

    def action_filter(self) -> None:
        self.query_one("#filter", Input).focus()

    def action_show_tab(self, tab: str) -> None:
        self.query_one(TabbedContent).active = tab
        # Focus must leave the hidden pane, or TabbedContent switches back to the pane holding focus.
        target = {"tab-candidates": "#candidates-table", "tab-excluded": "#excluded-table"}.get(tab)
        self.query_one(target or "#shortlist-tabs Tabs").focus()

    def action_switch_axis(self) -> None:
        self.query_one(QualityPlot).toggle_axis()

    def action_trial(self) -> None:
        if len(self.session.ticked) == 0:
            self.notify("Tick at least one model (space).", severity="warning")
            return
        self.es_app.action_goto("trial")
