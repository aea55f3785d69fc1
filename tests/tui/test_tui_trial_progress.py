"""The Trial screen while a trial runs and after it stops: the status line (estimate, phase, time left),
ctrl+c cancelling, 'stopped at N%', no false failure toast, ctrl+q saying 'stopping…' first, the results
table's columns at 80 and 120 cells, and the winner-stability line. The runner is the scripted fake (only
the encoding is faked); the clock the time left is read from is a fake the test moves."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from textual.widgets import Input, Label, RichLog, Select

from tests.tui.fakes import FakeRunner, cpu_draft, fake_services, settle
from tui.app import EmbedscoutApp
from tui.app.screens.trial import TrialScreen
from tui.app.widgets import trial_progress
from tui.app.widgets.results_table import ResultsTable
from tui.app.widgets.trial_progress import TrialProgress

BGE = "BAAI/bge-small-en-v1.5"


class FakeClock:
    """time.monotonic for the progress widget: stands still until the test moves it."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    fake = FakeClock()
    monkeypatch.setattr(trial_progress, "monotonic", fake)
    return fake


def _app(runner: FakeRunner, *refs: str) -> EmbedscoutApp:
    draft = cpu_draft()
    for ref in refs:
        draft = draft.with_tick(ref, True)
    return EmbedscoutApp(fake_services(runner=runner), start="trial", draft=draft)


def _log(app: EmbedscoutApp) -> str:
    return "\n".join(line.text for line in app.screen.query_one("#trial-log", RichLog).lines)


def _line(app: EmbedscoutApp) -> str:
    return str(app.screen.query_one("#progress-line", Label).content)


def _statuses(app: EmbedscoutApp) -> list[str]:
    return [str(label.content) for label in app.screen.query(".model-status").results(Label)]


def _toasts(app: EmbedscoutApp) -> list[str]:
    return [f"{n.title}: {n.message}" for n in app._notifications]


async def until(pilot: Any, check: Any, timeout: float = 20.0) -> None:
    for _ in range(int(timeout / 0.1)):
        await pilot.pause(0.1)
        if check():
            return
    raise AssertionError("timed out waiting for the screen")


async def test_status_line_estimates_then_phase_and_time_left(clock: FakeClock) -> None:
    gate = threading.Event()
    runner = FakeRunner(gate=gate, hold=BGE, gate_timeout=20)
    app = _app(runner, BGE)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+r")
        await until(pilot, lambda: "encoding 1/3" in _statuses(app))
        log = _log(app)
        assert "Estimate bm25: ~0.1 s (fake)" in log
        assert "Estimate: about 20 s for 2 models (bm25 <1 s, bge-small-en-v1.5 20 s)" in log
        assert f"{BGE}: loading {BGE}" in log  # the phase's own words
        clock.now += 6  # 6 s on a third of the texts: 12 s more at that pace
        app.screen.query_one(TrialProgress)._tick()
        assert _line(app) == "bge-small-en-v1.5: encoding 1/3 · about 12 s left · 6 s elapsed"
        assert _statuses(app) == ["ok", "encoding 1/3"]
        gate.set()
        await settle(pilot)
        assert _line(app) == f"Done: {BGE} best"


async def test_ctrl_c_cancels_and_the_bar_says_where_it_stopped(clock: FakeClock) -> None:
    """ctrl+c with the path field focused (where it would be 'copy') cancels the running trial; a model that
    failed before the stopped one does not turn into 'No embedding model could be loaded'."""
    gate = threading.Event()
    runner = FakeRunner(gate=gate, hold=BGE, gate_timeout=20)
    app = _app(runner, "broken/model", BGE)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+r")
        await until(pilot, lambda: "encoding 1/3" in _statuses(app))
        assert app.focused is not None and app.focused.id == "corpus-path"
        await pilot.press("ctrl+c")
        assert _line(app) == "Stopping after the current batch…"
        gate.set()
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, TrialScreen) and not screen.has_class("-running")
        assert _statuses(app) == ["ok", "failed", "stopped at 33% (1/3)"]
        assert _line(app) == "Stopped: 1 finished model kept; bge-small-en-v1.5 stopped at 33% (1/3)"
        assert app.screen.query_one("#progress-line").has_class("-stopped")
        toasts = _toasts(app)  # no 'could not be loaded', no Textual 'Press ctrl+q to quit'
        assert toasts == ["Trial stopped: Stopped; 1 finished model(s) kept."]
        trial = app.draft.latest_trial
        assert trial is not None and [r.status for r in trial.result.results] == ["ok", "failed", "cancelled"]


