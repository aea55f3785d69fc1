"""Input in the TUI (issue #15): each wrong number or choice is a visible message under its field and blocks
Next/Run, never a silent default; the folder picker goes up; keys typed during a screen switch never reach
the next screen; a sort redraws only the candidates table; every control and key fits 80x24."""

from __future__ import annotations

from pathlib import Path

from textual import events
from textual.widgets import (
    Button,
    DataTable,
    DirectoryTree,
    Footer,
    Input,
    Label,
    RichLog,
    SelectionList,
    Static,
)

from tests.tui.fake_runner import FakeRunner
from tests.tui.fakes import cpu_draft, settle
from tui.app import EmbedscoutApp
from tui.app.screens.path_picker import PathPickerScreen
from tui.app.screens.questionnaire import QuestionnaireScreen
from tui.app.widgets.quality_plot import QualityPlot
from tui.workflow.services import Services


async def _type(pilot, field: Input, text: str) -> None:  # type: ignore[no-untyped-def]
    """Clear `field` the way a user does (focus, select all, backspace), then type `text` key by key."""
    field.focus()
    field.action_select_all()
    await pilot.press("backspace", *text)
    await pilot.pause()


def _problem(app: EmbedscoutApp, step: str) -> str | None:
    label = app.screen.query_one(f"#problem-{step}", Static)
    return str(label.render()) if label.display else None


async def _to_step(pilot, app: EmbedscoutApp, step: int) -> QuestionnaireScreen:  # type: ignore[no-untyped-def]
    await settle(pilot)
    screen = app.screen
    assert isinstance(screen, QuestionnaireScreen)
    for _ in range(step):
        await pilot.press("ctrl+n")
    await settle(pilot)
    assert screen.step == step
    return screen


async def test_document_length_zero_huge_or_cleared_is_a_message(services: Services) -> None:
    """Length 0 and 10^14 were accepted, and a cleared field silently kept its old value: each is now a
    message under the field, Next is disabled, ctrl+n stays, and the draft keeps the last valid length."""
    app = EmbedscoutApp(services)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _to_step(pilot, app, 2)
        field = screen.query_one("#doc-tokens", Input)
        # Typed key by key, 10^14 passes through 1,000,000 (valid), which becomes the last valid length.
        for typed, expected, kept in (
            (
                "0",
                "Document length 0 is out of range: type a whole number of tokens from 1 to 1,000,000",
                400,
            ),
            ("100000000000000", "Document length 100000000000000 is out of range", 1_000_000),
            ("", "Document length is empty: type a whole number of tokens from 1 to 1,000,000", 1_000_000),
        ):
            await _type(pilot, field, typed)
            assert (_problem(app, "length") or "").startswith(expected)
            assert screen.query_one("#next", Button).disabled and field.has_class("-invalid")
            await pilot.press("ctrl+n")
            assert screen.step == 2 and app.draft.profile.doc_tokens == kept
        await _type(pilot, field, "3000")
        assert _problem(app, "length") is None and not screen.query_one("#next", Button).disabled
        assert app.draft.profile.doc_tokens == 3000
        await pilot.press("ctrl+n")
        assert screen.step == 3


async def test_cleared_corpus_size_is_reported_when_leaving(services: Services) -> None:
    """Leaving with F3 while a field is wrong keeps the last valid answer and says so."""
    app = EmbedscoutApp(services)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _to_step(pilot, app, 3)
        await _type(pilot, screen.query_one("#corpus-docs", Input), "")
        assert (_problem(app, "corpus") or "").startswith("Documents is empty")
        await pilot.press("f3")
        await settle(pilot)
        assert app.draft.profile.corpus_docs == 10_000
        assert any("Question 4: Documents is empty" in n.message for n in app._notifications)


