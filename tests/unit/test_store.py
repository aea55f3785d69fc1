"""The journal's store API on a real SQLite file: create, attach, trials, decide, list, supersede, delete."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlite_utils import Database

from storage import store
from storage.store import StorageError
from tests.unit._journal_data import model_result, recommendation, trial


@pytest.fixture
def db(tmp_path: Path) -> Database:
    return store.open_db(tmp_path / "journal.db")


def test_open_db_uses_wal_and_busy_timeout(db: Database) -> None:
    """Two processes can share the journal: WAL journal mode and a busy timeout on every connection."""
    assert db.journal_mode == "wal"
    assert db.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000
    assert {"decisions", "recommendations", "trials", "trial_results"} <= set(db.table_names())


def test_open_db_default_path_honours_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without a path, open_db uses EMBEDSCOUT_DB (what the CLI's --db sets)."""
    target = tmp_path / "nested" / "chosen.db"
    monkeypatch.setenv("EMBEDSCOUT_DB", str(target))
    store.create_decision(store.open_db(), title="t")
    assert target.exists()


def test_create_attach_trial_decide_get(db: Database) -> None:
    """A decision keeps what was asked, recommended, measured and chosen, and get_decision returns it all."""
    did = store.create_decision(db, title="Legal search", requirements={"domain": "legal"}, tags=["q4", "q4"])
    store.attach_recommendation(db, did, recommendation("BAAI/bge-m3", "minilm"))
    tid = store.save_trial(db, did, trial(model_result("BAAI/bge-m3", 0.7), model_result("x", 0, "failed")))
    store.decide(db, did, model="BAAI/bge-m3", note="best nDCG")
    d = store.get_decision(db, did)
    assert (d.title, d.status, d.chosen_model, d.rationale, d.tags) == (
        "Legal search",
        "decided",
        "BAAI/bge-m3",
        "best nDCG",
        ("q4",),
    )
    assert d.requirements == {"domain": "legal"}
    assert d.shortlist == ["BAAI/bge-m3", "minilm"]
    assert d.latest_recommendation is not None and d.latest_recommendation.catalog_version == "2026.11"
    assert [t.id for t in d.trials] == [tid]
    assert d.trials[0].complete and d.trials[0].started_at == "2026-11-20T10:00:00Z"
    assert [r["model"] for r in d.trials[0].results] == ["BAAI/bge-m3", "x"]
    assert d.trials[0].results[0]["ci95"]["ndcg@10"] == [pytest.approx(0.65), pytest.approx(0.75)]
    row = next(db.table("trial_results").rows_where("model = ?", ["BAAI/bge-m3"]))
    assert row["ndcg_at_10"] == pytest.approx(0.7) and row["query_p50_ms"] == 3.5


def test_begin_add_finish_trial_incrementally(db: Database) -> None:
    """A trial is incomplete until finish_trial(complete=True); results commit one at a time."""
    did = store.create_decision(db, title="t")
    tid = store.begin_trial(db, did, dataset={"name": "demo"}, settings={"k": 10}, environment={})
    assert store.get_trial(db, tid).status == "incomplete"
    store.add_trial_result(db, tid, model_result("bm25", 0.4))
    assert len(store.get_trial(db, tid).results) == 1
    store.finish_trial(db, tid, complete=True)
    assert store.get_trial(db, tid).status == "complete"


def test_begin_trial_without_decision_files_a_draft(db: Database) -> None:
    """`trial --save` without --decision still lands under a (new, draft) decision."""
    tid = store.begin_trial(db, None, dataset={"name": "my docs"}, settings={}, environment={})
    parent = store.get_decision(db, store.get_trial(db, tid).decision_id or 0)
    assert parent.status == "draft" and "my docs" in parent.title


def test_incomplete_trial_saved_as_incomplete(db: Database) -> None:
    did = store.create_decision(db, title="t")
    tid = store.save_trial(db, did, trial(model_result("bm25", 0.4), complete=False))
    assert store.get_trial(db, tid).status == "incomplete"


def test_missing_ids_raise_clear_errors(db: Database) -> None:
    with pytest.raises(store.DecisionNotFound, match="no decision with id 42"):
        store.get_decision(db, 42)
    with pytest.raises(StorageError, match="no decision with id 42"):
        store.attach_recommendation(db, 42, recommendation("a"))
    with pytest.raises(StorageError, match="no trial with id 7"):
        store.add_trial_result(db, 7, model_result("a", 0.1))
    with pytest.raises(StorageError, match="unknown status"):
        store.list_decisions(db, status="maybe")


