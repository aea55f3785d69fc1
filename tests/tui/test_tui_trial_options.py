"""Trial opt-ins over the fake runner: backend, deeper checks, int8, the API spend cap and LLM-written
questions become the TrialPlan the workflow runs; bad input and a refused trial are messages; the details
pane shows checks, int8 agreement and API cost; the plan's settings are saved with the trial."""

from __future__ import annotations

from textual.widgets import Checkbox, DataTable, Input, Label, ProgressBar, RichLog, Select

from tests.tui.fakes import FakeRunner, cpu_draft, journal, keys, settle
from tui.app import EmbedscoutApp
from tui.app.widgets.result_details import ResultDetails
from tui.app.widgets.trial_options import TrialOptions, parse_usd
from tui.workflow.errors import UserError
from tui.workflow.plan import CHECK_KINDS
from tui.workflow.services import Services

API = "openai:text-embedding-3-small"
BGE = "BAAI/bge-small-en-v1.5"


def _log(app: EmbedscoutApp) -> str:
    return "\n".join(line.text for line in app.screen.query_one("#trial-log", RichLog).lines)


def _app(services: Services, *ticked: str) -> EmbedscoutApp:
    draft = cpu_draft()
    for ref in ticked:
        draft = draft.with_tick(ref, True)
    return EmbedscoutApp(services, start="trial", draft=draft)


def _set(app: EmbedscoutApp, *, backend: str = "auto", checks: str = "none", int8: bool = False,
         usd: str = "") -> None:  # fmt: skip
    screen = app.screen
    screen.query_one("#backend", Select).value = backend
    screen.query_one("#checks", Select).value = checks
    screen.query_one("#int8", Checkbox).value = int8
    screen.query_one("#max-usd", Input).value = usd


async def _details(app: EmbedscoutApp, pilot, model: str) -> str:  # type: ignore[no-untyped-def]
    """Move the results table's cursor to `model`'s row and read the details pane."""
    table = app.screen.query_one("#results-table", DataTable)
    row = next(i for i in range(table.row_count) if str(table.get_row_at(i)[0]) == model)
    table.move_cursor(row=row)
    await pilot.pause()
    return app.screen.query_one(ResultDetails).plain


async def test_opt_ins_reach_the_runner_and_the_plan(services: Services, runner: FakeRunner) -> None:
    """What the user picked is what run_trial gets, and what the draft's trial keeps as its plan."""
    app = _app(services, BGE)
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        _set(app, backend="onnx", checks="tokenizer", int8=True, usd="$0.50")
        await pilot.press("ctrl+r")
        await settle(pilot)
    assert runner.options == [{"backend": "onnx", "checks": ["tokenizer"], "int8": True, "max_usd": 0.5}]
    assert runner.cache_dirs[0] is not None  # the same embeddings cache as `embedscout trial`
    settings = app.draft.latest_trial.plan.settings()  # type: ignore[union-attr]
    assert settings["models"] == ["bm25", BGE] and settings["checks"] == ["tokenizer"]
    assert settings["max_usd"] == 0.5 and settings["demo"] is True


async def test_defaults_are_off(services: Services, runner: FakeRunner) -> None:
    """Nothing is opted in unless asked: no checks, no int8, no cap, backend auto, the data's questions."""
    app = _app(services)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+r")
        await settle(pilot)
    assert runner.options == [{"backend": "auto", "checks": [], "int8": False, "max_usd": None}]
    assert app.draft.latest_trial.plan.queries.llm is None  # type: ignore[union-attr]


async def test_int8_only_offered_on_onnx_backends(services: Services) -> None:
    app = _app(services)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        box = app.screen.query_one("#int8", Checkbox)
        box.value = True
        app.screen.query_one("#backend", Select).value = "torch"
        await pilot.pause()
        assert box.disabled and box.value is False
        assert app.screen.query_one(TrialOptions).apply(app.screen._plan()).int8 is False  # type: ignore[attr-defined]
        app.screen.query_one("#backend", Select).value = "onnx"
        await pilot.pause()
        assert not box.disabled


async def test_bad_spend_cap_is_a_message_not_a_run(services: Services, runner: FakeRunner) -> None:
    app = _app(services)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        _set(app, usd="ten dollars")
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert runner.calls == []
        assert any(n.severity == "error" and "Max $" in n.message for n in app._notifications)
        assert "Not started: Max $ 'ten dollars' is not a number of US dollars" in _log(app)
        assert app.focused is app.screen.query_one("#max-usd", Input)
        assert app.screen.query_one("#max-usd", Input).has_class("-invalid")


async def test_llm_questions_without_a_model_are_refused(services: Services, runner: FakeRunner) -> None:
    """Asking for LLM-written questions without naming the chat model is caught by the plan."""
    app = _app(services)
    async with app.run_test(size=(100, 24)) as pilot:
        await settle(pilot)
        app.screen.query_one("#llm-count", Input).value = "5"
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert runner.calls == []
        assert "Not started: LLM-written questions need a chat model" in _log(app)


def test_parse_usd() -> None:
    assert parse_usd("") is None and parse_usd(" $0.5 ") == 0.5 and parse_usd("1e-7") == 1e-7
    for bad in ("-1", "nan", "inf", "abc", "0.5.1"):
        try:
            parse_usd(bad)
        except UserError:
            continue
        raise AssertionError(f"{bad!r} was accepted")


