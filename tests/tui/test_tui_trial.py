"""Trial: the form becomes a TrialPlan run by the workflow in a thread worker; a bar per model, results,
cancel, bad input; every finished trial joins the draft with the profile it ran under."""

from __future__ import annotations

import threading

from textual.widgets import Input, Label, ProgressBar, RichLog

from tests.tui.fakes import FakeRunner, cpu_draft, fake_services, settle
from tui.app import EmbedscoutApp
from tui.app.screens.trial import TrialScreen
from tui.app.widgets.result_details import ResultDetails
from tui.app.widgets.results_table import ResultsTable
from tui.workflow.services import Services

BGE = "BAAI/bge-small-en-v1.5"


def _log(app: EmbedscoutApp) -> str:
    return "\n".join(line.text for line in app.screen.query_one("#trial-log", RichLog).lines)


def _app(services: Services, *ticked: str) -> EmbedscoutApp:
    draft = cpu_draft()
    for ref in ticked:
        draft = draft.with_tick(ref, True)
    return EmbedscoutApp(services, start="trial", draft=draft)


async def test_demo_trial_fills_results_and_draft(services: Services, runner: FakeRunner) -> None:
    """With no folder the real demo set is read; results land in the table and in the draft's trials."""
    app = _app(services, BGE)
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert runner.calls == [["bm25", BGE]]
        (trial,) = app.draft.trials
        assert [r.model for r in trial.result.results] == ["bm25", BGE]
        assert trial.result.dataset["name"] == "demo-squad-en" and trial.plan.sample.docs == 200
        assert trial.revision == app.draft.revision and trial.profile == app.draft.profile
        table = app.screen.query_one(ResultsTable)
        assert table.row_count == 2
        assert [str(table.get_row_at(i)[3]) for i in range(2)] == ["*", "best"]  # vs best, winner marked
        assert str(table.get_row_at(1)[0]) == "bge-small-en-v1.5"
        bars = list(app.screen.query(ProgressBar))
        assert len(bars) == 2 and all(b.progress == b.total for b in bars)
        assert "Winner: BAAI/bge-small-en-v1.5" in _log(app) and "demo-squad-en: " in _log(app)


async def test_every_trial_is_kept(services: Services, runner: FakeRunner) -> None:
    """A second run adds a trial; the first is not replaced."""
    app = _app(services)
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+r")
        await settle(pilot)
        app.screen.query_one("#sample", Input).value = "50"
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert [t.key for t in app.draft.trials] == [1, 2]
        assert [t.plan.sample.docs for t in app.draft.trials] == [200, 50]
        assert "showing trial 2 of 2" in str(app.screen.query_one("#trial-models", Label).content)


async def test_trial_of_an_earlier_profile_is_marked(services: Services) -> None:
    """Changing the answers after a trial labels the shown results as for an earlier profile."""
    app = _app(services)
    async with app.run_test(size=(120, 32)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+r")
        await settle(pilot)
        app.draft = app.draft.with_profile(app.draft.profile.replace(languages=("zh",)))
        await pilot.pause()
        label = str(app.screen.query_one("#trial-models", Label).content)
        assert "for an earlier profile (English · general · 400 tok · CPU)" in label
        assert app.screen.has_class("-earlier")


async def test_failed_model_is_a_row_with_reason(services: Services) -> None:
    app = _app(services, "broken/model")
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+r")
        await settle(pilot)
        table = app.screen.query_one(ResultsTable)
        failed = [i for i in range(table.row_count) if "broken" in str(table.get_row_at(i)[0])]
        assert failed and str(table.get_row_at(failed[0])[1]) == "failed"  # short: the numbers stay on screen
        assert "broken/model: failed (model not available offline)" in _log(app)  # full reason
        table.move_cursor(row=failed[0])
        await pilot.pause()
        assert "model not available offline" in app.screen.query_one(ResultDetails).plain


async def test_no_dense_model_loadable_notifies_and_keeps_running() -> None:
    """Every embedding model failing (offline) is an error notification; the app stays usable."""
    app = EmbedscoutApp(fake_services(), start="trial")
    app.draft = app.draft.with_tick("bm25", False).with_tick("broken/a", True).with_tick("broken/b", True)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert any(n.severity == "error" and "could be loaded" in n.message for n in app._notifications)
        await pilot.press("f2")
        assert app.current_mode == "questions"


async def test_unreadable_folder_is_a_notification(services: Services, runner: FakeRunner) -> None:
    """The real loader's error comes back once, as 'Trial not started'; nothing ran."""
    app = _app(services)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.screen.query_one("#corpus-path", Input).value = "/unreadable/folder"
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert any(
            n.severity == "error" and n.title == "Trial not started" and "not found" in n.message
            for n in app._notifications
        )
        assert "Error: corpus not found" in _log(app)
        assert runner.calls == [] and app.draft.trials == ()
        assert app.screen.query_one("#run").disabled is False


async def test_cancel_stops_between_batches_and_keeps_finished() -> None:
    """Escape cancels: the runner sees should_stop() at its next batch; the stopped trial is kept."""
    gate = threading.Event()
    runner = FakeRunner(gate=gate)
    app = _app(fake_services(runner=runner), BGE)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+r")
        for _ in range(40):  # reading the demo set takes a moment
            await pilot.pause(0.1)
            if app.screen.query(".model-status") and runner.calls:
                break
        screen = app.screen
        assert isinstance(screen, TrialScreen) and screen.has_class("-running")
        await pilot.press("escape")
        gate.set()
        await settle(pilot)
        assert not screen.has_class("-running")
        assert "Stopped: 0 finished models kept; bm25 stopped at 33% (1/3)" in _log(app)
        trial = app.draft.latest_trial
        assert trial is not None and not trial.result.complete
        assert [r.status for r in trial.result.results] == ["cancelled"]
        assert len(runner.calls) == 1  # the second model never started
        statuses = [str(label.content) for label in screen.query(".model-status").results(Label)]
        # Neither finished: no bar is left 'waiting'; the running one says where it stopped, not '100%'.
        assert statuses == ["stopped at 33% (1/3)", "not run"]


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
