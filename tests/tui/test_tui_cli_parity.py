"""One trial path for both front ends: the same TrialPlan run by `embedscout trial --save` and by the Trial
screen's worker (then saved from Decide) gives the same journal record, field for field."""

from __future__ import annotations

from click.testing import CliRunner

from storage.records import TrialRecord
from storage.store import get_decision
from tests.tui.fakes import FakeRunner, cpu_draft, fake_services, journal, keys, settle
from tui.app import EmbedscoutApp
from tui.cli import main
from tui.cli.cmd_trial import plan_from_flags

BGE = "BAAI/bge-small-en-v1.5"
FLAGS = ["trial", "--demo", "-m", "bm25", "-m", BGE, "--sample", "200", "--save"]


def _comparable(trial: TrialRecord) -> dict[str, object]:
    """The record without its ids and times (the clock and the row order of two runs are all that differ)."""
    data = trial.to_dict()
    for key in ("started_at", "finished_at", "created_at"):
        data.pop(key)
    return data


async def test_same_plan_same_record_from_cli_and_tui() -> None:
    cli = CliRunner().invoke(main, FLAGS, obj=fake_services(runner=FakeRunner()))
    assert cli.exit_code == 0, cli.output

    app = EmbedscoutApp(
        fake_services(runner=FakeRunner()), start="trial", draft=cpu_draft().with_tick(BGE, True)
    )
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        await keys(pilot, "ctrl+r", "f5", "ctrl+s")  # run the trial, go to Decide, save
        tui_plan = app.draft.trials[0].plan

    cli_plan = plan_from_flags(
        corpus=None, queries=None, qrels=None, models=("bm25", BGE), sample=200, seed=0, chunk_text="256",
        chunk_overlap=32, synthetic="auto", backend="auto", int8=False, checks=None, max_usd=None,
        n_generate=None, llm=None, rerank=None, rerank_depth=50, demo=True, no_cache=False,
    )  # fmt: skip
    assert cli_plan == tui_plan  # the flags and the form describe the same plan
    with journal() as db:
        (from_cli,) = get_decision(db, 1).trials
        (from_tui,) = get_decision(db, 2).trials
    assert from_cli.status == "complete" and len(from_cli.results) == 2
    assert _comparable(from_cli) == _comparable(from_tui)
