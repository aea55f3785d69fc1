"""Snapshots of the Trial screen's new states at 80x24 and 120x40: running (the status line with the
model's phase and the time left), stopped after a cancel ('stopped at N%'), and results with a failed row
(one-word status) and the winner-stability line. The runner is the scripted fake; the clock the progress
reads is frozen and moved by the test, so the time left is the same on every run."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from tests.tui.fakes import FakeRunner, settle
from tests.tui.test_tui_trial_progress import _app, clock, until
from tui.app import EmbedscoutApp
from tui.app.widgets.trial_progress import TrialProgress

__all__ = ["clock"]  # the fake clock fixture, shared with the Pilot tests
SIZES = [(80, 24), (120, 40)]
BGE = "BAAI/bge-small-en-v1.5"


async def still(pilot: Any, *, workers: bool = True) -> None:
    """Settle (without waiting for a held trial's worker when `workers` is False), then stop the cursor
    blinking so a snapshot never catches it half-way."""
    if workers:
        await settle(pilot)
    for widget in pilot.app.screen.query("Input, TextArea"):
        widget.cursor_blink = False
    await pilot.pause()


def _encoding(app: EmbedscoutApp) -> bool:
    return any("encoding 1/3" in str(label.content) for label in app.screen.query(".model-status"))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_trial_running_status_line(snap_compare, size, clock) -> None:  # type: ignore[no-untyped-def]
    gate = threading.Event()
    app = _app(FakeRunner(gate=gate, hold=BGE, gate_timeout=8), BGE)

    async def running(pilot: Any) -> None:
        await settle(pilot)
        await pilot.press("ctrl+r")
        await until(pilot, lambda: _encoding(app))
        clock.now += 6
        app.screen.query_one(TrialProgress)._tick()
        await still(pilot, workers=False)

    try:
        assert snap_compare(app, run_before=running, terminal_size=size)
    finally:
        gate.set()


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_trial_stopped_after_cancel(snap_compare, size, clock) -> None:  # type: ignore[no-untyped-def]
    gate = threading.Event()
    app = _app(FakeRunner(gate=gate, hold=BGE, gate_timeout=20), "broken/model", BGE)

    async def stopped(pilot: Any) -> None:
        await settle(pilot)
        await pilot.press("ctrl+r")
        await until(pilot, lambda: _encoding(app))
        await pilot.press("ctrl+c")
        gate.set()
        await settle(pilot)
        pilot.app.clear_notifications()  # transient toasts (tested in test_tui_trial_progress.py)
        await still(pilot)

    assert snap_compare(app, run_before=stopped, terminal_size=size)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_trial_results_failed_row_and_stability(snap_compare, size, clock) -> None:  # type: ignore[no-untyped-def]
    app = _app(FakeRunner(spread=0.45, step=0.01), "broken/model", BGE)

    async def finished(pilot: Any) -> None:
        await settle(pilot)
        await pilot.press("ctrl+r")
        await settle(pilot)
        pilot.app.clear_notifications()
        await still(pilot)

    assert snap_compare(app, run_before=finished, terminal_size=size)