def test_update_decision(db: Database) -> None:
    did = store.create_decision(db, title="old", tags=["a"])
    before = store.get_decision(db, did)
    after = store.update_decision(db, did, title="new", tags=["b", " c "], requirements={"x": 1})
    assert (after.title, after.tags, after.requirements) == ("new", ("b", "c"), {"x": 1})
    assert after.created_at == before.created_at and after.updated_at >= before.updated_at
    with pytest.raises(StorageError):
        store.update_decision(db, did, status="bogus")
    with pytest.raises(StorageError, match="non-blank title"):
        store.update_decision(db, did, title="  ")


def _seed(db: Database) -> dict[str, int]:
    ids = {}
    ids["legal"] = store.create_decision(
        db, title="Contracts RAG", requirements={"domain": "legal"}, tags=["Prod"]
    )
    store.attach_recommendation(db, ids["legal"], recommendation("BAAI/bge-m3", "nomic-ai/nomic-embed"))
    ids["code"] = store.create_decision(db, title="Code search", tags=["dev"])
    store.save_trial(db, ids["code"], trial(model_result("jinaai/jina-code", 0.6)))
    ids["chat"] = store.create_decision(db, title="Support bot")
    store.decide(db, ids["chat"], model="openai/text-embedding-3-small", note="cheap API")
    db.execute("UPDATE decisions SET created_at = '2025-01-15T12:00:00Z' WHERE id = ?", [ids["chat"]])
    db.conn.commit()
    return ids


def test_list_filters(db: Database) -> None:
    """history filters: text, status, tag (case-insensitive), model (chosen, shortlisted or tried), dates."""
    ids = _seed(db)

    def found(**kw: Any) -> set[int]:
        return {d.id for d in store.list_decisions(db, **kw) if d.id is not None}

    assert found() == set(ids.values())
    assert found(search="contracts") == {ids["legal"]}
    assert found(search="LEGAL") == {ids["legal"]}  # matches the requirements too
    assert found(status="decided") == {ids["chat"]}
    assert found(tag="prod") == {ids["legal"]}
    assert found(model="nomic") == {ids["legal"]}
    assert found(model="JINA-CODE") == {ids["code"]}
    assert found(model="text-embedding-3") == {ids["chat"]}
    assert found(until="2025-01-15") == {ids["chat"]}
    assert found(since="2025-01-16") == {ids["legal"], ids["code"]}
    assert found(search="nothing like this") == set()
    with pytest.raises(StorageError, match="not a date"):
        store.list_decisions(db, since="last tuesday")


def test_list_is_newest_first_and_limited(db: Database) -> None:
    ids = _seed(db)
    listed = [d.id for d in store.list_decisions(db)]
    assert listed == [ids["code"], ids["legal"], ids["chat"]]
    assert [d.id for d in store.list_decisions(db, limit=1)] == [ids["code"]]
    assert [d.id for d in store.recent_decisions(db, limit=2)] == listed[:2]


def test_supersede_with_new_copy_and_existing(db: Database) -> None:
    """A superseded decision points at its successor; deciding on it is refused."""
    old = store.create_decision(db, title="v1", requirements={"budget": "open"}, tags=["t"])
    new = store.supersede(db, old)
    got_old, got_new = store.get_decision(db, old), store.get_decision(db, new)
    assert (got_old.status, got_old.superseded_by) == ("superseded", new)
    assert got_new.status == "draft" and got_new.requirements == {"budget": "open"} and got_new.tags == ("t",)
    with pytest.raises(StorageError, match="superseded by"):
        store.decide(db, old, model="m", note="")
    third = store.create_decision(db, title="v3")
    assert store.supersede(db, new, third) == third
    with pytest.raises(StorageError):
        store.supersede(db, third, third)


def test_delete_removes_children_and_links(db: Database) -> None:
    did = store.create_decision(db, title="gone")
    store.attach_recommendation(db, did, recommendation("a"))
    store.save_trial(db, did, trial(model_result("a", 0.5)))
    keeper = store.create_decision(db, title="keeper")
    store.supersede(db, keeper, did)
    store.delete_decision(db, did)
    with pytest.raises(store.DecisionNotFound):
        store.get_decision(db, did)
    assert db.table("trials").count == 0 and db.table("trial_results").count == 0
    assert db.table("recommendations").count == 0
    assert store.get_decision(db, keeper).superseded_by is None
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []
