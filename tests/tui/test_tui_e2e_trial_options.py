"""The trial opt-ins over the real core: a tokenizer check on bm25 + the packaged MiniLM (a squad_en slice)
shown in the details pane, saved to a real SQLite journal and reloaded, and in History's report; the API
spend cap refusing before any request, and API tokens/cost reported, against a real HTTP server."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Checkbox, DataTable, Input, Select

from tests.tui.fakes import settle, wait_trial
from tests.unit._fake_http import FakeServer
from tui.app import EmbedscoutApp
from tui.app.widgets.result_details import ResultDetails
from tui.workflow.draft import DecisionDraft
from tui.workflow.services import Services

API = "openai:text-embedding-3-small"


async def _details(app: EmbedscoutApp, pilot, index: int) -> str:  # type: ignore[no-untyped-def]
    app.screen.query_one("#results-table", DataTable).move_cursor(row=index)
    await pilot.pause()
    return app.screen.query_one(ResultDetails).plain


@pytest.mark.slow
async def test_real_tokenizer_check_shown_saved_and_reported(
    shared_data: Path, minilm_path: str, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """details["checks"] from the real runner is on screen, survives the journal, and is in the report."""
    db_file = home / "journal.db"
    monkeypatch.setenv("EMBEDSCOUT_DB", str(db_file))
    app = EmbedscoutApp(Services(), start="trial", draft=DecisionDraft(ticked=("bm25", "minilm")))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = app.screen
        screen.query_one("#corpus-path", Input).value = str(shared_data / "squad_en")
        screen.query_one("#sample", Input).value = "20"
        screen.query_one("#backend", Select).value = "torch"  # no ONNX export: the check is the point here
        screen.query_one("#checks", Select).value = "tokenizer"
        await pilot.press("ctrl+r")
        await wait_trial(app, pilot)
        assert app.draft.latest_trial is not None
        trial = app.draft.latest_trial.result
        assert [r.status for r in trial.results] == ["ok", "ok"], trial.results
        bm25, dense = trial.results
        check = dense.details["checks"]["tokenizer"]
        assert check["status"] == "ok" and check["n"] > 0

        shown = await _details(app, pilot, 1)
        assert f"tokenizer · ok · n={check['n']}: {check['summary']}" in shown
        lo, hi = check["ci95"]["tokens_per_char"]
        assert f"tok/char {check['values']['tokens_per_char']:.3f} [{lo:.3f}, {hi:.3f}]" in shown
        assert "tokenizer · not applicable" in await _details(app, pilot, 0)
        from evaluators.tradeoffs import summary_line  # the trade-off table rides along in the same pane

        assert "Size/quality trade-offs" in shown and str(summary_line(dense.details["tradeoffs"])) in shown

        await pilot.press("f5")
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.draft.saved is not None
        await pilot.press("f6")
        await settle(pilot)
        report = app.screen.report_text  # type: ignore[attr-defined]
        assert "#### Deeper checks" in report and check["summary"] in report
        assert f"#### Trade-offs: {dense.model}" in report

    from storage.store import get_decision, open_db

    saved = get_decision(open_db(db_file), app.draft.saved.decision_id)
    (record,) = saved.trials
    assert record.settings["checks"] == ["tokenizer"] and record.settings["backend"] == "torch"
    assert record.results[1]["details"]["checks"] == dense.details["checks"]
    assert record.results[0]["details"]["checks"]["tokenizer"]["status"] == "not_applicable"
    from storage.paths import cache_dir

    # The TUI fills the same embeddings cache as `embedscout trial` (so a re-run skips encoding).
    assert len(list((cache_dir() / "embeddings").glob("*/*.npy"))) >= 1


async def test_real_spend_cap_refuses_before_any_request(openai_server: FakeServer) -> None:
    """Over max_usd the real runner raises TrialInputError: an on-screen error, and the server saw nothing."""
    app = EmbedscoutApp(Services(), start="trial", draft=DecisionDraft(ticked=("bm25", API)))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.screen.query_one("#sample", Input).value = "10"
        app.screen.query_one("#max-usd", Input).value = "0.0000001"
        await pilot.press("ctrl+r")
        await wait_trial(app, pilot, 60)
        notes = [n for n in app._notifications if n.title == "Trial not started"]
        assert notes and "exceeds --max-usd" in notes[0].message and notes[0].severity == "error"
        assert app.draft.trials == ()
        assert app.screen.query_one("#run").disabled is False
    assert openai_server.requests == []


async def test_real_api_usage_and_estimate_in_details(openai_server: FakeServer) -> None:
    """Under the cap the API row reports provider-counted tokens and cost next to the estimate."""
    app = EmbedscoutApp(Services(), start="trial", draft=DecisionDraft(ticked=(API,)))
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        app.screen.query_one("#sample", Input).value = "10"
        app.screen.query_one("#max-usd", Input).value = "1"
        assert app.screen.query_one("#int8", Checkbox).disabled is False
        await pilot.press("ctrl+r")
        await wait_trial(app, pilot, 60)
        (row,) = app.draft.latest_trial.result.results  # type: ignore[union-attr]
        assert row.status == "ok", row.error
        usage, est = row.details["usage"], row.details["cost_estimate"]
        shown = await _details(app, pilot, 0)
        assert f"API used: {usage['tokens']:,} tokens (provider)" in shown
        assert (
            f"{usage['requests']} requests" in shown
            and openai_server.count("/embeddings") == usage["requests"]
        )
        assert f"API estimate before the run: {est['tokens']:,} tokens" in shown and "cap $1.00" in shown
