"""Trial: runs in a thread worker, shows a bar per model and results, cancels, and survives bad input."""

from __future__ import annotations

import threading

from textual.widgets import Input, Label, ProgressBar, RichLog

from tests.tui.fakes import FakeRunner, fake_services, settle
from tui.app import EmbedscoutApp
from tui.screens.trial import TrialScreen
from tui.services import Services
from tui.widgets.results_table import ResultsTable


def _log(app: EmbedscoutApp) -> str:
    return "\n".join(line.text for line in app.screen.query_one("#trial-log", RichLog).lines)


async def test_demo_trial_fills_results_and_session(services: Services, runner: FakeRunner) -> None:
    """With no folder the demo runs; results land in the table and in Session.last_trial."""
    app = EmbedscoutApp(services, start="trial")
    app.session.ticked |= {"BAAI/bge-small-en-v1.5"}
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert runner.calls == [["bm25", "BAAI/bge-small-en-v1.5"]]
        trial = app.session.last_trial
        assert [r.model for r in trial.results] == ["bm25", "BAAI/bge-small-en-v1.5"]
        table = app.screen.query_one(ResultsTable)
        assert table.row_count == 2
        assert str(table.get_row_at(1)[0]).startswith("★")  # winner highlighted
        assert str(table.get_row_at(0)[3]) == "*"  # significance mark vs best
        bars = list(app.screen.query(ProgressBar))
        assert len(bars) == 2 and all(b.progress == b.total for b in bars)
        assert "Winner: BAAI/bge-small-en-v1.5" in _log(app)


async def test_failed_model_is_a_row_with_reason(services: Services) -> None:
    app = EmbedscoutApp(services, start="trial")
    app.session.ticked |= {"broken/model"}
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+r")
        await settle(pilot)
        table = app.screen.query_one(ResultsTable)
        failed = [
            table.get_row_at(i) for i in range(table.row_count) if "broken" in str(table.get_row_at(i)[0])
        ]
        assert failed and str(failed[0][1]).startswith("failed: model not")
        assert "broken/model: failed (model not available offline)" in _log(app)  # full reason


async def test_no_dense_model_loadable_notifies_and_keeps_running() -> None:
    """Every embedding model failing (offline) is an error notification; the app stays usable."""
    app = EmbedscoutApp(fake_services(), start="trial")
    app.session.ticked = {"broken/a", "broken/b"}
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert any(n.severity == "error" and "could be loaded" in n.message for n in app._notifications)
        await pilot.press("f2")
        assert app.current_mode == "questions"


async def test_unreadable_folder_is_a_notification(services: Services) -> None:
    app = EmbedscoutApp(services, start="trial")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.screen.query_one("#corpus-path", Input).value = "/unreadable/folder"
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert any(n.severity == "error" and "not found" in n.message for n in app._notifications)
        assert "Error: corpus not found" in _log(app)
        assert app.screen.query_one("#run").disabled is False


async def test_cancel_stops_between_batches_and_keeps_finished() -> None:
    """Escape cancels: the runner sees should_stop() at its next batch; finished rows are kept."""
    gate = threading.Event()
    runner = FakeRunner(gate=gate)
    app = EmbedscoutApp(fake_services(runner=runner), start="trial")
    app.session.ticked |= {"BAAI/bge-small-en-v1.5"}
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+r")
        await pilot.pause(0.2)
        screen = app.screen
        assert isinstance(screen, TrialScreen) and screen.has_class("-running")
        await pilot.press("escape")
        gate.set()
        await settle(pilot)
        assert not screen.has_class("-running")
        assert "Cancelled: kept 0 finished" in _log(app)
        trial = app.session.last_trial
        assert not trial.complete and [r.status for r in trial.results] == ["cancelled"]
        assert len(runner.calls) == 1  # the second model never started
        statuses = [str(label.content) for label in screen.query(".model-status").results(Label)]
        assert statuses == ["stopped", "stopped"]  # neither finished: no bar is left 'waiting'


async def test_path_input_completes(tmp_path, services: Services) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "contracts").mkdir()
    app = EmbedscoutApp(services, start="trial")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press(*f"{tmp_path}/con")
        await pilot.pause(0.2)
        await pilot.press("right")
        assert app.screen.query_one("#corpus-path", Input).value == f"{tmp_path}/contracts/"


async def test_browse_picks_a_folder(tmp_path, services: Services, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    (tmp_path / "docs").mkdir()
    app = EmbedscoutApp(services, start="trial")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+o")
        await pilot.pause(0.3)
        await pilot.click("#use-folder")
        await pilot.pause()
        assert app.screen.query_one("#corpus-path", Input).value == str(tmp_path)
