"""Shortlist: ranked table with BM25 ticked by default, ticking, sorting, filtering, excluded tab, plot."""

from __future__ import annotations

from textual.widgets import DataTable, Input, Markdown, TabbedContent

from tests.tui.fakes import fake_services, settle
from tui.app import EmbedscoutApp
from tui.services import Services
from tui.widgets.quality_plot import QualityPlot


def _column(table: DataTable, index: int) -> list[str]:
    return [str(table.get_row_at(r)[index]) for r in range(table.row_count)]


async def test_candidates_ranked_with_bm25_ticked(services: Services) -> None:
    """BM25 is the first row and ticked; candidates follow in recommend() order."""
    app = EmbedscoutApp(services, start="shortlist")
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        table = app.screen.query_one("#candidates-table", DataTable)
        names = _column(table, 2)
        assert names[0].startswith("BM25") and _column(table, 0)[0] == "✓"
        assert names[1:] == ["nomic-embed-text-v1.5", "bge-small-en-v1.5", "all-MiniLM-L6-v2"]
        assert app.session.ticked == {"bm25"}


async def test_space_ticks_and_unticks(services: Services) -> None:
    app = EmbedscoutApp(services, start="shortlist")
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        await pilot.press("down", "space")
        assert "nomic-ai/nomic-embed-text-v1.5" in app.session.ticked
        await pilot.press("space")
        assert "nomic-ai/nomic-embed-text-v1.5" not in app.session.ticked
        await pilot.press("up", "space")
        assert app.session.ticked == set()


async def test_sort_and_filter(services: Services) -> None:
    """'s' cycles the sort (score -> benchmark -> dims...); the filter keeps matching models only."""
    app = EmbedscoutApp(services, start="shortlist")
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        table = app.screen.query_one("#candidates-table", DataTable)
        await pilot.press("s", "s", "s")  # score -> benchmark -> dims -> max tokens (descending)
        assert _column(table, 7)[1:] == ["8,192", "512", "256"]
        await pilot.press("slash", *"minilm", "enter")
        assert _column(table, 2) == ["BM25 (lexical baseline)", "all-MiniLM-L6-v2"]


async def test_detail_pane_has_reasons_and_sources(services: Services) -> None:
    app = EmbedscoutApp(services, start="shortlist")
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        await pilot.press("down")
        await pilot.pause()
        text = app.screen.query_one("#candidate-detail", Markdown).source
        assert "fits on CPU" in text and "https://hf.co/nomic-ai/nomic-embed-text-v1.5" in text


async def test_excluded_tab_lists_failed_constraints(services: Services) -> None:
    app = EmbedscoutApp(services, start="shortlist")
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        await pilot.press("x")
        await pilot.pause()
        assert app.screen.query_one(TabbedContent).active == "tab-excluded"
        table = app.screen.query_one("#excluded-table", DataTable)
        reasons = _column(table, 2)
        assert "API model, you asked for open weights only" in reasons
        assert (
            "needs ~16 GB VRAM" in app.screen.query_one("#excluded-detail", Markdown).source
            or table.row_count == 2
        )


async def test_plot_tab_and_axis_switch(services: Services) -> None:
    app = EmbedscoutApp(services, start="shortlist")
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        await pilot.press("p")
        await pilot.pause()
        assert app.screen.query_one(TabbedContent).active == "tab-plot"
        plot = app.screen.query_one(QualityPlot)
        await pilot.press("a")
        assert plot.axis == "price"


async def test_answers_change_reranks_on_return(services: Services) -> None:
    """Changing an answer and coming back recomputes the recommendation (open-only drops the API model)."""
    app = EmbedscoutApp(services, start="shortlist")
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        assert app.session.recommendation.excluded[0].spec.id == "openai/text-embedding-3-small"
        app.session.answers = app.session.answers.replace(budget="any")
        await pilot.press("f2")
        await pilot.press("f3")
        await settle(pilot)
        assert app.session.recommendation.requirements.open_only is False


async def test_ranking_error_is_a_notification() -> None:
    def broken(req, models):  # type: ignore[no-untyped-def]
        raise ValueError("catalog entry 'x': field 'dims' must be positive")

    app = EmbedscoutApp(fake_services(recommend=broken), start="shortlist")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert any("dims" in n.message for n in app._notifications)
        assert app.screen.query_one("#filter", Input) is not None
