"""The help screen (F1 / `?`), History and Compare as readable panels, and the quality plot: Pilot tests
of what a user reads and presses, and snapshots of each settled state at 80x24 and 120x40.

Only I/O is faked (tests/tui/fakes.py: the catalog, the machine, the runner, the clock, and here the
folders the help shows, so a snapshot does not carry a temp path); ranking, journal and formatting are real.
"""

from __future__ import annotations

from typing import Any

import pytest
from textual.binding import Binding
from textual.widgets import Input, Markdown

from storage import store
from tests.tui.fakes import cpu_draft, fake_services, journal, keys, settle, shown_text
from tests.tui.test_tui_snapshots import still
from tui.app import EmbedscoutApp
from tui.app.screens.compare import CompareScreen
from tui.app.screens.help import HelpScreen
from tui.app.widgets.quality_plot import QualityPlot
from tui.workflow.profile import Profile

SIZES = [(80, 24), (120, 40)]
LOCATIONS = {
    "data": "/home/ada/.local/share/embedscout",
    "config": "/home/ada/.config/embedscout",
    "cache": "/home/ada/.cache/embedscout",
    "db": "/home/ada/.local/share/embedscout/embedscout.db",
}
RAW_KEYS = tuple(Profile().requirements().to_dict()) + (
    "n_docs", "n_chunks", "n_queries", "query_origin", "chunk_tokens", "chunk_overlap", "max_usd",
    "catalog_version", "chosen_model", "price_usd_per_1m", "n_parameters", "vocab_size", "sentencepiece",
)  # fmt: skip
"""Field names the journal and catalog store: none may reach what the user reads."""
REPRS = ("True", "False", "None", "['", "{'", "')", "<tui.", "<catalog.")


def assert_readable(text: str) -> None:
    """No stored field name (those with an underscore cannot be words) and no Python repr in `text`."""
    leaked = [k for k in RAW_KEYS if "_" in k and k in text] + [r for r in REPRS if r in text]
    assert not leaked, f"{leaked} in:\n{text}"


def _app(start: str, ticked: tuple[str, ...] = ()) -> EmbedscoutApp:
    draft = cpu_draft()
    for ref in ticked:
        draft = draft.with_tick(ref, True)
    services = fake_services(locations=lambda: dict(LOCATIONS))
    return EmbedscoutApp(services, start=start, draft=draft)


def _seed_other() -> None:
    """A second decision: another profile (English + Chinese, API allowed), a choice, no trial."""
    with journal() as db:
        req = Profile(ram_gb=16.0, languages=("en", "zh"), open_only=False).requirements().to_dict()
        i = store.create_decision(db, title="Support bot", requirements=req)
        store.decide(db, i, model="sentence-transformers/all-MiniLM-L6-v2", note="small and fast")


async def _saved_then_history(pilot: Any) -> None:
    """A trial of bge-small + BM25, saved on Decide, then History (the saved decision highlighted)."""
    await keys(pilot, "ctrl+r", "f5", "ctrl+s", "f6")
    pilot.app.clear_notifications()
    await still(pilot)


async def _compare_both(pilot: Any) -> None:
    """Mark the highlighted decision, move to the other one, press c."""
    table = pilot.app.screen.query_one("#decisions")
    await keys(pilot, "space", "down" if table.cursor_row == 0 else "up", "c")


def _described(bindings: list[Any]) -> list[str]:
    return [b.description for b in Binding.make_bindings(bindings) if b.description]


# -- help -------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("start", ["questions", "shortlist", "trial", "decide", "history"])
async def test_f1_opens_help_with_that_screens_keys(start: str) -> None:
    """F1 from each screen shows the journey, that screen's own keys (from its BINDINGS), the keys that
    work everywhere, where the data is, and how to quit; escape goes back to the same screen."""
    app = _app(start)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        source = app.screen
        await keys(pilot, "f1")
        assert isinstance(app.screen, HelpScreen)
        text = app.screen.query_one("#help", Markdown).source
        for description in _described(list(type(source).BINDINGS)) + ["Quit", "Questions", "History"]:
            assert description in text, description
        for title in ("Questions", "Shortlist", "Trial", "Decide", "History"):
            assert f"**{title}**" in text  # the journey
        assert LOCATIONS["db"] in text and LOCATIONS["cache"] in text and LOCATIONS["config"] in text
        assert "`^q` Quit" in text
        assert app.screen.source_title.lower() in {start, "questions"}
        await keys(pilot, "escape")
        assert app.screen is source


async def test_help_from_compare_lists_compare_keys_and_f1_closes_it() -> None:
    """Help works over a pushed screen too (Compare), with its keys; F1 again closes the help."""
    _seed_other()
    app = _app("trial", ("BAAI/bge-small-en-v1.5",))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await _saved_then_history(pilot)
        await _compare_both(pilot)
        assert isinstance(app.screen, CompareScreen)
        await keys(pilot, "question_mark")
        assert isinstance(app.screen, HelpScreen) and app.screen.source_title == "Compare"
        assert "`esc` Back" in app.screen.query_one("#help", Markdown).source
        await keys(pilot, "f1")
        assert isinstance(app.screen, CompareScreen)


async def test_question_mark_in_an_input_types_it() -> None:
    """Inside an Input `?` is a character (a search for 'why?'), not the help; outside it opens help."""
    app = _app("history")
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        await keys(pilot, "slash", "w", "h", "y", "question_mark")
        search = app.screen.query_one("#search", Input)
        assert search.value == "why?" and not isinstance(app.screen, HelpScreen)
        await keys(pilot, "enter", "question_mark")  # enter moves focus to the list
        assert isinstance(app.screen, HelpScreen)


