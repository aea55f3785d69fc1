"""Opening the journal safely: refuse non-SQLite files, WAL + busy timeout, migrations, write transactions.

Kept apart from the record API in `storage.store` so connection policy (how two processes share one file,
what counts as a corrupt database) lives in one place. One `Database` per thread: sqlite3's
check_same_thread stays on, so a worker thread must call `open_db()` itself.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from storage.migrations import migrations
from storage.paths import db_path
from storage.sqlite_lib import Database

BUSY_TIMEOUT_S = 10.0
"""How long a writer waits for another process's transaction before giving up with StorageError."""
_SQLITE_HEADER = b"SQLite format 3\x00"


class StorageError(Exception):
    """A journal problem worth one line to the user: corrupt file, missing decision, database busy."""


class DecisionNotFound(StorageError):
    """No decision (or trial) with the given id."""


def open_db(path: str | Path | None = None) -> Database:
    """The journal at `path` (default `storage.paths.db_path()`), migrated to the latest schema.

    Raises StorageError, without writing a byte, when the file exists but is not an SQLite database.
    """
    target = Path(path) if path is not None else db_path()
    _check_file(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StorageError(
            f"cannot create the folder for the journal {target}: {exc.strerror or exc}"
        ) from exc
    try:
        conn = sqlite3.connect(str(target), timeout=BUSY_TIMEOUT_S)
    except sqlite3.Error as exc:
        raise StorageError(f"cannot open the journal {target}: {exc}") from exc
    try:
        db = Database(conn)
        db.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
        db.enable_wal()
        db.execute("PRAGMA foreign_keys = ON")
        db.execute("PRAGMA synchronous = NORMAL")  # safe with WAL: a crash loses at most the last commit
        _migrate(db)
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise StorageError(
            f"{target} is not a usable embedscout journal ({exc}); it was left untouched"
        ) from exc
    return db


def _check_file(target: Path) -> None:
    if target.is_dir():
        raise StorageError(f"{target} is a folder, not a journal file")
    if not target.exists() or target.stat().st_size == 0:
        return  # SQLite treats an empty file as an empty database
    with target.open("rb") as fh:
        header = fh.read(len(_SQLITE_HEADER))
    if header != _SQLITE_HEADER:
        raise StorageError(
            f"{target} is not an SQLite database (corrupt, or another kind of file); it was left untouched. "
            "Move it away or pass --db PATH to use another journal."
        )


def _migrate(db: Database) -> None:
    """Apply pending migrations under one write lock, so two processes opening a new file don't race."""
    if not migrations.pending(db):
        return
    with write_transaction(db):
        migrations.apply(db)  # re-reads what is pending now that we hold the lock


@contextmanager
def write_transaction(db: Database) -> Iterator[Database]:
    """BEGIN IMMEDIATE ... COMMIT (a savepoint when already inside one).

    IMMEDIATE takes the write lock up front, so a concurrent writer waits on the busy timeout instead of
    failing mid-transaction when a read lock cannot be upgraded. Database errors become StorageError.
    """
    if db.conn.in_transaction:
        with db.atomic():
            yield db
        return
    try:
        db.conn.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as exc:
        raise StorageError(f"the journal is busy or read-only: {exc}") from exc
    try:
        yield db
    except sqlite3.IntegrityError as exc:
        db.rollback()
        raise StorageError(f"refused by the journal: {exc}") from exc
    except sqlite3.OperationalError as exc:
        db.rollback()
        raise StorageError(f"journal write failed: {exc}") from exc
    except BaseException:
        db.rollback()
        raise
    else:
        db.conn.execute("COMMIT")
