"""Shortlist: the real ranking of a small catalog, BM25 ticked by default, ticking, sorting, filtering,
excluded tab, plot; a changed profile re-ranks and the old list says it is for an earlier profile."""

from __future__ import annotations

import threading

from textual.coordinate import Coordinate
from textual.widgets import DataTable, Input, Label, Markdown, TabbedContent

from catalog.load import CatalogError
from tests.tui.fakes import CATALOG, cpu_draft, fake_services, settle, until
from tui.app import EmbedscoutApp
from tui.app.widgets.quality_plot import QualityPlot
from tui.workflow.services import CatalogSnapshot, Services


def _column(table: DataTable, index: int) -> list[str]:
    return [str(table.get_row_at(r)[index]) for r in range(table.row_count)]


def _app(services: Services) -> EmbedscoutApp:
    return EmbedscoutApp(services, start="shortlist", draft=cpu_draft())


async def test_candidates_ranked_with_bm25_ticked(services: Services) -> None:
    """BM25 is the first row and ticked; candidates follow in the ranking's order (16 GB CPU, open only)."""
    app = _app(services)
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        table = app.screen.query_one("#candidates-table", DataTable)
        names = _column(table, 2)
        assert names[0].startswith("BM25") and _column(table, 0)[0] == "✓"
        assert names[1:] == ["bge-small-en-v1.5", "nomic-embed-text-v1.5", "all-MiniLM-L6-v2"]
        assert app.draft.ticked == ("bm25",) and app.draft.recommendation is not None


async def test_space_ticks_and_unticks(services: Services) -> None:
    app = _app(services)
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        await pilot.press("down", "space")
        assert "BAAI/bge-small-en-v1.5" in app.draft.ticked
        assert _column(app.screen.query_one("#candidates-table", DataTable), 0)[:2] == ["✓", "✓"]
        await pilot.press("space")
        assert "BAAI/bge-small-en-v1.5" not in app.draft.ticked
        await pilot.press("up", "space")
        assert app.draft.ticked == ()


async def test_sort_and_filter(services: Services) -> None:
    """'s' cycles the sort (score -> benchmark -> dims...); the filter keeps matching models only."""
    app = _app(services)
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        table = app.screen.query_one("#candidates-table", DataTable)
        await pilot.press("s", "s", "s")  # score -> benchmark -> dims -> max tokens (descending)
        assert _column(table, 7)[1:] == ["8,192", "512", "256"]
        await pilot.press("slash", *"minilm", "enter")
        assert _column(table, 2) == ["BM25 (lexical baseline)", "all-MiniLM-L6-v2"]


async def test_a_sort_moves_rows_in_place_and_keeps_the_highlighted_model(services: Services) -> None:
    """Sorting reorders the drawn rows (BM25 stays first) and the cursor follows the model it was on."""
    app = _app(services)
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        table = app.screen.query_one("#candidates-table", DataTable)
        await pilot.press("down", "down")  # nomic-embed-text-v1.5, the 8,192-token model
        before = table.coordinate_to_cell_key(Coordinate(table.cursor_row, 0)).row_key.value
        await pilot.press("s", "s", "s")  # -> max tokens, descending
        await settle(pilot)
        assert _column(table, 2)[0].startswith("BM25") and _column(table, 7)[1:] == ["8,192", "512", "256"]
        assert table.coordinate_to_cell_key(Coordinate(table.cursor_row, 0)).row_key.value == before
        assert before == "nomic-ai/nomic-embed-text-v1.5" and table.cursor_row == 1


async def test_detail_pane_has_reasons_and_sources(services: Services) -> None:
    app = _app(services)
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        await pilot.press("down")
        await pilot.pause()
        text = app.screen.query_one("#candidate-detail", Markdown).source
        assert "fits your 16 GB RAM on CPU" in text and "https://hf.co/BAAI/bge-small-en-v1.5" in text
        assert "Commercial use: yes" in text and "True" not in text


async def test_excluded_tab_lists_failed_constraints(services: Services) -> None:
    app = _app(services)
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        await pilot.press("x")
        await pilot.pause()
        assert app.screen.query_one(TabbedContent).active == "tab-excluded"
        reasons = _column(app.screen.query_one("#excluded-table", DataTable), 2)
        assert "API-only model; your budget is open-weights only" in reasons
        assert any("needs ~37 GB RAM on CPU" in r and "you have 16" in r for r in reasons)


async def test_plot_tab_and_axis_switch(services: Services) -> None:
    app = _app(services)
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        await pilot.press("p")
        await pilot.pause()
        assert app.screen.query_one(TabbedContent).active == "tab-plot"
        plot = app.screen.query_one(QualityPlot)
        await pilot.press("a")
        assert plot.axis == "price"


async def test_changed_answers_rerank_and_mark_the_old_list() -> None:
    """While the new ranking runs, the shown list is labelled as made for an earlier profile; then the
    draft holds a recommendation for the new profile (the API model is back once open-only is dropped)."""
    gate = threading.Event()

    def slow_catalog() -> CatalogSnapshot:
        gate.wait(5)
        return CatalogSnapshot(CATALOG, "test-catalog")

    app = _app(fake_services(catalog=slow_catalog))
    async with app.run_test(size=(120, 32)) as pilot:
        gate.set()
        await settle(pilot)
        assert app.draft.recommendation is not None
        gate.clear()
        app.draft = app.draft.with_profile(app.draft.profile.with_budget("any"))
        await pilot.pause()
        status = str(app.screen.query_one("#shortlist-status", Label).content)
        assert "for an earlier profile; re-ranking" in status and app.draft.recommendation is None
        gate.set()
        await settle(pilot)
        rec = app.draft.recommendation
        assert rec is not None and rec.requirements.open_only is False
        assert "openai/text-embedding-3-small" in [c.spec.id for c in rec.candidates]
        assert "earlier profile" not in str(app.screen.query_one("#shortlist-status", Label).content)


async def test_ranking_error_is_a_notification() -> None:
    def broken() -> CatalogSnapshot:
        raise CatalogError("catalog entry 'x': field 'dims' must be positive")

    app = EmbedscoutApp(fake_services(catalog=broken), start="shortlist")
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: bool(app._notifications))
        assert any("dims" in n.message and "reinstall" in n.message for n in app._notifications)
        assert "Ranking failed" in str(app.screen.query_one("#shortlist-status", Label).content)
        assert app.screen.query_one("#filter", Input) is not None
