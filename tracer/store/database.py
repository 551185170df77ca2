"""The trace store's SQLite file: creating it owner-only, opening it in WAL mode, upgrading older versions.

The one job :class:`tracer.store.traces.TraceStore` leaves to this module; the rows themselves are the store's.
"""

from __future__ import annotations

import os
import sqlite3
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tracer.model.trace import TraceError

DB_NAME = "traces.sqlite3"
SCHEMA_VERSION = 2
#: How long a writer waits for another writer's lock before giving up (ms).
BUSY_TIMEOUT_MS = 10_000
#: The columns ``tracer list`` reads (the store's ``TraceSummary``), checked at opening
SUMMARY_COLUMNS = "id, recorded_at, user, project, method, path, status, duration_us, hops, events, request_id"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS traces (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    recorded_at TEXT    NOT NULL,
    user        TEXT,
    project     TEXT,
    method      TEXT    NOT NULL,
    path        TEXT    NOT NULL,
    status      INTEGER NOT NULL,
    duration_us INTEGER NOT NULL,
    hops        INTEGER NOT NULL,
    events      INTEGER NOT NULL,
    request_id  TEXT,
    doc         BLOB    NOT NULL,
    snapshot    TEXT
);
CREATE TABLE IF NOT EXISTS files (
    digest TEXT PRIMARY KEY,
    text   BLOB NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS snapshots (
    digest TEXT PRIMARY KEY,
    data   BLOB NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS traces_by_snapshot ON traces (snapshot) WHERE snapshot IS NOT NULL;
"""
#: Version 1 had no recipes (``tracer.targets.recipes``): a row's ``doc`` was always a trace.
_FROM_VERSION_1 = """
ALTER TABLE traces ADD COLUMN snapshot TEXT;
CREATE TABLE IF NOT EXISTS snapshots (
    digest TEXT PRIMARY KEY,
    data   BLOB NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS traces_by_snapshot ON traces (snapshot) WHERE snapshot IS NOT NULL;
"""
#: the script that brings a file of each older version (0: a new file) to SCHEMA_VERSION
_UPGRADES = {0: _SCHEMA, 1: _FROM_VERSION_1}

class StoreError(TraceError):
    """The store cannot be used, or has no such trace; the message is one line for the user.

    A :class:`TraceError` so that faces which already report bad trace files report this too.
    """


def open_database(folder: Path) -> sqlite3.Connection:
    """The store file in ``folder``, created owner-only if new, upgraded if older; StoreError when unusable."""
    file = folder / DB_NAME
    if folder.exists() and not folder.is_dir():
        raise StoreError(f"{folder}: is not a folder (--store takes the folder that holds {DB_NAME})")
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        # Create the file ourselves so that it is owner-only from its first byte; SQLite gives
        # its -wal and -shm files the same mode as the database file.
        fd = os.open(file, os.O_RDWR | os.O_CREAT, 0o600)
        os.close(fd)
    except OSError as exc:
        raise StoreError(f"{file}: cannot create the trace store ({exc.strerror})") from None
    try:
        conn = sqlite3.connect(file, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None,
                               check_same_thread=False)
    except sqlite3.Error as exc:
        raise StoreError(f"{file}: cannot open the trace store ({exc})") from None
    try:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if mode.lower() != "wal":
            raise StoreError(f"{file}: the trace store cannot use WAL mode (got {mode!r})")
        conn.execute("PRAGMA synchronous = NORMAL")
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version in _UPGRADES:
            _upgrade(conn)
        elif version != SCHEMA_VERSION:
            raise StoreError(f"{file}: trace store version {version} (this tracer reads version "
                             f"{SCHEMA_VERSION})")
        conn.execute(f"SELECT {SUMMARY_COLUMNS}, snapshot FROM traces LIMIT 0")
    except StoreError:
        conn.close()
        raise
    except sqlite3.Error as exc:
        conn.close()
        raise StoreError(f"{file}: the trace store is corrupt or not a tracer store ({exc})") from None
    _restrict(file)
    return conn


@contextmanager
def immediate(conn: sqlite3.Connection) -> Iterator[None]:
    """One ``BEGIN IMMEDIATE`` transaction (the write lock taken at once): committed, or rolled back on error."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise


def _upgrade(conn: sqlite3.Connection) -> None:
    """Bring the file to the current version in one transaction, as another process may be opening it too."""
    with immediate(conn):
        version = conn.execute("PRAGMA user_version").fetchone()[0]  # again: that other process may have done it
        if version in _UPGRADES:
            for statement in _UPGRADES[version].split(";"):
                if statement.strip():
                    conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


def _restrict(file: Path) -> None:
    """Owner-only modes on the database and its WAL companions (they hold request bodies)."""
    for candidate in (file, file.with_name(file.name + "-wal"), file.with_name(file.name + "-shm")):
        try:
            if stat.S_IMODE(candidate.stat().st_mode) & 0o077:
                candidate.chmod(0o600)
        except FileNotFoundError:
            pass
        except OSError:
            pass  # not ours to change (a shared store): the folder's 0700 still guards it
