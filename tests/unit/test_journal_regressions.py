"""Journal cases from issue 14, replayed as reported: a newer journal written without a word, imports with
the right keys but wrong types, credentials inside model URLs stored verbatim, an unusable data folder
raising OSError. Every refusal leaves the file byte for byte as it was."""

from __future__ import annotations

import copy
import hashlib
import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlite_utils import Database

from storage import store
from storage.db import SCHEMA_VERSION, newer_schema
from storage.migrations import migrations
from storage.paths import app_dir, cache_dir
from storage.redact import clean
from tests.unit._journal_data import model_result, recommendation, trial


def _markdown(db: Database, decision_id: int) -> str:
    """The decision's Markdown report, as `embedscout export --format md` writes it (tui.present)."""
    from tui.present.markdown import decision_markdown

    return decision_markdown(store.get_decision(db, decision_id))

SECRET_REF = "openai-compatible:m@http://user:secret@host/v1"


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def journal(tmp_path: Path) -> Path:
    path = tmp_path / "j.db"
    db = store.open_db(path)
    did = store.create_decision(db, title="Keep me")
    store.attach_recommendation(db, did, recommendation("BAAI/bge-m3", "minilm"))
    db.close()
    return path


def _set(path: Path, sql: str, *params: Any) -> None:
    conn = sqlite3.connect(path)
    conn.execute(sql, params)
    conn.commit()
    conn.close()


def test_a_new_journal_records_its_schema_version(journal: Path) -> None:
    conn = sqlite3.connect(journal)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == len(migrations._migrations)


def test_an_old_journal_without_a_version_gets_one(journal: Path) -> None:
    """Journals written before the version was kept have user_version 0: opening them sets it, once."""
    _set(journal, "PRAGMA user_version = 0")
    store.open_db(journal).close()
    assert sqlite3.connect(journal).execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


@pytest.mark.parametrize("how", ["user_version", "unknown migration"])
def test_a_newer_journal_opens_read_only_and_is_never_written(journal: Path, how: str) -> None:
    """A journal from a newer embedscout was migrated and written to without a word."""
    if how == "user_version":
        _set(journal, f"PRAGMA user_version = {SCHEMA_VERSION + 3}")
    else:
        _set(journal, "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) VALUES (?, ?, ?)",
             "embedscout", "m099_add_future_things", "2030-01-01")
    before = digest(journal)
    db = store.open_db(journal)
    reason = store.read_only_reason(db)
    assert reason is not None and "newer embedscout" in reason and "read-only" in reason
    assert "upgrade embedscout" in reason and str(journal) in reason
    assert [d.title for d in store.list_decisions(db)] == ["Keep me"]  # reading works
    with pytest.raises(store.StorageError, match="newer embedscout"):
        store.create_decision(db, title="new")
    with pytest.raises(store.StorageError, match="newer embedscout"):
        store.decide(db, 1, model="minilm")
    db.close()
    with pytest.raises(store.StorageError, match="newer embedscout"):
        store.open_db(journal, writable=True)
    assert digest(journal) == before


def test_another_programs_database_is_refused_untouched(tmp_path: Path) -> None:
    """An SQLite file of another program used to get the journal's tables added to it."""
    path = tmp_path / "other.sqlite"
    _set(path, "CREATE TABLE photos (id INTEGER PRIMARY KEY, name TEXT)")
    before = digest(path)
    with pytest.raises(store.StorageError, match="another program's SQLite database.*photos.*--db PATH"):
        store.open_db(path)
    assert digest(path) == before


def test_an_unusable_data_folder_is_a_storage_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """EMBEDSCOUT_HOME under a file: mkdir's OSError escaped every command as a traceback."""
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    monkeypatch.setenv("EMBEDSCOUT_HOME", str(blocker / "home"))
    for make in (app_dir, cache_dir):
        with pytest.raises(store.StorageError, match="cannot create the folder .*EMBEDSCOUT_HOME"):
            make()
    with pytest.raises(store.StorageError, match="cannot use the journal"):
        store.open_db()


def _export(journal: Path) -> dict[str, Any]:
    db = store.open_db(journal)
    store.save_trial(db, 1, trial(model_result("minilm", 0.6)))
    doc: dict[str, Any] = json.loads(store.export_json(db, 1))
    db.close()
    return doc


BAD_IMPORTS: list[tuple[str, Any, str]] = [
    ("trials", "abc", r"trials must be a list, got 'abc'"),
    ("recommendations", [1, 2], r"recommendations\[0\] must be an object, got 1"),
    ("model null", None, r"trials\[0\]\.results\[0\]\.model must be a string, got None"),
    ("ndcg high", "high", r"trials\[0\]\.results\[0\]\.metrics\.ndcg@10 must be a finite number, got 'high'"),
    ("ndcg 7", 7, r"metrics\.ndcg@10 must be a number from 0 to 1, got 7"),
    ("tags", "abc", r"decision\.tags must be a list, got 'abc'"),
    ("requirements", [1], r"decision\.requirements must be an object, got a list"),
    ("status", "maybe", r"decision\.status must be 'draft' or 'decided' or 'superseded', got 'maybe'"),
    ("ci95", [0.9, 0.1], r"ci95\.ndcg@10 must be \[low, high\] with low <= high"),
    ("title", "   ", r"decision\.title must be a non-blank title"),
]


