"""Snapshots of each screen's settled state (never mid-trial) at 80x24 and 120x40. Only I/O is faked (a
five-model catalog, the machine, the trial runner, the clock): the rankings shown are the real ranking's.

Baselines live in __snapshots__/ and were recorded on Python 3.11 after reading the report.
"""

from __future__ import annotations

import pytest

from storage import store
from tests.tui.fakes import cpu_draft, fake_services, journal, keys, settle, wait_trial
from tui.app import EmbedscoutApp

SIZES = [(80, 24), (120, 40)]


async def still(pilot) -> None:  # type: ignore[no-untyped-def]
    """Settle, then stop cursor blinking so a snapshot never catches the cursor half-way (rule 19)."""
    await settle(pilot)
    for widget in pilot.app.screen.query("Input, TextArea"):
        widget.cursor_blink = False
    await pilot.pause()


def _app(start: str, ticked: tuple[str, ...] = ()) -> EmbedscoutApp:
    draft = cpu_draft()
    for ref in ticked:
        draft = draft.with_tick(ref, True)
    return EmbedscoutApp(fake_services(), start=start, draft=draft)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_questions(snap_compare, size) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(_app("questions"), run_before=still, terminal_size=size)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_questions_hardware_step(snap_compare, size) -> None:  # type: ignore[no-untyped-def]
    async def to_hardware(pilot) -> None:  # type: ignore[no-untyped-def]
        await settle(pilot)
        await pilot.press(*["ctrl+n"] * 5)
        await still(pilot)

    assert snap_compare(_app("questions"), run_before=to_hardware, terminal_size=size)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_shortlist(snap_compare, size) -> None:  # type: ignore[no-untyped-def]
    async def tick_one(pilot) -> None:  # type: ignore[no-untyped-def]
        await settle(pilot)
        await pilot.press("down", "space")
        await still(pilot)

    assert snap_compare(_app("shortlist"), run_before=tick_one, terminal_size=size)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_shortlist_excluded(snap_compare, size) -> None:  # type: ignore[no-untyped-def]
    async def excluded(pilot) -> None:  # type: ignore[no-untyped-def]
        await settle(pilot)
        await pilot.press("x")
        await still(pilot)

    assert snap_compare(_app("shortlist"), run_before=excluded, terminal_size=size)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_shortlist_plot(snap_compare, size) -> None:  # type: ignore[no-untyped-def]
    async def plot(pilot) -> None:  # type: ignore[no-untyped-def]
        await settle(pilot)
        await pilot.press("p")
        await still(pilot)

    assert snap_compare(_app("shortlist"), run_before=plot, terminal_size=size)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_history_compare(snap_compare, size) -> None:  # type: ignore[no-untyped-def]
    app = _app("history")
    with journal() as db:
        for title, model in (("Legal search", "BAAI/bge-m3"), ("Support bot", "bm25")):
            i = store.create_decision(db, title=title, requirements={"languages": ["en"]})
            store.decide(db, i, model=model, note=f"why {title}")

    async def compare(pilot) -> None:  # type: ignore[no-untyped-def]
        await settle(pilot)
        await pilot.press("space", "down")
        await settle(pilot)
        await pilot.press("c")
        await still(pilot)

    assert snap_compare(app, run_before=compare, terminal_size=size)


async def _finished_trial(pilot) -> None:  # type: ignore[no-untyped-def]
    await settle(pilot)
    await pilot.press("ctrl+r")
    await wait_trial(pilot.app, pilot)  # a loaded machine delivers the last rows late
    await still(pilot)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_trial_results(snap_compare, size) -> None:  # type: ignore[no-untyped-def]
    app = _app("trial", ("BAAI/bge-small-en-v1.5", "broken/model"))
    assert snap_compare(app, run_before=_finished_trial, terminal_size=size)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_decide_after_trial(snap_compare, size) -> None:  # type: ignore[no-untyped-def]
    async def decide(pilot) -> None:  # type: ignore[no-untyped-def]
        await _finished_trial(pilot)
        await pilot.press("f5")
        await still(pilot)

    app = _app("trial", ("BAAI/bge-small-en-v1.5",))
    assert snap_compare(app, run_before=decide, terminal_size=size)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_history_after_save(snap_compare, size) -> None:  # type: ignore[no-untyped-def]
    async def save_then_history(pilot) -> None:  # type: ignore[no-untyped-def]
        await _finished_trial(pilot)
        await keys(pilot, "f5", "ctrl+s", "f6")
        pilot.app.clear_notifications()  # the "Saved" toast is transient, not part of the settled screen
        await still(pilot)

    app = _app("trial", ("BAAI/bge-small-en-v1.5",))
    assert snap_compare(app, run_before=save_then_history, terminal_size=size)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_trial_details(snap_compare, size) -> None:  # type: ignore[no-untyped-def]
    """Opt-ins set (tokenizer check, int8, a spend cap, an API model); details of the dense model."""

    async def opted_in(pilot) -> None:  # type: ignore[no-untyped-def]
        from textual.widgets import Checkbox, Input, Select

        await settle(pilot)
        screen = pilot.app.screen
        screen.query_one("#checks", Select).value = "tokenizer"
        screen.query_one("#int8", Checkbox).value = True
        screen.query_one("#max-usd", Input).value = "1"
        await pilot.press("ctrl+r")
        await settle(pilot)
        screen.query_one("#results-table").move_cursor(row=1)
        await still(pilot)

    app = _app("trial", ("BAAI/bge-small-en-v1.5", "openai:text-embedding-3-small"))
    assert snap_compare(app, run_before=opted_in, terminal_size=size)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_decide_after_answers_changed(snap_compare, size) -> None:  # type: ignore[no-untyped-def]
    """The demo trial ran under English/CPU; the answers are now Chinese/legal/3,000 tokens/CUDA 8 GB: Decide
    lists the trial as an earlier profile's, unticked, with the new title."""

    async def changed(pilot) -> None:  # type: ignore[no-untyped-def]
        await _finished_trial(pilot)
        app = pilot.app
        new = app.draft.profile.replace(
            languages=("zh",), domain="legal", doc_tokens=3000, gpu="cuda", vram_gb=8.0
        )
        app.draft = app.draft.with_profile(new)
        await pilot.press("f5")
        await still(pilot)

    app = _app("trial", ("BAAI/bge-small-en-v1.5",))
    assert snap_compare(app, run_before=changed, terminal_size=size)