async def test_no_language_ticked_is_a_message_not_english(services: Services) -> None:
    """Unticking every language used to mean English silently: now it is a message and Next is refused."""
    app = EmbedscoutApp(services)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _to_step(pilot, app, 0)
        screen.query_one("#languages", SelectionList).deselect_all()
        await pilot.pause()
        assert _problem(app, "languages") == (
            "Tick at least one language, or Multilingual for many or unknown languages."
        )
        await pilot.press("ctrl+n")
        assert screen.step == 0 and app.draft.profile.languages == ("en",)
        await pilot.press("ctrl+r")  # "shortlist now" is refused too
        await settle(pilot)
        assert app.current_mode == "questions"
        screen.query_one("#multilingual").value = True  # type: ignore[attr-defined]
        await pilot.pause()
        assert _problem(app, "languages") is None and app.draft.profile.multilingual


async def test_budget_kind_needs_its_figure(services: Services) -> None:
    """'Max price' with no price would rank as 'no limit': a message until the price is typed."""
    app = EmbedscoutApp(services)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _to_step(pilot, app, 4)
        screen.query_one("#budget-price").value = True  # type: ignore[attr-defined]
        await pilot.pause()
        assert (_problem(app, "budget") or "").startswith("Max price is empty")
        assert app.draft.profile.budget == "open"
        await _type(pilot, screen.query_one("#max-price", Input), "0.05")
        assert _problem(app, "budget") is None and app.draft.profile.max_price_per_1m == 0.05


async def test_ram_zero_is_out_of_range(services: Services) -> None:
    app = EmbedscoutApp(services)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _to_step(pilot, app, 5)
        await _type(pilot, screen.query_one("#ram-gb", Input), "0")
        assert (_problem(app, "hardware") or "").startswith("RAM 0 is out of range")
        assert app.draft.profile.ram_gb is None  # cleared first (= unknown, valid); the 0 was not kept


def _trial_app(services: Services) -> EmbedscoutApp:
    return EmbedscoutApp(services, start="trial", draft=cpu_draft())


async def test_sample_zero_is_a_message_not_everything(services: Services, runner: FakeRunner) -> None:
    """'Sample 0' used to run every document: now the form says why, Run is disabled, ctrl+r starts
    nothing; an empty sample means all documents, as the placeholder says."""
    app = _trial_app(services)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await _type(pilot, app.screen.query_one("#sample", Input), "0")
        problem = app.screen.query_one("#form-problem", Label)
        assert problem.display and str(problem.render()).startswith("Sample 0 is out of range")
        assert app.screen.query_one("#run", Button).disabled
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert runner.calls == []
        log = "\n".join(line.text for line in app.screen.query_one("#trial-log", RichLog).lines)
        assert "Not started: Sample 0 is out of range" in log
        await _type(pilot, app.screen.query_one("#sample", Input), "")
        assert not problem.display and not app.screen.query_one("#run", Button).disabled
        assert app.screen._plan().sample.docs is None  # type: ignore[attr-defined]


async def test_llm_count_zero_is_a_message(services: Services) -> None:
    app = _trial_app(services)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await _type(pilot, app.screen.query_one("#llm-count", Input), "0")
        assert str(app.screen.query_one("#form-problem", Label).render()).startswith(
            "LLM asks 0 is out of range"
        )
        assert app.screen.query_one("#run", Button).disabled


async def test_folder_picker_goes_up(services: Services, tmp_path: Path) -> None:
    """Backspace (or the Up button) re-roots the picker at the parent folder, and that folder can be used."""
    inner = tmp_path / "project" / "docs"
    inner.mkdir(parents=True)
    (tmp_path / "elsewhere.txt").write_text("a document outside the start folder")
    app = _trial_app(services)
    picked: list[str | None] = []
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.push_screen(PathPickerScreen(inner), picked.append)
        await pilot.pause(0.2)  # (no settle: DirectoryTree's loader worker never completes)
        picker = app.screen
        tree = picker.query_one("#picker-tree", DirectoryTree)
        tree.focus()
        await pilot.press("backspace")
        await pilot.pause(0.2)
        assert Path(tree.path) == tmp_path / "project"
        await pilot.click("#up")
        await pilot.pause(0.2)
        assert Path(tree.path) == tmp_path and str(tmp_path) in str(
            picker.query_one("#picker-title").render()
        )
        await pilot.click("#use-folder")
        await pilot.pause()
    assert picked == [str(tmp_path)]


