"""Reports over saved decisions: JSON export/import round-trip and the side-by-side diff (the Markdown
report is tested with the other views, in test_present_markdown.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlite_utils import Database

from storage import store
from storage.store import StorageError
from tests.unit._journal_data import model_result, recommendation, trial


def _markdown(db: Database, decision_id: int) -> str:
    """The decision's Markdown report, as `embedscout export --format md` writes it (tui.present)."""
    from tui.present.markdown import decision_markdown

    return decision_markdown(store.get_decision(db, decision_id))


@pytest.fixture
def db(tmp_path: Path) -> Database:
    return store.open_db(tmp_path / "journal.db")


def _full_decision(db: Database, title: str = "Légal | search 'v1'") -> int:
    did = store.create_decision(
        db,
        title=title,
        requirements={"language": ["en", "fr"], "doc_tokens": 3000, "gpu": False},
        tags=["prod"],
    )
    store.attach_recommendation(
        db, did, {**recommendation("BAAI/bge-m3", "minilm"), "benchmark": "mteb_law_v1"}
    )
    store.save_trial(db, did, trial(model_result("BAAI/bge-m3", 0.71), model_result("minilm", 0, "failed")))
    store.save_trial(db, did, trial(model_result("bm25", 0.4), complete=False))
    store.decide(db, did, model="BAAI/bge-m3", note="Best nDCG@10;\nfits the 'open' budget")
    return did


def _comparable(doc: dict[str, Any]) -> dict[str, Any]:
    doc = json.loads(json.dumps(doc))
    doc.pop("exported_at")
    doc["decision"].pop("id")
    return doc


def test_export_import_round_trip(db: Database, tmp_path: Path) -> None:
    """export_json -> import_json -> export_json gives the same document (only id and export time differ)."""
    did = _full_decision(db)
    first = store.export_json(db, did)
    other = store.open_db(tmp_path / "other.db")
    new_id = store.import_json(other, first)
    second = store.export_json(other, new_id)
    assert _comparable(json.loads(second)) == _comparable(json.loads(first))
    imported = store.get_decision(other, new_id)
    assert [t.status for t in imported.trials] == ["complete", "incomplete"]
    assert imported.latest_recommendation is not None
    assert imported.latest_recommendation.extra == {"benchmark": "mteb_law_v1"}


def test_import_into_same_journal_gets_new_id(db: Database) -> None:
    did = _full_decision(db)
    new_id = store.import_json(db, json.loads(store.export_json(db, did)))
    assert new_id != did and store.get_decision(db, new_id).title == store.get_decision(db, did).title


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{not json", "not a JSON document"),
        ('{"format": "something-else"}', "not an embedscout decision export"),
        ('{"format": "embedscout-decision", "version": 99, "decision": {"title": "x"}}', "newer"),
        ('{"format": "embedscout-decision", "version": 1, "decision": {}}',
         "decision.title must be a string"),
    ],
)
def test_import_rejects_bad_documents(db: Database, text: str, message: str) -> None:
    with pytest.raises(StorageError, match=message):
        store.import_json(db, text)
    assert db.table("decisions").count == 0


def test_diff_side_by_side(db: Database) -> None:
    """diff shows changed requirements, shortlist ranks, per-model metrics and whether datasets match."""
    a = _full_decision(db)
    b = store.create_decision(db, title="v2", requirements={"language": ["en"], "doc_tokens": 3000})
    store.attach_recommendation(db, b, recommendation("minilm", "nomic/embed"))
    store.save_trial(db, b, trial(model_result("minilm", 0.5), model_result("BAAI/bge-m3", 0.75)))
    d = store.diff_decisions(db, a, b)
    req = {r.label: r for r in d.requirements}
    assert req["language"].changed and not req["doc_tokens"].changed
    assert req["gpu"].a is False and req["gpu"].b is None
    assert [(r.label, r.a, r.b) for r in d.shortlist] == [
        ("1", "BAAI/bge-m3", "minilm"),
        ("2", "minilm", "nomic/embed"),
    ]
    assert d.only_in_a == ["BAAI/bge-m3"] and d.only_in_b == ["nomic/embed"]
    res = {r.label: r for r in d.results}
    assert res["BAAI/bge-m3"].a == {
        "ndcg@10": 0.71,
        "recall@10": pytest.approx(0.81),
        "mrr@10": pytest.approx(0.66),
    }
    assert res["BAAI/bge-m3"].b is not None and res["BAAI/bge-m3"].b["ndcg@10"] == 0.75
    assert res["minilm"].a == {"status": "failed", "error": "out of memory"}
    assert res["bm25"].b is None
    assert d.same_dataset is True
    summary = {r.label: r for r in d.summary}
    assert summary["chosen model"].a == "BAAI/bge-m3" and summary["chosen model"].b is None


def test_markdown_shows_answer_hit_when_queries_had_answers(db: Database) -> None:
    """answer-hit@1 gets its own column (with its interval) only in trials whose rows carry it."""
    did = store.create_decision(db, title="answers")
    with_answers = model_result("minilm", 0.6)
    with_answers["metrics"]["answer_hit@1"] = 0.5
    with_answers["ci95"]["answer_hit@1"] = [0.25, 0.75]
    store.save_trial(db, did, trial(with_answers, model_result("bm25", 0.4)))
    md = _markdown(db, did)
    assert "| ans@1 |" in md and "0.500 [0.250, 0.750]" in md
    bm25_row = next(line for line in md.splitlines() if line.startswith("| bm25 | ok"))
    assert bm25_row.count("| - |") == 1  # no made-up value for the row without it
    plain_did = store.create_decision(db, title="no answers")
    store.save_trial(db, plain_did, trial(model_result("bm25", 0.4)))
    assert "ans@1" not in _markdown(db, plain_did)
