"""The shortlist: ranked candidates with reasons, the excluded models with the constraints they failed, a
quality vs. cost/speed plot, and ticks that choose what the trial runs (BM25 ticked by default).

The App ranks (`EmbedscoutApp.rank_if_needed`) whenever the draft has no recommendation for the profile as
it is now; until it lands, the previous one stays visible, marked as made for an earlier profile. This
screen only filters, sorts and renders.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.coordinate import Coordinate
from textual.widgets import DataTable, Footer, Header, Input, Label, Markdown, TabbedContent, TabPane

from tui.app.screens.base import AppScreen
from tui.app.widgets.quality_plot import QualityPlot
from tui.present import models as rows
from tui.workflow.plan import BASELINE

if TYPE_CHECKING:
    from catalog.ranking import Excluded, Ranked, Recommendation

SORTS: tuple[tuple[str, Callable[[Ranked], Any], bool], ...] = (
    ("score", lambda r: r.score, True),
    ("benchmark value", lambda r: rows.benchmark_used(r)[1] or -1.0, True),
    ("dims", lambda r: r.spec.dims or 0, False),
    ("max tokens", lambda r: r.spec.max_tokens or 0, True),
    ("size/price", lambda r: rows.size_sort_value(r.spec), False),
    ("name", lambda r: r.spec.name.casefold(), False),
)
_HEADER_SORT = {3: 0, 5: 1, 6: 2, 7: 3, 8: 4, 2: 5}


class ShortlistScreen(AppScreen):
    """Candidates / Excluded / Plot tabs over the draft's recommendation."""

    CSS_PATH = "shortlist.tcss"
    AUTO_FOCUS = "#candidates-table"
    BINDINGS = [
        Binding("space", "tick", "Tick", tooltip="Tick for trial"),
        Binding("s", "sort", "Sort"),
        Binding("slash", "filter", "Filter"),
        # The tab keys are shown on the tabs themselves, so the footer fits 80 columns.
        Binding("c", "show_tab('tab-candidates')", "Candidates", show=False),
        Binding("x", "show_tab('tab-excluded')", "Excluded", show=False),
        Binding("p", "show_tab('tab-plot')", "Plot", show=False),
        Binding("a", "switch_axis", "Plot axis", show=False),
        Binding("t", "trial", "Trial"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.sort_index = 0
        """Index into SORTS of the active sort."""
        self._shown: list[Ranked] = []
        """Candidates in table order (after filter and sort), BM25 excluded."""
        self._drawn: Recommendation | None = None
        """The recommendation the tables show (redrawn only when it, the filter or the sort changes)."""
        self._stale: set[str] = set()
        """Tabs ('tab-excluded', 'tab-plot') whose content lags the filter: drawn when next shown, so a
        sort or a filter keystroke redraws only the candidates table (the plot alone took ~1 s)."""

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="shortlist-bar"):
            yield Input(placeholder="/ filter: name, provider, licence, language…", id="filter")
            yield Label("", id="shortlist-status")
        with TabbedContent(id="shortlist-tabs"):
            with TabPane("Candidates c", id="tab-candidates"):
                yield DataTable(id="candidates-table", cursor_type="row", zebra_stripes=True)
                with VerticalScroll(id="candidate-detail-box"):
                    yield Markdown("", id="candidate-detail")
            with TabPane("Excluded x", id="tab-excluded"):
                yield DataTable(id="excluded-table", cursor_type="row")
                with VerticalScroll(id="excluded-detail-box"):
                    yield Markdown("", id="excluded-detail")
            with TabPane("Plot p", id="tab-plot"):
                yield QualityPlot(id="quality-plot")
        yield Footer(compact=True)  # built compact: switching it after mount rebuilds every key

    def on_mount(self) -> None:
        self.query_one("#candidates-table", DataTable).add_columns(*rows.CANDIDATE_COLUMNS)
        self.query_one("#excluded-table", DataTable).add_columns("Model", "Provider", "Failed constraints")

    # -- the draft ------------------------------------------------------------------------------------
    def render_draft(self) -> None:
        draft = self.draft
        self.es_app.rank_if_needed()
        shown = draft.ranked.recommendation if draft.ranked else None
        if shown is not self._drawn:
            self._drawn = shown
            self._render_all()
        else:
            self._render_ticks()
        self._render_status()

    # -- rendering ------------------------------------------------------------------------------------
    def _render_status(self) -> None:
        draft, rec = self.draft, self._drawn
        failed = draft.rank_failed == draft.revision
        parts = []
        if rec is not None:
            parts.append(f"{len(rec.candidates)} ranked · {len(rec.excluded)} excluded")
        parts += [f"sort: {SORTS[self.sort_index][0]}", f"ticked: {len(draft.ticked)}"]
        if failed:
            parts.insert(0, "Ranking failed")
        elif draft.recommendation is None:
            parts.insert(0, "Ranking…" if rec is None else "for an earlier profile; re-ranking…")
        # Its size is fixed by the stylesheet: a layout pass of the whole screen would cost ~30 ms a sort.
        self.query_one("#shortlist-status", Label).update(" · ".join(parts), layout=False)

    def _render_all(self) -> None:
        """The candidates now; the excluded table and the plot now if shown, else when their tab opens."""
        self._render_candidates()
        self._stale = {"tab-excluded", "tab-plot"}
        self._render_stale(self.query_one(TabbedContent).active)

    def _render_stale(self, tab: str) -> None:
        if tab not in self._stale:
            return
        self._stale.discard(tab)
        if tab == "tab-plot":
            self.query_one(QualityPlot).show(self._shown)
            return
        rec = self._drawn
        text = self.query_one("#filter", Input).value
        table = self.query_one("#excluded-table", DataTable)
        table.clear()
        excluded = [e for e in rec.excluded if rows.matches(e.spec, text)] if rec else []
        for e in excluded:
            table.add_row(e.spec.name, e.spec.provider, "; ".join(e.reasons), key=e.spec.id)
        self._show_excluded_detail(excluded[0] if excluded else None)

    @on(TabbedContent.TabActivated, "#shortlist-tabs")
    def _on_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        self._render_stale(event.pane.id or "")

    def _render_candidates(self) -> None:
        rec = self._drawn
        table = self.query_one("#candidates-table", DataTable)
        if rec is None:
            table.clear()
            return
        text = self.query_one("#filter", Input).value
        _, key, reverse = SORTS[self.sort_index]
        self._shown = sorted(
            (c for c in rec.candidates if rows.matches(c.spec, text)), key=key, reverse=reverse
        )
        row = table.cursor_row
        table.clear()
        ticked = self.draft.ticked
        table.add_row(*rows.baseline_cells(BASELINE in ticked), key=BASELINE)
        rank = {c.spec.id: i for i, c in enumerate(rec.candidates, start=1)}
        for c in self._shown:
            table.add_row(*rows.candidate_cells(rank[c.spec.id], c, c.spec.id in ticked), key=c.spec.id)
        table.move_cursor(row=min(row, table.row_count - 1))
        self._show_candidate_detail(table.cursor_row)

    def _render_ticks(self) -> None:
        table = self.query_one("#candidates-table", DataTable)
        ticked = self.draft.ticked
        for row_key in table.rows:
            mark = "✓" if row_key.value in ticked else " "
            if table.get_cell(row_key, table.ordered_columns[0].key) != mark:
                table.update_cell(row_key, table.ordered_columns[0].key, mark)

    def _show_candidate_detail(self, row: int) -> None:
        rec = self._drawn
        text = (
            rows.baseline_detail()
            if row <= 0 or row > len(self._shown)
            else rows.candidate_detail(self._shown[row - 1], rec.assumptions if rec else ())
        )
        detail = self.query_one("#candidate-detail", Markdown)
        if detail.source != text:  # re-parsing the same Markdown costs a repaint of the pane for nothing
            detail.update(text)

    def _show_excluded_detail(self, excluded: Excluded | None) -> None:
        text = rows.excluded_detail(excluded) if excluded is not None else "Nothing excluded."
        self.query_one("#excluded-detail", Markdown).update(text)

    @on(DataTable.RowHighlighted, "#candidates-table")
    def _on_candidate_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_candidate_detail(event.cursor_row)

    @on(DataTable.RowHighlighted, "#excluded-table")
    def _on_excluded_highlighted(self, event: DataTable.RowHighlighted) -> None:
        by_id = {e.spec.id: e for e in self._drawn.excluded} if self._drawn else {}
        self._show_excluded_detail(by_id.get(str(event.row_key.value)))

    @on(DataTable.RowSelected, "#candidates-table")
    def _on_candidate_selected(self) -> None:
        self.action_tick()

    @on(DataTable.HeaderSelected, "#candidates-table")
    def _on_header_selected(self, event: DataTable.HeaderSelected) -> None:
        if event.column_index in _HEADER_SORT:
            self.sort_index = _HEADER_SORT[event.column_index]
            self._reorder_candidates()  # a sort changes no other tab
            self._render_status()

    @on(Input.Changed, "#filter")
    def _on_filter_changed(self) -> None:
        if self._drawn is not None:
            self._refilter_candidates()
            self._stale = {"tab-excluded", "tab-plot"}
            self._render_stale(self.query_one(TabbedContent).active)

    @on(Input.Submitted, "#filter")
    def _on_filter_submitted(self) -> None:
        self.query_one("#candidates-table", DataTable).focus()

    # -- actions --------------------------------------------------------------------------------------
    def action_tick(self) -> None:
        table = self.query_one("#candidates-table", DataTable)
        if table.row_count == 0 or self.query_one(TabbedContent).active != "tab-candidates":
            return
        key = table.coordinate_to_cell_key(Coordinate(table.cursor_row, 0)).row_key
        self.draft = self.draft.with_tick(str(key.value))

    def action_sort(self) -> None:
        self.sort_index = (self.sort_index + 1) % len(SORTS)
        if self._drawn is not None:
            self._reorder_candidates()  # a sort changes no other tab
        self._render_status()

    def _reorder_candidates(self) -> None:
        """The same rows in the new sort order, moved in place by DataTable.sort (no rows rebuilt, no widths
        measured again); the highlighted model stays highlighted."""
        table, rec = self.query_one("#candidates-table", DataTable), self._drawn
        if rec is None or table.row_count != len(self._shown) + 1:  # not what is drawn: rebuild instead
            self._render_candidates()
            return
        _, key, reverse = SORTS[self.sort_index]
        self._shown = sorted(self._shown, key=key, reverse=reverse)
        cursor_key = table.coordinate_to_cell_key(Coordinate(table.cursor_row, 0)).row_key
        self._sort_drawn_rows(table, rec)
        table.move_cursor(row=table.get_row_index(cursor_key))

    def _sort_drawn_rows(self, table: DataTable[Any], rec: Recommendation) -> None:
        """Put the drawn rows in the order of `self._shown`, BM25 first, without rebuilding any."""
        rank = {c.spec.id: str(i) for i, c in enumerate(rec.candidates, start=1)}
        position = {rank[c.spec.id]: i for i, c in enumerate(self._shown)}  # the '#' cell names each row
        table.sort(table.ordered_columns[1].key, key=lambda cell: position.get(str(cell), -1))

    def _refilter_candidates(self) -> None:
        """Rows that stop matching the filter are removed and rows that start matching are added, then
        sorted in place: a keystroke no longer rebuilds the table and measures every cell again. The
        highlighted model stays highlighted while it matches."""
        table, rec = self.query_one("#candidates-table", DataTable), self._drawn
        if rec is None or table.row_count != len(self._shown) + 1:  # not what is drawn: rebuild instead
            self._render_candidates()
            return
        text = self.query_one("#filter", Input).value
        _, key, reverse = SORTS[self.sort_index]
        shown = sorted((c for c in rec.candidates if rows.matches(c.spec, text)), key=key, reverse=reverse)
        keep, drawn = {c.spec.id for c in shown}, {c.spec.id for c in self._shown}
        row = table.cursor_row
        cursor_key = table.coordinate_to_cell_key(Coordinate(row, 0)).row_key
        for c in self._shown:
            if c.spec.id not in keep:
                table.remove_row(c.spec.id)
        added = [c for c in shown if c.spec.id not in drawn]
        ticked, rank = self.draft.ticked, {c.spec.id: i for i, c in enumerate(rec.candidates, start=1)}
        for c in added:
            table.add_row(*rows.candidate_cells(rank[c.spec.id], c, c.spec.id in ticked), key=c.spec.id)
        self._shown = shown
        if added:  # removing rows keeps the order of the others
            self._sort_drawn_rows(table, rec)
        still = cursor_key.value in keep or cursor_key.value == BASELINE
        table.move_cursor(row=table.get_row_index(cursor_key) if still else min(row, table.row_count - 1))
        self._show_candidate_detail(table.cursor_row)

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
        if not self.draft.ticked:
            self.notify("Tick at least one model (space).", severity="warning")
            return
        self.es_app.action_goto("trial")
