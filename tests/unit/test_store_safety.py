"""Journal safety: user text kept byte for byte, corrupt files refused untouched, secrets never written."""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from storage import store
from storage.redact import REDACTED, clean
from storage.store import StorageError

NASTY = [
    "Ünïcödé 检索 — emoji 🧭, RTL שלום",
    "quotes ' \" ` and a backslash \\ and %s %(x)s {0}",
    "'; DROP TABLE decisions; --",
    "Robert'); DELETE FROM trials WHERE ('1'='1",
    "100% _like_ [glob*] ?param :name $x",
    "line one\nline two\ttabbed\r\nwindows",
    "   leading and trailing spaces   ",
]


@pytest.mark.parametrize("text", NASTY)
def test_user_text_round_trips_unchanged(tmp_path: Path, text: str) -> None:
    """Titles, tags, requirements, notes and model names come back exactly as given; SQL text stays inert."""
    db = store.open_db(tmp_path / "j.db")
    did = store.create_decision(
        db, title=text, requirements={"notes": text, text: [text]}, tags=[text.strip()]
    )
    store.decide(db, did, model=text, note=text)
    db.close()
    d = store.get_decision(store.open_db(tmp_path / "j.db"), did)
    assert d.title == text and d.rationale == text and d.chosen_model == text
    assert d.requirements == {"notes": text, text: [text]} and d.tags == (text.strip(),)


def test_search_finds_text_with_metacharacters(tmp_path: Path) -> None:
    """--search treats %, _, quotes literally (no LIKE wildcards, no SQL injection)."""
    db = store.open_db(tmp_path / "j.db")
    ids = [store.create_decision(db, title=t) for t in NASTY]
    store.create_decision(db, title="plain")
    assert [d.id for d in store.list_decisions(db, search="100% _like_")] == [ids[4]]
    assert [d.id for d in store.list_decisions(db, search="DROP TABLE")] == [ids[2]]
    assert [d.id for d in store.list_decisions(db, search="检索")] == [ids[0]]
    assert [d.id for d in store.list_decisions(db, search="ÜNÏCÖDÉ")] == [ids[0]]
    assert store.list_decisions(db, search="%") and len(store.list_decisions(db, search="_")) == 1


@pytest.mark.parametrize(
    "content",
    [
        b"this is a text file, not a database\n" * 10,
        b"\x00\xff" * 4096,
        b"SQLite format 2\x00" + b"\x00" * 100,
    ],
)
def test_non_sqlite_file_is_refused_and_untouched(tmp_path: Path, content: bytes) -> None:
    """A file that is not an SQLite database gives a clear StorageError and is never modified."""
    path = tmp_path / "notes.db"
    path.write_bytes(content)
    with pytest.raises(StorageError, match="not an SQLite database.*left untouched"):
        store.open_db(path)
    assert path.read_bytes() == content
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.db"]  # no -wal/-shm siblings created


def test_corrupt_sqlite_file_is_refused_and_untouched(tmp_path: Path) -> None:
    """A damaged database (valid header, garbage pages) gives StorageError; its bytes stay as they were."""
    path = tmp_path / "j.db"
    db = store.open_db(path)
    for i in range(200):
        store.create_decision(db, title=f"decision {i}" * 20)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    data = bytearray(path.read_bytes())
    data[100:4096] = b"\xde\xad" * ((4096 - 100) // 2)  # smash the schema page after the header
    path.write_bytes(bytes(data))
    with pytest.raises(StorageError, match="left untouched"):
        store.open_db(path)
    assert path.read_bytes() == bytes(data)


def test_folder_at_db_path_is_refused(tmp_path: Path) -> None:
    with pytest.raises(StorageError, match="folder"):
        store.open_db(tmp_path)


def test_unwritable_location_is_a_storage_error(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    with pytest.raises(StorageError, match="cannot create the folder"):
        store.open_db(blocker / "sub" / "j.db")


def test_empty_file_becomes_a_journal(tmp_path: Path) -> None:
    """SQLite treats an empty file as an empty database, so `touch journal.db` is fine."""
    path = tmp_path / "j.db"
    path.touch()
    assert "decisions" in store.open_db(path).table_names()


def _environment() -> dict[str, Any]:
    try:
        from evaluators.hardware import environment
    except ImportError:
        return {"python": "3.x"}
    return dict(environment())


def test_secrets_never_reach_the_database_or_exports(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An API key in the environment during a trial is in neither the DB file (+WAL) nor the exports."""
    secret = "sk-test-SECRET123"
    monkeypatch.setenv("OPENAI_API_KEY", secret)
    monkeypatch.setenv("HF_TOKEN", "hf_abcdefSECRET456")
    env = _environment()
    env["env_snapshot"] = dict(os.environ)  # worst case: a backend dumped the whole environment
    path = tmp_path / "j.db"
    db = store.open_db(path)
    did = store.create_decision(db, title="API models", requirements={"budget": "api"})
    tid = store.begin_trial(
        db,
        did,
        dataset={"name": "demo"},
        settings={"api_key": "literal-key-value", "batch": 32},
        environment=env,
    )
    store.add_trial_result(
        db,
        tid,
        {
            "model": "openai:text-embedding-3-small",
            "status": "failed",
            "error": f"401 Unauthorized: Bearer {secret} rejected",
            "details": {"headers": {"Authorization": f"Bearer {secret}"}},
        },
    )
    store.finish_trial(db, tid, complete=False)
    from tui.present.markdown import decision_markdown

    exports = [decision_markdown(store.get_decision(db, did)), store.export_json(db, did)]
    raw = b"".join(p.read_bytes() for p in tmp_path.iterdir())
    db.close()
    raw += path.read_bytes()
    for needle in (secret, "hf_abcdefSECRET456", "literal-key-value"):
        assert needle.encode() not in raw
        assert all(needle not in text for text in exports)
    saved = store.get_trial(store.open_db(path), tid)
    assert saved.settings == {"api_key": REDACTED, "batch": 32}
    assert saved.results[0]["error"] == f"401 Unauthorized: Bearer {REDACTED} rejected"


def test_clean_keeps_ordinary_values() -> None:
    """Redaction is targeted: token counts, tokenizers and short flag values are left alone."""
    value = {"n_tokens": 12, "tokenizer": "bpe", "max_tokens": 512, "nan": float("nan"), "t": (1, 2)}
    assert clean(value, secrets=["sk-abcdef"]) == {
        "n_tokens": 12,
        "tokenizer": "bpe",
        "max_tokens": 512,
        "nan": None,
        "t": [1, 2],
    }


def test_database_passes_integrity_check(tmp_path: Path) -> None:
    db = store.open_db(tmp_path / "j.db")
    store.create_decision(db, title="x")
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert isinstance(json.loads(store.export_json(db, 1)), dict)
    assert isinstance(db.conn, sqlite3.Connection)
