"""History over the real journal file: lists, searches, filters, opens a report, compares two decisions,
re-checks one against the (test) catalog with the real ranking, and exports its Markdown."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import DataTable, Input, Markdown, Select

from storage import store
from tests.tui.fakes import journal, settle, shown_text
from tui.app import EmbedscoutApp
from tui.app.screens.compare import CompareScreen
from tui.app.screens.report_screen import ReportScreen
from tui.workflow.profile import Profile
from tui.workflow.services import Services


def _seed() -> None:
    """Three decisions with recommendations saved from an older catalog (two decided)."""
    req = Profile(ram_gb=16.0).requirements().to_dict()
    with journal() as db:
        for title, model, status in (
            ("Legal search", "BAAI/bge-m3", "decided"),
            ("Support bot", "bm25", "draft"),
            ("Code search", "sentence-transformers/all-MiniLM-L6-v2", "decided"),
        ):
            i = store.create_decision(db, title=title, requirements=req)
            candidates = [{"id": "BAAI/bge-small-en-v1.5", "score": 40.0}, {"id": model, "score": 30.0}]
            store.attach_recommendation(db, i, {"catalog_version": "v1", "candidates": candidates})
            if status == "decided":
                store.decide(db, i, model=model, note=f"why {title}")


async def test_history_lists_searches_and_filters(services: Services) -> None:
    _seed()
    app = EmbedscoutApp(services, start="history")
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        table = app.screen.query_one("#decisions", DataTable)
        assert [str(table.get_row_at(i)[2]) for i in range(table.row_count)] == [
            "Code search",
            "Support bot",
            "Legal search",
        ]
        report = app.screen.report_text  # type: ignore[attr-defined]
        assert report.startswith("# Code search") and "| Languages | English |" in report
        shown = shown_text(app.screen.query_one("#decision-detail"))
        assert shown.startswith("Code search") and "Languages" in shown and "English" in shown
        app.screen.query_one("#status", Select).value = "draft"
        await settle(pilot)
        assert table.row_count == 1 and str(table.get_row_at(0)[2]) == "Support bot"
        app.screen.query_one("#status", Select).value = ""
        app.screen.query_one("#search", Input).value = "legal"
        await settle(pilot)
        assert table.row_count == 1 and str(table.get_row_at(0)[2]) == "Legal search"


async def test_history_enter_opens_the_report(services: Services) -> None:
    _seed()
    app = EmbedscoutApp(services, start="history")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ReportScreen)
        assert app.screen.query_one("#report", Markdown).source.startswith("# Code search")
        await pilot.press("escape")
        assert not isinstance(app.screen, ReportScreen)


async def test_history_compare_two(services: Services) -> None:
    _seed()
    app = EmbedscoutApp(services, start="history")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("space", "down")
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)
        assert isinstance(app.screen, CompareScreen)
        assert shown_text(app.screen.query_one("#compare-a")).startswith("Code search")
        assert shown_text(app.screen.query_one("#compare-b")).startswith("Support bot")
        rows = {(section, label): a != b for section, body in app.screen.diff_rows for label, a, b in body}
        assert rows[("Decision", "Title")] and not rows[("Questions and answers", "Languages")]
        diff = shown_text(app.screen.query_one("#diff"))
        assert "≠   Title" in diff and "Languages" in diff
        await pilot.press("escape")
        assert app.current_mode == "history" and not isinstance(app.screen, CompareScreen)


async def test_history_export_and_recheck(services: Services, home: Path) -> None:
    """Export writes the same Markdown `embedscout export` prints; re-check ranks the saved profile on
    today's catalog (the real ranking) and says what moved."""
    _seed()
    app = EmbedscoutApp(services, start="history")
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        exported = (home / "exports" / "decision-3.md").read_text()
        from tui.present.markdown import decision_markdown

        with journal() as db:
            assert exported == decision_markdown(store.get_decision(db, 3))
        await pilot.press("r")
        await settle(pilot)
        text = app.screen.query_one("#recheck", Markdown).source
        assert "Re-check of #3" in text and "- Catalog v1 -> test-catalog" in text
        assert "- Chosen model sentence-transformers/all-MiniLM-L6-v2: was #2, now #3" in text


async def test_history_empty_journal(services: Services) -> None:
    app = EmbedscoutApp(services, start="history")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert "No decisions yet" in shown_text(app.screen.query_one("#decision-detail"))
