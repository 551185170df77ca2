"""The trace store: every request ``tracer serve`` records, kept in one SQLite file.

Engine side (no rich, no Textual). One row per trace: a few summary columns that
``tracer list`` and the picker read without touching the document, and the trace
document itself, zlib-compressed JSON (``trace.dumps``).

Why SQLite: concurrent writers (server threads, a second ``tracer serve``, ``tracer
list`` reading meanwhile) and crash-safety come with it. WAL mode lets readers run
while one writer commits; each trace is one short ``BEGIN IMMEDIATE`` transaction
(insert, then prune beyond ``max_traces``), so a ``kill -9`` at any moment leaves every
committed trace intact and the file openable. ``synchronous=NORMAL`` in WAL mode is
durable against a process crash; only an OS crash or power loss may drop the last few
commits (never corrupting the file), a fair price for not paying an fsync per request.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import stat
import threading
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

from tracer import trace as trace_model
from tracer.trace import Trace, TraceError

DB_NAME = "traces.sqlite3"
#: About 25-60 KB per trace on disk (its source files are stored once, shared by every trace).
DEFAULT_MAX_TRACES = 1_000
SCHEMA_VERSION = 1
#: How long a writer waits for another writer's lock before giving up (ms).
BUSY_TIMEOUT_MS = 10_000
#: zlib level 1: a third faster than 6 on trace JSON for ~15% more bytes.
COMPRESS_LEVEL = 1

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
    doc         BLOB    NOT NULL
);
CREATE TABLE IF NOT EXISTS files (
    digest TEXT PRIMARY KEY,
    text   BLOB NOT NULL
) WITHOUT ROWID;
"""
_SUMMARY_COLUMNS = "id, recorded_at, user, project, method, path, status, duration_us, hops, events, request_id"


class StoreError(TraceError):
    """The store cannot be used, or has no such trace; the message is one line for the user.

    A :class:`TraceError` so that faces which already report bad trace files report this too.
    """


@dataclass(frozen=True)
class TraceSummary:
    """One stored request as ``tracer list`` and the picker show it."""

    id: int
    recorded_at: str
    user: str | None
    project: str | None
    method: str
    path: str
    status: int
    duration_us: int
    hops: int
    events: int
    request_id: str | None

    def as_dict(self) -> dict:
        return asdict(self)


def default_store_dir() -> Path:
    """The per-user data folder (``~/.local/share/tracer`` on Linux)."""
    import platformdirs

    return Path(platformdirs.user_data_dir("tracer", appauthor=False))


def summarize(doc: dict) -> tuple:
    """The summary columns of a trace document, in ``_SUMMARY_COLUMNS`` order (without the id)."""
    request = doc.get("request") or {}
    response = doc.get("response") or {}
    meta = doc.get("meta") or {}
    events = doc.get("events") or []
    return (
        str(meta.get("recorded_at") or ""),
        request.get("user_id"),
        request.get("project_id"),
        str(request.get("method") or "?"),
        str(request.get("path") or "?"),
        int(response.get("status") or 0),
        int(doc.get("duration_us") or 0),
        sum(1 for row in events if row and row[0] == trace_model.CALL),
        len(events),
        meta.get("request_id"),
    )


@dataclass(frozen=True)
class EncodedTrace:
    """A document ready to insert: its summary, the compressed JSON, and its source files by digest.

    The source of every recorded file is most of a trace's bytes and the same in every trace, so the
    document keeps ``files`` as ``{display path: digest}`` and each text is stored once.
    """

    summary: tuple
    blob: bytes
    files: dict[str, str]  # digest -> text


def encode_doc(doc: dict) -> EncodedTrace:
    """The stored form of a document (done outside the transaction: it is the slow part)."""
    texts = {}
    refs = {}
    for display, text in (doc.get("files") or {}).items():
        digest = hashlib.sha1(text.encode("utf-8")).hexdigest()
        texts[digest] = text
        refs[display] = digest
    slim = dict(doc, files=refs)
    blob = zlib.compress(trace_model.dumps(slim).encode("utf-8"), COMPRESS_LEVEL)
    return EncodedTrace(summarize(doc), blob, texts)


