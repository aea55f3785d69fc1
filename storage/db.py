"""Opening the journal safely: refuse non-SQLite files and other programs' databases, open a journal from a
newer embedscout read-only, WAL + busy timeout, migrations, write transactions.

Kept apart from the record API in `storage.store` so connection policy (how two processes share one file,
what counts as a corrupt database, which schema we may write) lives in one place. One `Database` per
thread: sqlite3's check_same_thread stays on, so a worker thread must call `open_db()` itself.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from storage.errors import DecisionNotFound, StorageError
from storage.migrations import migrations
from storage.paths import db_path
from storage.sqlite_lib import Database

__all__ = ["BUSY_TIMEOUT_S", "SCHEMA_VERSION", "DecisionNotFound", "StorageError", "newer_schema", "open_db",
           "read_only_reason", "write_transaction"]

BUSY_TIMEOUT_S = 10.0
"""How long a writer waits for another process's transaction before giving up with StorageError."""
_SQLITE_HEADER = b"SQLite format 3\x00"

SCHEMA_VERSION = len(migrations._migrations)
"""The journal schema this code writes: its number of migrations, kept in SQLite's `PRAGMA user_version`."""


def open_db(path: str | Path | None = None, *, writable: bool = False) -> Database:
    """The journal at `path` (default `storage.paths.db_path()`), migrated to the latest schema.

    Raises StorageError, without writing a byte, when the file exists but is not an SQLite database or is
    another program's database. A journal written by a newer embedscout (a higher schema version, or
    migrations this code does not know) is opened read-only, never migrated or written: `read_only_reason`
    says why, and every write raises StorageError with that reason; `writable=True` raises it at once.
    """
    try:
        target = Path(path) if path is not None else db_path()
    except StorageError as exc:
        raise StorageError(f"cannot use the journal: {exc}") from None
    _check_file(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StorageError(
            f"cannot create the folder for the journal {target}: {exc.strerror or exc}; pass --db PATH "
            "to use another journal"
        ) from exc
    db = _connect(target)
    try:
        reason = newer_schema(db, target)
        if reason is not None:
            db.close()
            if writable:
                raise StorageError(reason)
            return _connect(target, read_only=True)
        db.enable_wal()
        db.execute("PRAGMA foreign_keys = ON")
        db.execute("PRAGMA synchronous = NORMAL")  # safe with WAL: a crash loses at most the last commit
        _migrate(db)
    except sqlite3.DatabaseError as exc:
        db.close()
        raise StorageError(
            f"{target} is not a usable embedscout journal ({exc}); it was left untouched"
        ) from exc
    return db


def _connect(target: Path, *, read_only: bool = False) -> Database:
    try:
        if read_only:  # mode=ro: SQLite itself refuses every write, whatever code runs later
            conn = sqlite3.connect(f"{target.resolve().as_uri()}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_S)
        else:
            conn = sqlite3.connect(str(target), timeout=BUSY_TIMEOUT_S)
        db = Database(conn)
        db.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
        if read_only:
            db.execute("PRAGMA query_only = ON")
    except sqlite3.Error as exc:
        raise StorageError(f"cannot open the journal {target}: {exc}") from exc
    return db


def newer_schema(db: Database, target: Path | str = "the journal") -> str | None:
    """Why this journal must not be written by this code (it is from a newer embedscout), or None.

    Also raises StorageError for a database that holds tables but no embedscout migrations: another
    program's file, which open_db would otherwise have filled with our tables."""
    version = _user_version(db)
    known = {m.name for m in migrations._migrations}
    applied = [m.name for m in migrations.applied(db)]
    unknown = [name for name in applied if name not in known]
    if not applied and db.table_names():
        others = ", ".join(sorted(t for t in db.table_names() if not t.startswith("sqlite_"))[:3])
        raise StorageError(
            f"{target} is another program's SQLite database (tables: {others}), not an embedscout journal; "
            "it was left untouched. Pass --db PATH to use another journal."
        )
    if version <= SCHEMA_VERSION and not unknown:
        return None
    found = max(version, len(applied))
    extra = f", unknown migrations: {', '.join(unknown[:3])}" if unknown else ""
    return (
        f"{target} was written by a newer embedscout (schema {found}{extra}; this version writes "
        f"{SCHEMA_VERSION}), so it is open read-only and nothing will be written: upgrade embedscout to "
        "change it, or pass --db PATH to use another journal"
    )


def read_only_reason(db: Database) -> str | None:
    """Why writes to this open journal are refused (opened read-only by open_db), or None."""
    if not db.execute("PRAGMA query_only").fetchone()[0]:
        return None
    path = db.execute("PRAGMA database_list").fetchone()[2] or "the journal"
    return newer_schema(db, path) or f"{path} is open read-only"


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
    """Apply pending migrations and record the schema version under one write lock, so two processes
    opening a new file don't race."""
    if not migrations.pending(db) and _user_version(db) >= SCHEMA_VERSION:
        return
    with write_transaction(db):
        migrations.apply(db)  # re-reads what is pending now that we hold the lock
        if _user_version(db) < SCHEMA_VERSION:
            db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


def _user_version(db: Database) -> int:
    return int(db.execute("PRAGMA user_version").fetchone()[0])


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
    reason = read_only_reason(db)
    if reason is not None:
        raise StorageError(reason)
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