def _spoil(doc: dict[str, Any], case: str, value: Any) -> dict[str, Any]:
    doc = copy.deepcopy(doc)
    row = doc["trials"][0]["results"][0]
    if case in ("trials", "recommendations"):
        doc[case] = value
    elif case == "model null":
        row["model"] = value
    elif case.startswith("ndcg"):
        row["metrics"]["ndcg@10"] = value
    elif case == "ci95":
        row["ci95"]["ndcg@10"] = value
    else:
        doc["decision"][case] = value
    return doc


@pytest.mark.parametrize(("case", "value", "message"), BAD_IMPORTS, ids=[c[0] for c in BAD_IMPORTS])
def test_import_checks_the_whole_document_before_writing(journal: Path, case: str, value: Any,
                                                        message: str) -> None:
    """Right keys, wrong types: tracebacks half way ('str' object has no attribute 'get'), or nonsense
    stored (model null, nDCG "high"). Now one message naming the place, and nothing written."""
    doc = _spoil(_export(journal), case, value)
    before = digest(journal)
    db = store.open_db(journal)
    with pytest.raises(store.StorageError, match=message) as err:
        store.import_json(db, json.dumps(doc))
    db.close()
    assert "nothing was imported" in str(err.value) and "\n" not in str(err.value)
    assert digest(journal) == before


def test_a_valid_export_still_imports(journal: Path) -> None:
    doc = _export(journal)
    db = store.open_db(journal)
    new_id = store.import_json(db, json.dumps(doc))
    assert store.get_decision(db, new_id).trials[0].results[0]["metrics"]["ndcg@10"] == 0.6


def test_credentials_in_urls_never_reach_the_journal_or_an_export(journal: Path) -> None:
    """openai-compatible:m@http://user:secret@host/v1 was stored verbatim in the journal and exports."""
    db = store.open_db(journal)
    with pytest.raises(store.StorageError, match=r"http://\*\*\*@host/v1.*user name or password"):
        store.decide(db, 1, model=SECRET_REF)
    store.save_trial(db, 1, {**trial(model_result(SECRET_REF, 0.5)),
                             "settings": {"models": [SECRET_REF], "llm": SECRET_REF}})
    exported = store.export_json(db, 1) + _markdown(db, 1)
    db.close()
    assert "secret" not in exported and "http://***@host/v1" in exported
    assert b"secret" not in journal.read_bytes() + (journal.with_name("j.db-wal").read_bytes()
                                                      if journal.with_name("j.db-wal").exists() else b"")


def test_clean_strips_credentials_from_any_text() -> None:
    got = clean({"error": f"cannot reach {SECRET_REF}", "refs": [SECRET_REF], "ok": "http://host/v1"})
    assert got == {"error": "cannot reach openai-compatible:m@http://***@host/v1",
                   "refs": ["openai-compatible:m@http://***@host/v1"], "ok": "http://host/v1"}


def test_newer_schema_is_none_for_a_current_journal(journal: Path) -> None:
    db = store.open_db(journal)
    assert newer_schema(db) is None and store.read_only_reason(db) is None


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)
_PLACES = ("decision", "recommendations", "trials", "decision.title", "decision.tags",
           "decision.requirements", "trials.0.results", "trials.0.results.0", "trials.0.results.0.metrics",
           "trials.0.results.0.model", "trials.0.results.0.ci95", "trials.0.results.0.per_query",
           "trials.0.dataset", "version", "recommendations.0.candidates", "decision.chosen_model")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(place=st.sampled_from(_PLACES), value=_json)
def test_any_value_anywhere_imports_or_is_refused_untouched(journal: Path, place: str, value: Any) -> None:
    """Property: a valid export with one part replaced by any JSON value is imported or refused with a
    StorageError; a refusal writes nothing (never a traceback, never a half import)."""
    doc = _export_once(journal)
    node: Any = doc
    *path, last = place.split(".")
    for key in path:
        node = node[int(key)] if key.isdigit() else node[key]
    node[int(last) if last.isdigit() else last] = value
    db = store.open_db(journal)
    count = db.table("decisions").count
    try:
        store.import_json(db, json.dumps(doc))
    except store.StorageError as exc:
        assert "\n" not in str(exc)
        assert db.table("decisions").count == count
    db.close()


_EXPORTS: dict[Path, dict[str, Any]] = {}


def _export_once(journal: Path) -> dict[str, Any]:
    if journal not in _EXPORTS:
        _EXPORTS[journal] = _export(journal)
    return copy.deepcopy(_EXPORTS[journal])