class TraceStore:
    """A folder holding ``traces.sqlite3``; safe to share between threads and processes.

    One connection per store object, guarded by a lock (SQLite serialises writers anyway);
    other processes open their own store object and wait on SQLite's busy timeout.
    """

    def __init__(self, path: str | os.PathLike | None = None, max_traces: int = DEFAULT_MAX_TRACES) -> None:
        if max_traces < 1:
            raise ValueError("max_traces must be at least 1")
        self.dir = Path(path).expanduser() if path is not None else default_store_dir()
        self.file = self.dir / DB_NAME
        self.max_traces = max_traces
        self._lock = threading.Lock()
        self._known_files: set[str] = set()  # digests this object has seen committed
        self._conn = self._open()

    # -- opening -----------------------------------------------------------------------------------

    def _open(self) -> sqlite3.Connection:
        if self.dir.exists() and not self.dir.is_dir():
            raise StoreError(f"{self.dir}: is not a folder (--store takes the folder that holds {DB_NAME})")
        try:
            self.dir.mkdir(mode=0o700, parents=True, exist_ok=True)
            # Create the file ourselves so that it is owner-only from its first byte; SQLite gives
            # its -wal and -shm files the same mode as the database file.
            fd = os.open(self.file, os.O_RDWR | os.O_CREAT, 0o600)
            os.close(fd)
        except OSError as exc:
            raise StoreError(f"{self.file}: cannot create the trace store ({exc.strerror})") from None
        try:
            conn = sqlite3.connect(self.file, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None,
                                   check_same_thread=False)
        except sqlite3.Error as exc:
            raise StoreError(f"{self.file}: cannot open the trace store ({exc})") from None
        try:
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if mode.lower() != "wal":
                raise StoreError(f"{self.file}: the trace store cannot use WAL mode (got {mode!r})")
            conn.execute("PRAGMA synchronous = NORMAL")
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version == 0:
                conn.execute("BEGIN IMMEDIATE")
                try:
                    for statement in _SCHEMA.split(";"):
                        if statement.strip():
                            conn.execute(statement)
                    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
                    conn.execute("COMMIT")
                except BaseException:
                    conn.execute("ROLLBACK")
                    raise
            elif version != SCHEMA_VERSION:
                raise StoreError(f"{self.file}: trace store version {version} (this tracer reads version "
                                 f"{SCHEMA_VERSION})")
            conn.execute(f"SELECT {_SUMMARY_COLUMNS} FROM traces LIMIT 0")
        except StoreError:
            conn.close()
            raise
        except sqlite3.Error as exc:
            conn.close()
            raise StoreError(f"{self.file}: the trace store is corrupt or not a tracer store ({exc})") from None
        _restrict(self.file)
        return conn

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def __enter__(self) -> TraceStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _locked(self) -> Iterator[sqlite3.Connection]:
        """The connection, held for one operation; SQLite errors become one-line StoreErrors."""
        with self._lock:
            try:
                yield self._conn
            except sqlite3.Error as exc:
                raise StoreError(f"{self.file}: trace store error ({exc})") from None

    # -- writing -----------------------------------------------------------------------------------

    def add(self, doc: dict) -> int:
        """Store one trace document; returns its id. Prunes the oldest beyond ``max_traces``."""
        return self.add_encoded(encode_doc(doc))

    def add_encoded(self, encoded: EncodedTrace) -> int:
        """Store what ``encode_doc`` made, in one short transaction (trace, new source files, pruning)."""
        with self._locked() as conn:
            new_files = [
                (digest, zlib.compress(text.encode("utf-8"), COMPRESS_LEVEL))
                for digest, text in encoded.files.items()
                if digest not in self._known_files
            ]
            conn.execute("BEGIN IMMEDIATE")
            try:
                if new_files:
                    conn.executemany("INSERT OR IGNORE INTO files (digest, text) VALUES (?, ?)", new_files)
                cursor = conn.execute(
                    "INSERT INTO traces (recorded_at, user, project, method, path, status, duration_us, hops,"
                    " events, request_id, doc) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (*encoded.summary, encoded.blob),
                )
                new_id = int(cursor.lastrowid)
                conn.execute("DELETE FROM traces WHERE id <= ?", (new_id - self.max_traces,))
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
            self._known_files.update(digest for digest, _ in new_files)
        return new_id

    # -- reading -----------------------------------------------------------------------------------

    def list(self, last: int | None = None, after: int | None = None) -> list[TraceSummary]:
        """Stored requests, newest first: the ``last`` newest, or those newer than id ``after``."""
        query = f"SELECT {_SUMMARY_COLUMNS} FROM traces"
        params: list = []
        if after is not None:
            query += " WHERE id > ?"
            params.append(after)
        query += " ORDER BY id DESC"
        if last is not None:
            query += " LIMIT ?"
            params.append(max(0, last))
        with self._locked() as conn:
            rows = conn.execute(query, params).fetchall()
        return [TraceSummary(*row) for row in rows]

    def count(self) -> int:
        with self._locked() as conn:
            return int(conn.execute("SELECT COUNT(*) FROM traces").fetchone()[0])

    def ids(self) -> list[int]:
        """Every stored id, oldest first."""
        with self._locked() as conn:
            return [row[0] for row in conn.execute("SELECT id FROM traces ORDER BY id")]

    def oldest_id(self) -> int | None:
        with self._locked() as conn:
            row = conn.execute("SELECT MIN(id) FROM traces").fetchone()
        return row[0] if row else None

    def latest_id(self) -> int | None:
        with self._locked() as conn:
            row = conn.execute("SELECT MAX(id) FROM traces").fetchone()
        return row[0] if row else None

    def get(self, trace_id: int | str) -> dict:
        """The trace document stored under ``trace_id``."""
        tid = parse_id(trace_id)
        with self._locked() as conn:
            row = conn.execute("SELECT doc FROM traces WHERE id = ?", (tid,)).fetchone()
            if row is None:
                raise StoreError(f"no trace {tid} in the store at {self.dir} (tracer list shows the stored ids)")
            try:
                doc = json.loads(zlib.decompress(row[0]))
                refs = doc.get("files") if isinstance(doc, dict) else None
                if isinstance(refs, dict):
                    doc["files"] = {display: self._file_text(conn, digest) for display, digest in refs.items()}
            except (zlib.error, ValueError, UnicodeDecodeError, TypeError, LookupError):
                raise StoreError(f"trace {tid} in the store at {self.dir} is corrupt") from None
        return doc

    @staticmethod
    def _file_text(conn: sqlite3.Connection, digest: str) -> str:
        row = conn.execute("SELECT text FROM files WHERE digest = ?", (digest,)).fetchone()
        if row is None:
            raise LookupError(digest)
        return zlib.decompress(row[0]).decode("utf-8")

    def load(self, trace_id: int | str) -> Trace:
        """The trace stored under ``trace_id``, validated."""
        doc = self.get(trace_id)
        try:
            return Trace.from_dict(doc)
        except TraceError as exc:
            raise StoreError(f"trace {parse_id(trace_id)} in the store at {self.dir}: {exc}") from None


def parse_id(ref: int | str) -> int:
    """``42`` or ``"42"`` (or ``"#42"``) as a trace id."""
    if isinstance(ref, int):
        return ref
    text = ref.strip().lstrip("#")
    if not text.isdigit():
        raise StoreError(f"{ref!r} is not a trace id (ids are numbers, as tracer list shows them)")
    return int(text)


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