async def test_ctrl_q_mid_trial_says_stopping_at_once_then_exits(clock: FakeClock) -> None:
    gate = threading.Event()
    runner = FakeRunner(gate=gate, hold="bm25", gate_timeout=20)
    app = _app(runner, BGE)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+r")
        await until(pilot, lambda: "encoding 1/3" in _statuses(app))
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert _line(app) == "Stopping the trial, then quitting… (ctrl+q again: now)"
        assert "Quitting: Stopping the trial after the current batch, then quitting…" in _toasts(app)
        assert app.is_running  # still up: the runner is told to stop first
        gate.set()
        await until(pilot, lambda: not app.is_running or app._exit_renderables is not None, 10)
    assert len(runner.calls) == 1 and app.return_code == 0


async def test_results_columns_fit_80_and_120_cells_with_stability_line(clock: FakeClock) -> None:
    """A failed row keeps a one-word status (its reason in the Details pane); at 80 cells the key columns
    (model, nDCG@10 with its interval, vs best, docs/s) are all on screen; the winner stability is under the
    table, as a warning when the per-query values cannot tell the models apart."""
    runner = FakeRunner(spread=0.45, step=0.01)
    app = _app(runner, "broken/model", BGE)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+r")
        await settle(pilot)
        table = app.screen.query_one(ResultsTable)
        labels = [str(c.label) for c in table.columns.values()]
        assert labels == ["Model", "Status", "nDCG@10 [95% CI]", "vs best", "docs/s", "peak MB"]
        assert sum(c.get_render_width(table) for c in table.columns.values()) <= 78
        assert [str(table.get_row_at(i)[1]) for i in range(table.row_count)] == ["ok", "failed", "ok"]
        stability = app.screen.query_one("#trial-stability", Label)
        text = str(stability.content)
        assert text.startswith("⚠ Winner stability: ") and "add queries" in text
        assert stability.has_class("-warning") and stability.display
        await pilot.resize_terminal(120, 40)
        await pilot.pause(0.2)
        labels = [str(c.label) for c in table.columns.values()]
        assert labels[-3:] == ["docs/s", "p50 ms", "peak MB"] and "MRR@10" in labels
        assert sum(c.get_render_width(table) for c in table.columns.values()) <= 118


@pytest.mark.slow
async def test_real_runner_estimates_and_phases_reach_the_screen(minilm_path: str) -> None:
    """The real engine (bm25 + the packaged MiniLM on a slice of the demo, torch): its estimates give the
    up-front line and its load phase the row's status; at the end every row is ok, the line names the best."""
    from tests.tui.fakes import wait_trial
    from tui.workflow.services import Services

    app = EmbedscoutApp(Services(), start="trial", draft=cpu_draft().with_tick("minilm", True))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.screen.query_one("#sample", Input).value = "30"
        app.screen.query_one("#backend", Select).value = "torch"
        seen: list[str] = []
        await pilot.press("ctrl+r")
        for _ in range(600):
            await pilot.pause(0.1)
            seen.append(_line(app))
            seen += _statuses(app)
            if not app.screen.has_class("-running"):
                break
        await wait_trial(app, pilot)
        log = _log(app)
        assert "Estimate bm25: " in log and "Estimate sentence-transformers/all-MiniLM-L6-v2: ~" in log
        lines = log.splitlines()
        assert any(line.startswith("Estimate: about ") and "for 2 models" in line for line in lines)
        assert "loading the model" in seen  # the row said what the wait was for
        assert _statuses(app) == ["ok", "ok"]
        assert _line(app).startswith("Done: ") and _line(app).endswith(" best")
