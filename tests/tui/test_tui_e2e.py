"""End to end over the real core: answers -> shortlist (real catalog) -> trial (bm25 + the packaged MiniLM on
a small tests/data/squad_en slice) -> decide -> History shows it, on a real SQLite file in a temp dir.
Also the real error paths: an unreadable folder and no model loadable offline keep the app running."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import DataTable, Input, Markdown, TextArea

from tests.tui.fakes import settle, wait_trial
from tui.app import EmbedscoutApp
from tui.workflow.services import Services

pytestmark = pytest.mark.slow


async def test_real_path_answers_to_history(
    shared_data: Path, minilm_path: str, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The whole journey on the real packages; the saved decision is in the SQLite file and on screen."""
    db_file = home / "journal.db"
    monkeypatch.setenv("EMBEDSCOUT_DB", str(db_file))
    app = EmbedscoutApp(Services())
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+n")  # languages: English (default)
        app.screen.query_one("#domain-general").value = True
        for _ in range(5):
            await pilot.press("ctrl+n")
        await pilot.press("ctrl+n")  # last step -> shortlist
        await settle(pilot)
        assert app.current_mode == "shortlist"
        rec = app.draft.recommendation
        assert rec is not None and rec.candidates, "real catalog produced no candidates"
        assert app.screen.query_one("#candidates-table", DataTable).row_count == len(rec.candidates) + 1

        app.draft = app.draft.with_tick("minilm", True)  # the packaged all-MiniLM-L6-v2 ('minilm')
        await pilot.press("t")
        await settle(pilot)
        assert app.current_mode == "trial"
        app.screen.query_one("#corpus-path", Input).value = str(shared_data / "squad_en")
        app.screen.query_one("#sample", Input).value = "40"
        await pilot.press("ctrl+r")
        await wait_trial(app, pilot)
        assert app.draft.latest_trial is not None, "trial did not finish"
        trial = app.draft.latest_trial.result
        # Rows carry the resolved model name; the ref the user ticked is in details["ref"].
        rows = {str(r.details.get("ref", r.model)): r for r in trial.results}
        assert rows["bm25"].status == "ok", rows["bm25"].error
        assert rows["minilm"].status == "ok", rows["minilm"].error
        assert 0.0 < rows["minilm"].metrics["ndcg@10"] <= 1.0

        await pilot.press("f5")
        await settle(pilot)
        app.screen.query_one("#rationale", TextArea).text = "MiniLM vs BM25 on a SQuAD slice — “quoted”"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.draft.saved is not None

        await pilot.press("f6")
        await settle(pilot)
        table = app.screen.query_one("#decisions", DataTable)
        assert table.row_count == 1
        detail = app.screen.report_text  # type: ignore[attr-defined]
        assert "MiniLM vs BM25 on a SQuAD slice — “quoted”" in detail

    assert db_file.exists()
    from storage.store import get_decision, open_db

    saved = get_decision(open_db(db_file), app.draft.saved.decision_id)
    assert saved.status == "decided" and saved.chosen_model in {r.model for r in trial.results}
    assert saved.recommendations and saved.trials
    assert len(saved.trials[0].results) == 2


async def test_real_unreadable_folder_and_offline_model(tmp_path: Path) -> None:
    """A missing folder and a model that is not available offline are messages; the app keeps running."""
    app = EmbedscoutApp(Services(), start="trial")
    app.draft = app.draft.with_tick("not-a-real-org/not-a-real-model-xyz", True)
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        app.screen.query_one("#corpus-path", Input).value = str(tmp_path / "missing")
        await pilot.press("ctrl+r")
        await wait_trial(app, pilot, 60)
        assert any(n.severity == "error" for n in app._notifications)

        app.draft = app.draft.with_tick("bm25", False)
        app.screen.query_one("#corpus-path", Input).value = ""
        app.screen.query_one("#sample", Input).value = "20"
        await pilot.press("ctrl+r")
        await wait_trial(app, pilot, 120)
        assert app.draft.latest_trial is not None
        trial = app.draft.latest_trial.result
        assert trial.results[0].status == "failed" and trial.results[0].error
        assert any("could be loaded" in n.message for n in app._notifications)
        bars = app.screen.query("ProgressBar")
        assert len(bars) == 1
        await pilot.press("f2")
        assert app.current_mode == "questions"


async def test_real_history_compare_recheck_export(home: Path) -> None:
    """History over the real journal and catalog: compare two saved decisions, re-check one, export it."""
    from catalog.ranking import recommend
    from catalog.requirements import Requirements
    from storage import store

    db = store.open_db()
    ids = []
    for title, langs in (("English docs", ["en"]), ("Chinese docs", ["zh"])):
        req = Requirements.from_dict({"languages": langs, "open_only": True})
        i = store.create_decision(db, title=title, requirements=req.to_dict())
        store.attach_recommendation(db, i, recommend(req).to_dict())
        store.decide(db, i, model=recommend(req).candidates[0].spec.id, note=f"top for {title}")
        ids.append(i)
    db.close()

    app = EmbedscoutApp(Services(), start="history")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert app.screen.query_one("#decisions", DataTable).row_count == 2
        await pilot.press("space", "down")
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)
        labels = [label for _, body in app.screen.diff_rows for label, _, _ in body]  # type: ignore[attr-defined]
        assert any("Languages" in label for label in labels)
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        text = app.screen.query_one("#recheck", Markdown).source
        assert "Re-check of #" in text and "Chosen model" in text
        await pilot.press("e")
        await settle(pilot)
        exported = list((home / "exports").glob("decision-*.md"))
        assert len(exported) == 1
        assert any(title in exported[0].read_text() for title in ("English docs", "Chinese docs"))
