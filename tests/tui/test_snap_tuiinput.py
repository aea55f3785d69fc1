"""Snapshots of the input states added for issue #15: a questionnaire step showing a validation message
(80x24, 120x40), the first step at 80x24 with the Multilingual box above the buttons, and the trial form
refusing 'Sample 0'. Only I/O is faked, as in test_tui_snapshots.py."""

from __future__ import annotations

import pytest
from textual.widgets import Input

from tests.tui.fakes import cpu_draft, fake_services, settle
from tests.tui.test_tui_snapshots import SIZES, still
from tui.app import EmbedscoutApp


def _app(start: str) -> EmbedscoutApp:
    return EmbedscoutApp(fake_services(), start=start, draft=cpu_draft())


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_questions_length_message(snap_compare, size) -> None:  # type: ignore[no-untyped-def]
    async def length_zero(pilot) -> None:  # type: ignore[no-untyped-def]
        await settle(pilot)
        await pilot.press("ctrl+n", "ctrl+n")
        await settle(pilot)
        field = pilot.app.screen.query_one("#doc-tokens", Input)
        field.focus()
        field.action_select_all()
        await pilot.press("backspace", "0")
        await still(pilot)

    assert snap_compare(_app("questions"), run_before=length_zero, terminal_size=size)


def test_questions_multilingual_at_80x24(snap_compare) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(_app("questions"), run_before=still, terminal_size=(80, 24))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_trial_sample_zero_message(snap_compare, size) -> None:  # type: ignore[no-untyped-def]
    async def sample_zero(pilot) -> None:  # type: ignore[no-untyped-def]
        await settle(pilot)
        pilot.app.screen.query_one("#sample", Input).value = "0"
        await still(pilot)

    assert snap_compare(_app("trial"), run_before=sample_zero, terminal_size=size)
