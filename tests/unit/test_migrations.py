"""Schema migrations: a blank DB, re-applying is a no-op, and a journal frozen at m001 upgrades in place."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlite_utils import Database

from storage import store
from storage.migrations import migrations

TABLES = {"decisions", "recommendations", "trials", "trial_results"}


def _applied(db: Database) -> list[str]:
    return [m.name for m in migrations.applied(db)]


def test_blank_database_gets_every_migration(tmp_path: Path) -> None:
    db = store.open_db(tmp_path / "j.db")
    assert TABLES <= set(db.table_names())
    assert _applied(db) == [m.name for m in migrations._migrations]
    assert all(name[:1] == "m" and name[1:4].isdigit() and name[4] == "_" for name in _applied(db))
    assert migrations.pending(db) == []


def test_applying_twice_changes_nothing(tmp_path: Path) -> None:
    """open_db on an up-to-date journal re-applies nothing and keeps the data."""
    path = tmp_path / "j.db"
    db = store.open_db(path)
    did = store.create_decision(db, title="keep me")
    schema = db.execute("SELECT sql FROM sqlite_master ORDER BY name").fetchall()
    migrations.apply(db)
    db.close()
    db2 = store.open_db(path)
    assert db2.execute("SELECT sql FROM sqlite_master ORDER BY name").fetchall() == schema
    assert len(_applied(db2)) == len(migrations._migrations)
    assert store.get_decision(db2, did).title == "keep me"


def test_v1_file_upgrades_in_place(tmp_path: Path) -> None:
    """A journal written by the first release (m001 only, one decision) opens, upgrades and keeps its data."""
    path = tmp_path / "v1.db"
    old = Database(sqlite3.connect(path))
    migrations.apply(old, stop_before="m002_create_recommendations")
    assert _applied(old) == ["m001_create_decisions"]
    assert set(old.table_names()) == {"decisions", "_sqlite_migrations"}
    old.table("decisions").insert(
        {
            "title": "Chosen in v1",
            "created_at": "2026-01-02T03:04:05Z",
            "updated_at": "2026-01-02T03:04:05Z",
            "requirements_json": '{"language": "en"}',
            "status": "decided",
            "chosen_model": "BAAI/bge-m3",
            "rationale": "v1 note",
            "tags_json": '["legacy"]',
        }
    )
    old.close()

    db = store.open_db(path)
    assert TABLES <= set(db.table_names())
    assert migrations.pending(db) == []
    d = store.get_decision(db, 1)
    assert (d.title, d.status, d.chosen_model, d.tags) == (
        "Chosen in v1",
        "decided",
        "BAAI/bge-m3",
        ("legacy",),
    )
    assert d.requirements == {"language": "en"}
    store.save_trial(db, 1, {"dataset": {"name": "demo"}, "results": [{"model": "bm25"}]})
    assert len(store.get_decision(db, 1).trials) == 1
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