async def test_refused_trial_is_visible_and_nothing_runs(services: Services) -> None:
    """run_trial's TrialInputError (over the spend cap) is one error message; no trial joins the draft."""
    app = _app(services, API)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        _set(app, usd="0.0001")
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert any(
            n.severity == "error" and n.title == "Trial not started" and "exceeds --max-usd" in n.message
            for n in app._notifications
        )
        assert "Error: estimated API cost" in _log(app)
        assert app.draft.trials == ()
        assert app.screen.query_one("#results-table", DataTable).row_count == 0
        statuses = [str(label.content) for label in app.screen.query(".model-status").results(Label)]
        assert statuses == ["not run", "not run"]
        assert app.screen.query_one("#run").disabled is False


async def test_details_show_checks_int8_and_api_cost(services: Services) -> None:
    """The highlighted row's details: each check's summary and values with intervals, the int8 agreement,
    API tokens and cost (actual and estimated). Check progress never takes another model's bar."""
    app = _app(services, BGE, API)
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        _set(app, checks="tokenizer", int8=True, usd="1")
        await pilot.press("ctrl+r")
        await settle(pilot)
        models = [r.model for r in app.draft.latest_trial.result.results]  # type: ignore[union-attr]
        assert models == ["bm25", BGE, f"{BGE} (int8)", API]
        names = [str(label.content) for label in app.screen.query(".model-name").results(Label)]
        assert names[:3] == ["bm25", "bge-small-en-v1.5", "bge-small-en-v1.5 (int8)"]
        assert len(names) == 4 and names[3].startswith("openai:text-embedding")
        assert all(b.progress == b.total for b in app.screen.query(ProgressBar))

        dense = await _details(app, pilot, "bge-small-en-v1.5")
        assert "tokenizer · ok · n=2: tokenizer fit over 2 documents" in dense
        assert "  tok/char 0.250 [0.200, 0.300] · tok/word 1.333 [1.100, 1.500]" in dense
        assert "  · measured on the trial's chunks" in dense
        q8 = await _details(app, pilot, "bge-small-en-v1.5 (int8)")
        assert "keeps 95.0% of the fp32 top 10" in q8
        api = await _details(app, pilot, API)
        assert "API used: 40 tokens (provider), $0.000800" in api and "2 requests, 0 retries" in api
        assert "API estimate before the run: 50 tokens, $0.001000 (tiktoken); cap $1.00" in api
        bm25 = await _details(app, pilot, "bm25")
        assert "tokenizer · not applicable" in bm25
        assert "checks tokenizer ok" in _log(app) and "API 40 tokens, $0.000800" in _log(app)


async def test_details_pane_maximises_and_restores(services: Services) -> None:
    app = _app(services)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+r")
        await settle(pilot)
        await pilot.press("ctrl+l")
        assert app.screen.maximized is app.screen.query_one(ResultDetails)
        await pilot.press("ctrl+l")
        assert app.screen.maximized is None


async def test_settings_and_checks_are_saved_with_the_trial(services: Services) -> None:
    """Decide stores the trial with the plan's settings, in the real journal file."""
    app = _app(services, BGE)
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        _set(app, checks="all")
        await keys(pilot, "ctrl+r", "f5", "ctrl+s")
    from storage.store import get_decision

    with journal() as db:
        (trial,) = get_decision(db, 1).trials
    assert trial.settings["checks"] == list(CHECK_KINDS) and trial.settings["backend"] == "auto"
    assert list(trial.results[1]["details"]["checks"]) == list(CHECK_KINDS)


def test_check_choices_match_the_engine() -> None:
    """The plan's check names are exactly the engine's: no drift from evaluators."""
    from evaluators.checks import CHECKS

    assert list(CHECK_KINDS) == list(CHECKS)


async def test_llm_written_questions_and_the_spend_split(
    services: Services, runner: FakeRunner, openai_server
) -> None:  # type: ignore[no-untyped-def]
    """The TUI can have an LLM write the questions (a real HTTP server stands in for the API): its worst
    case is reserved from Max $ and the embeddings get the rest, as on the CLI."""
    openai_server.chat = lambda messages: (
        "YES" if "YES or NO" in messages[0]["content"] else "Which topic is covered?"
    )
    app = _app(services)
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        app.screen.query_one("#sample", Input).value = "40"
        app.screen.query_one("#llm-count", Input).value = "3"
        app.screen.query_one("#llm-model", Input).value = "openai:gpt-4o-mini"
        _set(app, usd="1")
        await pilot.press("ctrl+r")
        await settle(pilot)
        log = _log(app)
    assert "LLM budget: openai:gpt-4o-mini: at most" in log and "3 LLM-generated questions kept" in log
    (options,) = runner.options
    assert 0.99 < options["max_usd"] < 1.0  # what the questions' bound left for the embeddings
    trial = app.draft.latest_trial
    assert trial is not None and trial.result.dataset["llm_queries"]["generated"] == 3
    assert trial.plan.settings()["generate_queries"] == {"n": 3, "llm": "openai:gpt-4o-mini"}
    assert openai_server.count("/chat/completions") == 6