async def test_keys_typed_during_a_screen_switch_do_not_leak(services: Services) -> None:
    """On the shortlist, `t` opens the trial; 'ools' typed before the trial screen was shown used to land in
    its Documents field (and complete to tools/). Keys typed during the switch are dropped; later ones
    work."""
    app = EmbedscoutApp(services, start="shortlist", draft=cpu_draft())
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        # Under load the terminal delivers keys typed during the switch only once the new screen is up: the
        # driver stamps them when typed, the app handles them later, when the Documents field has focus.
        typed = [events.Key(char, char) for char in "ools"]
        await pilot.press("t")
        await settle(pilot)
        assert app.focused is app.screen.query_one("#corpus-path", Input)
        for key in typed:
            app.post_message(key)
        await settle(pilot)
        assert app.current_mode == "trial"
        assert app.screen.query_one("#corpus-path", Input).value == ""
        await pilot.press("d", "o", "c")  # typed once the screen is shown: they reach the field
        assert app.screen.query_one("#corpus-path", Input).value.startswith("doc")


async def test_sort_redraws_only_the_candidates(services: Services, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A sort took ~1.1 s because it redrew the plot and the excluded table; now neither is redrawn, while
    the candidates are re-ordered. A filter redraws the plot once, when its tab is opened."""
    drawn: list[int] = []
    real_show = QualityPlot.show

    def counting_show(self, candidates):  # type: ignore[no-untyped-def]
        drawn.append(len(candidates))
        real_show(self, candidates)

    monkeypatch.setattr(QualityPlot, "show", counting_show)
    app = EmbedscoutApp(services, start="shortlist", draft=cpu_draft())
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        drawn.clear()
        table = app.screen.query_one("#candidates-table", DataTable)
        excluded = app.screen.query_one("#excluded-table", DataTable)
        excluded_rows = list(excluded.rows)
        before = [str(table.get_row_at(r)[2]) for r in range(1, table.row_count)]
        await pilot.press("s", "s", "s", "s", "s")  # 'name'
        await pilot.pause()
        after = [str(table.get_row_at(r)[2]) for r in range(1, table.row_count)]
        assert after == sorted(before, key=str.casefold) and after != before
        assert drawn == [] and list(excluded.rows) == excluded_rows
        await pilot.press("slash", *"bge", "enter")
        await pilot.pause()
        assert drawn == []
        await pilot.press("p")
        await pilot.pause()
        assert drawn == [1]


async def test_every_key_and_control_fits_80x24(services: Services) -> None:
    """At 80x24 the Multilingual box is above the Back/Next buttons, the header lists F2-F6, and every key
    shown in the footer of the questionnaire and the shortlist is inside the 80 columns."""
    app = EmbedscoutApp(services, draft=cpu_draft())
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = app.screen
        box = screen.query_one("#multilingual")
        nav = screen.query_one("#nav")
        assert box.region.height >= 1 and box.region.bottom <= nav.region.y
        assert screen.get_widget_at(box.region.x + 1, box.region.y)[0] is box
        for mode in ("questions", "shortlist"):
            app.action_goto(mode)
            await settle(pilot)
            header = app.screen.query_one("HeaderTitle")
            assert "F5 Decide" in str(header.render()) and "F6 History" in str(header.render())
            keys = list(app.screen.query_one(Footer).query("FooterKey"))
            assert keys and all(k.region.right <= 80 and k.region.width > 0 for k in keys), mode
            shown = " ".join(str(k.render()) for k in keys)
            assert "Theme" in shown
