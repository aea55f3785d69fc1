"""What the speed work of issue #15 must not break: the shortlist filter edits rows in place yet draws
what a rebuild would; CSS work skipped on screen switches still restyles after a theme change; parsed
CSS is reused only while the variables are the same; the first screen loads no numpy (~0.3 s); the
questions are built one step at a time as they are first shown."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

from textual.color import Color
from textual.coordinate import Coordinate
from textual.widgets import DataTable, Input, Static

from tests.tui.fakes import cpu_draft, fake_services, settle
from tui.app import EmbedscoutApp
from tui.app.stylesheet import KeptParseStylesheet
from tui.workflow.services import Services


def _names(table: DataTable) -> list[str]:  # type: ignore[type-arg]
    return [str(table.get_row_at(r)[2]) for r in range(table.row_count)]


def _highlighted(table: DataTable) -> str:  # type: ignore[type-arg]
    return str(table.coordinate_to_cell_key(Coordinate(table.cursor_row, 0)).row_key.value)


async def test_filter_edits_rows_in_place_and_draws_what_a_rebuild_would(services: Services) -> None:
    """Typing and erasing a filter keeps the sort order, the ticks and the highlighted model; the rows
    equal a full rebuild's at every step; a filter matching nothing leaves BM25 alone."""
    app = EmbedscoutApp(services, start="shortlist", draft=cpu_draft())
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        screen = app.screen
        table = screen.query_one("#candidates-table", DataTable)
        await pilot.press("s", "s", "s")  # max tokens, descending
        await pilot.press("down", "down", "down", "space", "up")  # tick MiniLM, highlight bge
        everything = _names(table)
        assert everything[1:] == ["nomic-embed-text-v1.5", "bge-small-en-v1.5", "all-MiniLM-L6-v2"]
        assert _highlighted(table) == "BAAI/bge-small-en-v1.5"

        await pilot.press("slash", *"bge")
        assert _names(table) == ["BM25 (lexical baseline)", "bge-small-en-v1.5"]
        assert _highlighted(table) == "BAAI/bge-small-en-v1.5"
        await pilot.press("backspace", "backspace", "backspace")
        assert _names(table) == everything
        assert _highlighted(table) == "BAAI/bge-small-en-v1.5" and table.cursor_row == 2
        assert str(table.get_row_at(3)[0]) == "✓"  # MiniLM was re-added with its tick

        drawn = [[str(c) for c in table.get_row_at(r)] for r in range(table.row_count)]
        screen._render_candidates()  # type: ignore[attr-defined]  # the full rebuild
        assert [[str(c) for c in table.get_row_at(r)] for r in range(table.row_count)] == drawn

        await pilot.press(*"zzz")
        assert _names(table) == ["BM25 (lexical baseline)"] and table.cursor_row == 0


async def test_a_screen_shown_again_after_a_theme_change_has_the_new_theme(services: Services) -> None:
    """Resumed screens skip Textual's restyle only while the CSS is unchanged: after ctrl+t, a screen
    built before the change is drawn in the new theme's colours when shown again."""
    app = EmbedscoutApp(services, start="shortlist", draft=cpu_draft())
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        await pilot.press("f6")
        await settle(pilot)
        dark = app.screen.styles.background
        await pilot.press("f3", "ctrl+t")
        await settle(pilot)
        await pilot.press("f6")
        await settle(pilot)
        assert not app.current_theme.dark
        assert app.screen.styles.background == Color.parse(app.current_theme.background or "")
        assert app.screen.styles.background != dark


def test_parsed_css_is_reused_until_the_variables_change() -> None:
    sheet = KeptParseStylesheet(variables={"accent": "red"})
    sheet.add_source("Label { color: $accent; }", read_from=("test.tcss", ""))
    sheet.parse()
    first = sheet.rules[0]
    sheet.set_variables({"accent": "red"})  # what Textual does before every CSS refresh
    sheet.reparse()
    assert sheet.rules[0] is first
    sheet.set_variables({"accent": "blue"})
    sheet.reparse()
    assert sheet.rules[0] is not first and sheet.rules[0].styles.color == Color.parse("blue")


def test_first_screen_loads_no_numpy() -> None:
    """The questions (answers summary included) are drawn without numpy, torch or the ranking code."""
    probe = (
        "import asyncio, sys\n"
        "from tui.app import EmbedscoutApp\n"
        "async def main():\n"
        "    app = EmbedscoutApp()\n"
        "    async with app.run_test(size=(80, 24)) as pilot:\n"
        "        while type(app.screen).__name__ != 'QuestionnaireScreen':\n"
        "            await pilot.pause(0.01)\n"
        "        await app.workers.wait_for_complete()\n"
        "        await pilot.pause()\n"
        "        assert 'Question 1 of 7' in str(app.screen.query_one('#step-counter').render())\n"
        "    print(','.join(m for m in ('numpy', 'torch', 'catalog.ranking') if m in sys.modules))\n"
        "asyncio.run(main())\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1:] in ([], [""])


async def test_question_steps_are_built_when_first_shown(services: Services) -> None:
    """Only the first step exists at start; two Next presses handled before either step was built land
    on step 3 with its field focused (once, building it while it was shown crashed on a missing field)."""
    app = EmbedscoutApp(services)
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        screen: Any = app.screen
        assert [w.id for w in screen.query(".step")] == ["step-languages"]
        screen.action_next()
        screen.action_next()
        await settle(pilot)
        assert screen.step == 2 and "Question 3 of 7" in str(screen.query_one("#step-counter").render())
        assert [w.id for w in screen.query(".step")] == ["step-languages", "step-domain", "step-length"]
        assert app.focused is screen.query_one("#doc-tokens", Input)
        await pilot.press("ctrl+b")
        assert screen.step == 1 and screen.query_one("#step-domain").display


async def test_hardware_step_built_after_a_failed_detection_says_so() -> None:
    def no_hardware(probe_gpu: bool = True) -> Any:
        raise OSError("no /proc here")

    app = EmbedscoutApp(fake_services(detect_hardware=no_hardware))
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)  # detection ended; the hardware step is not built yet
        await pilot.press(*["ctrl+n"] * 5)
        await settle(pilot)
        detected = app.screen.query_one("#detected", Static)
        assert "Hardware not detected: enter it below." in str(detected.render())
