"""Decide saves answers, shortlist, trial and choice to the journal; History lists, filters, compares,
re-checks and exports what was saved."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import DataTable, Input, Markdown, Select, TextArea

from tests.tui.fakes import FakeJournal, fake_services, settle
from tui.app import EmbedscoutApp
from tui.screens.compare import CompareScreen
from tui.services import Services


async def _run_trial_then_decide(app: EmbedscoutApp, pilot, note: str) -> None:  # type: ignore[no-untyped-def]
    await pilot.press("f3")
    await settle(pilot)
    await pilot.press("down", "space", "f4")
    await pilot.press("ctrl+r")
    await settle(pilot)
    await pilot.press("f5")
    await pilot.pause()
    app.screen.query_one("#rationale", TextArea).text = note
    await pilot.press("ctrl+s")
    await settle(pilot)


async def test_decide_saves_everything(services: Services, journal: FakeJournal) -> None:
    """One save = a decision with requirements, the recommendation, the trial, the model and the note."""
    app = EmbedscoutApp(services)
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        await _run_trial_then_decide(app, pilot, "Best nDCG; «quotes» and 'SQL' -- kept")
        assert app.session.decision_id == 1
        d = journal.rows[1]
        assert d.status == "decided" and d.chosen_model == "nomic-ai/nomic-embed-text-v1.5"
        assert d.rationale == "Best nDCG; «quotes» and 'SQL' -- kept"
        assert d.recommendations[0]["candidates"][0]["id"] == "nomic-ai/nomic-embed-text-v1.5"
        assert [r["model"] for r in d.trials[0]["results"]] == ["bm25", "nomic-ai/nomic-embed-text-v1.5"]
        assert d.requirements["languages"] == ("en",)


async def test_decide_without_trial_offers_shortlist(services: Services) -> None:
    app = EmbedscoutApp(services, start="shortlist")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("f5")
        await pilot.pause()
        choice = app.screen.query_one("#choice", Select)
        assert choice.value == "bm25"
        assert "Trial: none yet" in str(app.screen.query_one("#decide-evidence").render())


async def test_save_without_shortlist_still_attaches_a_recommendation(
    services: Services, journal: FakeJournal
) -> None:
    """Deciding straight from the questions ranks the catalog in the save worker, for the journal."""
    app = EmbedscoutApp(services, start="decide")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        saved = journal.rows[1]
        assert saved.chosen_model == "bm25"
        assert saved.recommendations[0]["candidates"][0]["id"] == "nomic-ai/nomic-embed-text-v1.5"


async def test_save_error_is_a_notification() -> None:
    class Broken(FakeJournal):
        def create_decision(self, db, **kw):  # type: ignore[no-untyped-def]
            raise RuntimeError("database is locked")

    app = EmbedscoutApp(fake_services(journal=Broken()), start="decide")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert any("database is locked" in n.message for n in app._notifications)
        assert app.screen.query_one("#save").disabled is False


def _seed(journal: FakeJournal) -> None:
    for title, model, status in (
        ("Legal search", "BAAI/bge-m3", "decided"),
        ("Support bot", "bm25", "draft"),
        ("Code search", "nomic-ai/nomic-embed-text-v1.5", "decided"),
    ):
        i = journal.create_decision(
            None, title=title, requirements={"languages": ["en"], "domain": "general"}
        )
        journal.attach_recommendation(
            None,
            i,
            {
                "catalog_version": "v1",
                "candidates": [{"id": "BAAI/bge-small-en-v1.5", "score": 40.0}, {"id": model, "score": 30.0}],
            },
        )
        if status == "decided":
            journal.decide(None, i, model=model, note=f"why {title}")


async def test_history_lists_searches_and_filters(services: Services, journal: FakeJournal) -> None:
    _seed(journal)
    app = EmbedscoutApp(services, start="history")
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        table = app.screen.query_one("#decisions", DataTable)
        assert [str(table.get_row_at(i)[3]) for i in range(table.row_count)] == [
            "Code search",
            "Support bot",
            "Legal search",
        ]
        assert "Code search" in app.screen.query_one("#decision-detail", Markdown).source
        app.screen.query_one("#status", Select).value = "draft"
        await settle(pilot)
        assert table.row_count == 1 and str(table.get_row_at(0)[3]) == "Support bot"
        app.screen.query_one("#status", Select).value = ""
        app.screen.query_one("#search", Input).value = "legal"
        await settle(pilot)
        assert table.row_count == 1 and str(table.get_row_at(0)[3]) == "Legal search"


async def test_history_enter_opens_the_report(services: Services, journal: FakeJournal) -> None:
    _seed(journal)
    app = EmbedscoutApp(services, start="history")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        from tui.screens.report import ReportScreen

        assert isinstance(app.screen, ReportScreen)
        assert app.screen.query_one("#report", Markdown).source.startswith("# Code search")
        await pilot.press("escape")
        assert not isinstance(app.screen, ReportScreen)


async def test_history_compare_two(services: Services, journal: FakeJournal) -> None:
    _seed(journal)
    app = EmbedscoutApp(services, start="history")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("space", "down")
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)
        assert isinstance(app.screen, CompareScreen)
        assert "Code search" in app.screen.query_one("#compare-a", Markdown).source
        assert "Support bot" in app.screen.query_one("#compare-b", Markdown).source
        await pilot.press("escape")
        assert app.current_mode == "history" and not isinstance(app.screen, CompareScreen)


async def test_history_export_and_recheck(services: Services, journal: FakeJournal, home: Path) -> None:
    _seed(journal)
    exported = home / "exports"
    exported.mkdir()
    services.export_dir = lambda: exported
    app = EmbedscoutApp(services, start="history")
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        assert (exported / "decision-3.md").read_text().startswith("# Code search")
        await pilot.press("r")
        await settle(pilot)
        text = app.screen.query_one("#decision-detail", Markdown).source
        assert "Re-check of #3" in text
        assert "- Catalog: v1 -> test" in text
        assert "nomic-ai/nomic-embed-text-v1.5: rank 2 then, 2 now" in text
        assert "not in the saved shortlist: openai/text-embedding-3-small" in text


async def test_history_empty_journal(services: Services) -> None:
    app = EmbedscoutApp(services, start="history")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert "No decisions yet" in app.screen.query_one("#decision-detail", Markdown).source