async def test_quit_and_help_in_the_footer_and_history_says_enter_opens_the_report() -> None:
    _seed_other()
    app = _app("history")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        shown = {b.binding.description for b in app.active_bindings.values() if b.binding.show}
        assert {"Quit", "Help"} <= shown
        # The list's own Enter hides the screen's from the footer, so the decision pane says it.
        assert "Enter: the full report" in shown_text(app.screen.query_one("#decision-detail"))


# -- readable panels ---------------------------------------------------------------------------------
async def test_history_and_compare_read_as_words() -> None:
    """The History pane and both Compare panes (and its diff) show no field name or Python repr; the
    shortlist's reasons are separate lines and model names are whole."""
    _seed_other()
    app = _app("trial", ("BAAI/bge-small-en-v1.5",))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await _saved_then_history(pilot)
        detail = shown_text(app.screen.query_one("#decision-detail"), width=78)
        assert_readable(detail)
        assert "BAAI/bge-small-en-v1.5" in detail  # never cut to 'BAAI/bge-sm'
        assert "• max 512 tokens fits your 400-token documents in one pass" in detail
        assert "Typical document length" in detail and "400 tokens" in detail
        await _compare_both(pilot)
        assert isinstance(app.screen, CompareScreen)
        for pane in ("#diff", "#compare-a", "#compare-b"):
            assert_readable(shown_text(app.screen.query_one(pane), width=78))
        assert "…" not in shown_text(app.screen.query_one("#diff"), 78)  # long names wrap, never cut
        chosen = dict(app.screen.diff_rows)["Decision"]
        assert ("Chosen model", "BAAI/bge-small-en-v1.5", "sentence-transformers/all-MiniLM-L6-v2") in chosen
        answers = dict(app.screen.diff_rows)["Questions and answers"]
        assert ("Languages", "English", "English, Chinese") in answers


async def test_shortlist_details_read_as_words() -> None:
    """Every candidate's and excluded model's details: no field names, no reprs, languages by name."""
    app = _app("shortlist")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        detail = app.screen.query_one("#candidate-detail", Markdown)
        seen = []
        for _ in range(4):  # BM25, then the three candidates
            await keys(pilot, "down")
            seen.append(detail.source)
            assert_readable(detail.source)
        assert any("- Languages: English" in text for text in seen)
        await keys(pilot, "x")
        assert_readable(app.screen.query_one("#excluded-detail", Markdown).source)


# -- plot ---------------------------------------------------------------------------------------------
async def test_plot_markers_and_legend_and_empty_axis() -> None:
    """Each model is a one-character marker explained in the legend; the price axis of an open-weights
    shortlist plots nothing and says why in the plot area."""
    app = _app("shortlist")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await keys(pilot, "p")
        plot = app.screen.query_one(QualityPlot)
        assert plot.data is not None
        assert [(p.marker, p.name) for p in plot.data.points] == [
            ("1", "bge-small-en-v1.5"), ("2", "nomic-embed-text-v1.5"), ("3", "all-MiniLM-L6-v2"),
        ]  # fmt: skip
        legend = shown_text(plot.query_one("#plot-legend"), width=40)
        assert "1  bge-small-en-v1.5 · 51.7 · 33M" in legend
        await keys(pilot, "a")
        assert plot.axis == "price" and not plot.data.points
        empty = plot.query_one("#plot-empty")
        assert empty.display and not plot.query_one("#plot-area").display
        assert "0 of 3 models plotted on this axis" in shown_text(empty)
        assert "no price (open weights)" in shown_text(plot.query_one("#plot-legend"), width=60)


# -- snapshots ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_snap_help(snap_compare, size) -> None:  # type: ignore[no-untyped-def]
    async def help_(pilot) -> None:  # type: ignore[no-untyped-def]
        await settle(pilot)
        await pilot.press("f1")
        await still(pilot)

    assert snap_compare(_app("shortlist"), run_before=help_, terminal_size=size)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_snap_history_panel(snap_compare, size) -> None:  # type: ignore[no-untyped-def]
    _seed_other()

    async def history(pilot) -> None:  # type: ignore[no-untyped-def]
        await settle(pilot)
        await _saved_then_history(pilot)

    app = _app("trial", ("BAAI/bge-small-en-v1.5",))
    assert snap_compare(app, run_before=history, terminal_size=size)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_snap_compare_panels(snap_compare, size) -> None:  # type: ignore[no-untyped-def]
    _seed_other()

    async def compare(pilot) -> None:  # type: ignore[no-untyped-def]
        await settle(pilot)
        await _saved_then_history(pilot)
        await _compare_both(pilot)
        await still(pilot)

    app = _app("trial", ("BAAI/bge-small-en-v1.5",))
    assert snap_compare(app, run_before=compare, terminal_size=size)


@pytest.mark.parametrize("axis_keys", [("p",), ("p", "a")], ids=["size", "price-empty"])
@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_snap_plot(snap_compare, size, axis_keys) -> None:  # type: ignore[no-untyped-def]
    async def plot(pilot) -> None:  # type: ignore[no-untyped-def]
        await settle(pilot)
        await keys(pilot, *axis_keys)
        await still(pilot)

    assert snap_compare(_app("shortlist"), run_before=plot, terminal_size=size)
