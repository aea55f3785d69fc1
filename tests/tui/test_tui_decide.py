"""Decide over the real draft and journal: the saved decision carries only evidence of its own profile
(the issue's bug, replayed key by key), an earlier profile's trial needs an explicit yes, ctrl+s twice
saves once, and every trial of the session is kept and can back the decision."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from textual.widgets import Checkbox, Input, Label, Select, SelectionList, Static, TextArea

from storage.store import get_decision, list_decisions
from tests.tui.fakes import MACHINE, cpu_draft, fake_services, journal, keys, settle
from tui.app import EmbedscoutApp
from tui.app.screens.confirm import ConfirmScreen
from tui.cli import main
from tui.workflow.services import Services

BGE = "BAAI/bge-small-en-v1.5"


async def _english_trial_then_decide(app: EmbedscoutApp, pilot) -> None:  # type: ignore[no-untyped-def]
    """Questions (English, CPU detected) -> shortlist -> tick bge -> demo trial -> Decide."""
    await settle(pilot)
    await pilot.press(*["ctrl+n"] * 7)  # every question at its default, then the shortlist
    await settle(pilot)
    assert app.current_mode == "shortlist"
    await pilot.press("down", "space", "t")  # row 1: bge-small-en-v1.5 (the evidence ranks it first)
    await settle(pilot)
    await pilot.press("ctrl+r")
    await settle(pilot)
    await pilot.press("f5")
    await settle(pilot)


async def _answer_chinese_legal_gpu(app: EmbedscoutApp, pilot) -> None:  # type: ignore[no-untyped-def]
    """Back to the questions: Chinese, legal, 3,000-token documents, a CUDA GPU with 8 GB."""
    await pilot.press("f2")
    await settle(pilot)
    screen = app.screen
    languages = screen.query_one("#languages", SelectionList)
    languages.select("zh")
    languages.deselect("en")
    await pilot.press("ctrl+n")
    screen.query_one("#domain-legal").value = True
    await pilot.press("ctrl+n")
    screen.query_one("#doc-tokens", Input).value = "3000"
    await pilot.press("ctrl+n", "ctrl+n", "ctrl+n")
    screen.query_one("#gpu", Select).value = "cuda"
    screen.query_one("#vram-gb", Input).value = "8"
    await settle(pilot)


def _evidence(app: EmbedscoutApp) -> str:
    return str(app.screen.query_one("#decide-evidence", Static).content)


async def test_the_bug_saved_decision_has_only_its_own_profiles_evidence(services: Services) -> None:
    """Issue #13's bug: after an English/CPU demo trial the answers become Chinese/legal/3,000 tokens/CUDA
    8 GB; Decide must not carry the English trial, its winner or its title into the saved decision."""
    app = EmbedscoutApp(services)
    async with app.run_test(size=(120, 40)) as pilot:
        await _english_trial_then_decide(app, pilot)
        backing = app.screen.query_one("#backing", SelectionList)
        assert backing.selected == [1] and app.screen.query_one("#choice", Select).value == BGE
        assert app.screen.query_one("#title", Input).value == "Embedding model for general RAG (en)"
        app.screen.query_one("#rationale", TextArea).text = "best on the English demo"

        await _answer_chinese_legal_gpu(app, pilot)
        await pilot.press("f5")
        await settle(pilot)
        screen = app.screen
        assert screen.query_one("#backing", SelectionList).selected == []  # the English trial is not evidence
        assert str(screen.query_one("#backing", SelectionList).get_option_at_index(0).prompt).startswith(
            "EARLIER PROFILE Trial 1 on demo-squad-en"
        )
        assert "Trial 1 ran under an earlier profile (English · general · 400 tok · CPU)" in _evidence(app)
        assert screen.query_one("#title", Input).value == "Embedding model for legal RAG (zh)"
        assert screen.query_one("#choice", Select).value != BGE  # not the English trial's winner

        screen.query_one("#choice", Select).value = BGE  # the user changes model and title, then saves
        screen.query_one("#title", Input).value = "Chinese contracts"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, ConfirmScreen)

    with journal() as db:
        (decision,) = list_decisions(db)
        saved = get_decision(db, int(decision.id or 0))
    req = saved.requirements
    assert (req["languages"], req["domain"], req["doc_tokens"]) == (["zh"], "legal", 3000)
    assert (req["gpu"], req["vram_gb"], req["ram_gb"]) == ("cuda", 8.0, MACHINE.ram_gb)
    assert saved.trials == [] and saved.chosen_model == BGE and saved.title == "Chinese contracts"
    assert saved.latest_recommendation is not None
    assert saved.latest_recommendation.requirements["languages"] == ["zh"]  # ranked for this profile
    shown = CliRunner().invoke(main, ["show", str(saved.id)])
    assert shown.exit_code == 0 and "Chinese" in shown.output and "demo-squad-en" not in shown.output


async def test_an_earlier_profiles_trial_needs_an_explicit_yes(services: Services) -> None:
    """Ticking the English trial after the answers changed asks first; No saves nothing, Yes saves it with
    a note of the profile it ran under."""
    app = EmbedscoutApp(services)
    async with app.run_test(size=(120, 40)) as pilot:
        await _english_trial_then_decide(app, pilot)
        await _answer_chinese_legal_gpu(app, pilot)
        await pilot.press("f5")
        await settle(pilot)
        app.screen.query_one("#backing", SelectionList).select(1)
        await pilot.pause()
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        await settle(pilot)
        with journal() as db:
            assert list_decisions(db) == []
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)

    with journal() as db:
        (decision,) = list_decisions(db)
        (trial,) = get_decision(db, int(decision.id or 0)).trials
    assert trial.dataset["name"] == "demo-squad-en"
    assert trial.settings["earlier_profile"]["languages"] == ["en"]
    export = CliRunner().invoke(main, ["export", str(decision.id)])
    assert "Ran under an earlier profile (English · general" in export.output


async def test_ctrl_s_twice_saves_one_decision(services: Services) -> None:
    """The same decision saved twice writes once and says where it already is."""
    app = EmbedscoutApp(services, start="trial", draft=cpu_draft().with_tick(BGE, True))
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        await keys(pilot, "ctrl+r", "f5")
        await pilot.press("ctrl+s", "ctrl+s")  # the second press lands while the first save runs
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert any(n.message == "Already saved as decision #1." for n in app._notifications)
        assert str(app.screen.query_one("#saved-note", Label).content) == "Saved as decision #1"
        app.screen.query_one("#rationale", TextArea).text = "on second thought: the rationale"
        await pilot.press("ctrl+s")
        await settle(pilot)
    with journal() as db:
        decisions = list_decisions(db)
        first = get_decision(db, 1)
    assert [d.id for d in decisions] == [2, 1]  # the edit is a new decision that replaces the first
    assert first.status == "superseded" and first.superseded_by == 2


async def test_two_trials_on_different_corpora_are_both_kept(services: Services, tmp_path: Path) -> None:
    """A demo trial and one on the user's folder both back the decision, and both are in History and in
    `show --json`."""
    docs = tmp_path / "contracts"
    docs.mkdir()
    for i in range(6):
        (docs / f"c{i}.txt").write_text(
            f"Clause {i}. The supplier shall deliver the goods within {i + 10} days. "
            f"Late delivery costs {i + 2} percent of the price per week. Disputes go to court {i}.",
            "utf-8",
        )
    app = EmbedscoutApp(services, start="trial", draft=cpu_draft().with_tick(BGE, True))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+r")
        await settle(pilot)
        app.screen.query_one("#corpus-path", Input).value = str(docs)
        assert app.screen.query_one("#use-demo", Checkbox).value is False
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert [t.result.dataset["name"] for t in app.draft.trials] == ["demo-squad-en", "contracts"]
        await pilot.press("f5")
        await settle(pilot)
        assert app.screen.query_one("#backing", SelectionList).selected == [1, 2]
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("f6")
        await settle(pilot)
        report = app.screen.report_text  # type: ignore[attr-defined]
        assert "on demo-squad-en (complete)" in report and "on contracts (complete)" in report
    shown = CliRunner().invoke(main, ["show", "1", "--json"])
    trials = json.loads(shown.output)["trials"]
    assert [t["dataset"]["name"] for t in trials] == ["demo-squad-en", "contracts"]
    assert trials[1]["settings"]["corpus"] == str(docs)


async def test_decide_without_trial_ranks_and_saves_the_shortlist() -> None:
    """Deciding straight from the questions ranks the catalog in the save worker, for the journal."""
    app = EmbedscoutApp(fake_services(), start="decide", draft=cpu_draft())
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert "Trials: none yet" in _evidence(app)
        await pilot.press("ctrl+s")
        await settle(pilot)
    with journal() as db:
        saved = get_decision(db, 1)
    assert saved.chosen_model == "BAAI/bge-small-en-v1.5" and saved.trials == []  # the top pick
    assert saved.latest_recommendation is not None
    assert saved.latest_recommendation.candidates[0]["id"] == "BAAI/bge-small-en-v1.5"


async def test_save_error_is_a_notification(tmp_path: Path) -> None:
    """A journal that cannot be opened is one error message; the Save button works again."""
    from storage.store import open_db

    not_sqlite = tmp_path / "journal.db"
    not_sqlite.write_text("not a database", "utf-8")
    app = EmbedscoutApp(fake_services(open_db=lambda: open_db(not_sqlite)), start="decide", draft=cpu_draft())
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert any(
            "not an SQLite database" in n.message and n.title == "Could not save" for n in app._notifications
        )
        assert app.screen.query_one("#save").disabled is False
