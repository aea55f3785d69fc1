"""The winner-stability figure in the journal: stored with the trial, read back exactly, exported, imported
and reported; journals and records from before it existed still open and simply have none."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from sqlite_utils import Database

from evaluators.runner import run_trial
from evaluators.types import TrialResult
from evaluators.winner.model import WinnerStability
from storage import store
from storage.migrations import migrations
from storage.store import StorageError
from tests.unit._winner_cases import MODELS, make_case, use_tables


def _markdown(db: Database, decision_id: int) -> str:
    """The decision's Markdown report, as `embedscout export --format md` writes it (tui.present)."""
    from tui.present.markdown import decision_markdown

    return decision_markdown(store.get_decision(db, decision_id))


@pytest.fixture(scope="module")
def flipped() -> TrialResult:
    """A real trial on a 200/400 document sample whose winner flips with the whole corpus."""
    with pytest.MonkeyPatch.context() as mp:
        case = make_case(0.004)
        use_tables(mp, case)
        return run_trial(case.sample, MODELS)


@pytest.fixture
def db(tmp_path: Path) -> Database:
    return store.open_db(tmp_path / "journal.db")


def test_trial_result_round_trips_and_old_records_load(flipped: TrialResult) -> None:
    data = json.loads(json.dumps(flipped.to_dict()))
    assert TrialResult.from_dict(data).stability == flipped.stability
    del data["stability"]  # a record written before the figure existed
    assert TrialResult.from_dict(data).stability is None


def test_saved_trial_keeps_the_figure_through_export_and_import(db: Database, flipped: TrialResult) -> None:
    did = store.create_decision(db, title="flip")
    tid = store.save_trial(db, did, flipped)
    record = store.get_trial(db, tid)
    assert WinnerStability.load(record.stability) == flipped.stability
    assert TrialResult.from_dict(record.to_dict()).stability == flipped.stability
    new = store.import_json(db, store.export_json(db, did))
    (copied,) = store.get_decision(db, new).trials
    assert WinnerStability.load(copied.stability) == flipped.stability


def test_finish_trial_stores_the_figure_known_only_at_the_end(db: Database, flipped: TrialResult) -> None:
    """The CLI's --save path: rows land one by one, the figure with the final rows."""
    tid = store.begin_trial(db, None, dataset=flipped.dataset)
    store.add_trial_result(db, tid, flipped.results[0])
    assert store.get_trial(db, tid).stability is None
    store.finish_trial(db, tid, complete=True, results=flipped.results, stability=flipped.stability)
    assert WinnerStability.load(store.get_trial(db, tid).stability) == flipped.stability


@pytest.mark.parametrize(
    ("figure", "message"),
    [
        ({"best": "bm25", "stability": "high"}, "malformed"),
        ({"best": "bm25", "shares": "abc"}, "malformed"),
        ([1, 2], "an object naming the best model"),
    ],
)
def test_a_malformed_figure_is_refused_and_nothing_is_written(
    db: Database, flipped: TrialResult, figure: object, message: str
) -> None:
    data = {**flipped.to_dict(), "stability": figure}
    with pytest.raises(StorageError, match=message):
        store.save_trial(db, None, data)
    assert db.table("trials").count == 0 and db.table("decisions").count == 0


def test_report_shows_the_figure_and_what_it_measured(db: Database, flipped: TrialResult) -> None:
    did = store.create_decision(db, title="flip")
    store.save_trial(db, did, flipped)
    store.save_trial(db, did, {**flipped.to_dict(), "stability": None})
    md = _markdown(db, did)
    assert md.count("#### Winner stability") == 1
    section = md.split("#### Winner stability", 1)[1]
    assert "paired bootstrap resamples of the 100 queries" in section
    assert "Document sample: 200 of 400 documents" in section and "could change the answer" in section
    assert "Advice: run on all 400 documents." in section


def test_a_journal_from_before_the_figure_upgrades_and_reads_none(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    old = Database(sqlite3.connect(path))
    migrations.apply(old, stop_before="m006_add_trial_stability")
    old.table("decisions").insert({"title": "old", "created_at": "2026-01-01T00:00:00Z",
                                   "updated_at": "2026-01-01T00:00:00Z", "status": "draft"})
    old.table("trials").insert({"decision_id": 1, "created_at": "2026-01-01T00:00:00Z", "status": "complete",
                                "dataset_json": "{}", "settings_json": "{}", "environment_json": "{}"})
    old.close()
    db = store.open_db(path)
    (trial,) = store.get_decision(db, 1).trials
    assert trial.stability is None and "Winner stability" not in _markdown(db, 1)


def test_import_of_a_malformed_figure_writes_nothing(db: Database, flipped: TrialResult) -> None:
    did = store.create_decision(db, title="flip")
    store.save_trial(db, did, flipped)
    doc = json.loads(store.export_json(db, did))
    doc["trials"][0]["stability"]["n_queries"] = "many"
    with pytest.raises(StorageError, match="trial stability is malformed"):
        store.import_json(db, doc)
    assert db.table("decisions").count == 1 and db.table("trials").count == 1
