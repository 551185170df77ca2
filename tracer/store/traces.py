"""The trace store: every request ``tracer serve`` records, kept in one SQLite file.

Engine side (no rich, no Textual). One row per trace: a few summary columns that
``tracer list`` and the picker read without touching the document, and the trace
document itself, zlib-compressed JSON (``trace.dumps``). A request served with
``--detail rerun`` is stored as its *recipe* instead (``tracer.targets.recipes``): the row names
the database snapshot it reads, kept once in ``snapshots``, and its trace is built when
first read (:meth:`TraceStore.get`) or by the server while idle, then takes the recipe's place.

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
import threading
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Protocol

from tracer.model import trace as trace_model
from tracer.model.trace import Trace, TraceError
from tracer.model.trace_checks import MAX_JSON_BYTES
from tracer.store.database import DB_NAME, SUMMARY_COLUMNS, StoreError, immediate, open_database

#: ``hops`` and ``events`` of a request stored as its recipe, until its trace is built
NOT_BUILT = -1
#: Source files are stored once, shared by every trace that shows them, so a trace itself is small.
DEFAULT_MAX_TRACES = 1_000
_DROP_UNREAD_SNAPSHOTS = (
    "DELETE FROM snapshots WHERE NOT EXISTS (SELECT 1 FROM traces WHERE traces.snapshot = snapshots.digest)"
)
#: zlib's fastest level: trace JSON compresses well even so, and a request should not wait on it.
COMPRESS_LEVEL = 1


class Snapshot(Protocol):
    """The database a recipe reads: stored once per ``digest``, however many recipes read it."""

    digest: str
    packed: bytes


class StoredRecipe(Protocol):
    """A served request kept as its recipe (``tracer.targets.recipes.Recipe`` is one)."""

    summary: tuple
    generation: Snapshot

    def encode(self) -> bytes: ...


class RecipeBuilder(Protocol):
    """How a stored recipe becomes a trace. The store does not know the app that was served, so whoever
    does (``tracer.targets.recipes``) hands one over; both methods raise :class:`TraceError` with one line
    for the user when they cannot."""

    def decode(self, blob: bytes) -> dict: ...

    def build(self, recipe: dict, data: bytes) -> dict: ...


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
    #: None while the request is stored as its recipe (its trace not built yet)
    hops: int | None
    events: int | None
    request_id: str | None

    def as_dict(self) -> dict:
        return asdict(self)


def default_store_dir() -> Path:
    """The per-user data folder (``~/.local/share/tracer`` on Linux)."""
    import platformdirs

    return Path(platformdirs.user_data_dir("tracer", appauthor=False))


def summarize(doc: dict) -> tuple:
    """The summary columns of a trace document, in ``SUMMARY_COLUMNS`` order (without the id)."""
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

    def __init__(self, path: str | os.PathLike | None = None, max_traces: int = DEFAULT_MAX_TRACES,
                 builder: RecipeBuilder | None = None) -> None:
        if max_traces < 1:
            raise ValueError("max_traces must be at least 1")
        self.dir = Path(path).expanduser() if path is not None else default_store_dir()
        self.file = self.dir / DB_NAME
        self.max_traces = max_traces
        self._lock = threading.Lock()
        self._known_files: set[str] = set()  # digests this object has seen committed
        #: how :meth:`get` builds a recipe's trace; without one, a recipe's trace cannot be read
        self.builder = builder
        self._conn = open_database(self.dir)

    # -- opening -----------------------------------------------------------------------------------

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
            new_files = self._new_files(encoded)
            with immediate(conn):
                self._add_files(conn, new_files)
                cursor = conn.execute(
                    "INSERT INTO traces (recorded_at, user, project, method, path, status, duration_us, hops,"
                    " events, request_id, doc) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (*encoded.summary, encoded.blob),
                )
                new_id = int(cursor.lastrowid)
                self._prune(conn, new_id)
            self._known_files.update(digest for digest, _ in new_files)
        return new_id

    def add_recipe(self, recipe: StoredRecipe) -> int:
        """Store a served request as its recipe (its trace is built later); returns its id.

        The summary's hop and event counts are not known until the trace is built: they are stored as
        ``NOT_BUILT`` whatever the recipe says.
        """
        blob = recipe.encode()
        summary = (*recipe.summary[:7], NOT_BUILT, NOT_BUILT, *recipe.summary[9:])
        generation = recipe.generation
        with self._locked() as conn, immediate(conn):
            # looked up in the transaction: the snapshot may have gone with the last recipe that read it
            if conn.execute("SELECT 1 FROM snapshots WHERE digest = ?", (generation.digest,)).fetchone() is None:
                conn.execute("INSERT INTO snapshots (digest, data) VALUES (?, ?)",
                             (generation.digest, generation.packed))
            cursor = conn.execute(
                "INSERT INTO traces (recorded_at, user, project, method, path, status, duration_us, hops,"
                " events, request_id, doc, snapshot) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (*summary, blob, generation.digest),
            )
            new_id = int(cursor.lastrowid)
            self._prune(conn, new_id)
        return new_id

    def _new_files(self, encoded: EncodedTrace) -> list[tuple[str, bytes]]:
        """The source files of ``encoded`` this object has not seen committed, compressed (outside any transaction)."""
        return [
            (digest, zlib.compress(text.encode("utf-8"), COMPRESS_LEVEL))
            for digest, text in encoded.files.items()
            if digest not in self._known_files
        ]

    @staticmethod
    def _add_files(conn: sqlite3.Connection, new_files: list[tuple[str, bytes]]) -> None:
        if new_files:
            conn.executemany("INSERT OR IGNORE INTO files (digest, text) VALUES (?, ?)", new_files)

    def _prune(self, conn: sqlite3.Connection, new_id: int) -> None:
        """Drop the traces beyond ``max_traces``, and the snapshots no recipe reads any more."""
        if conn.execute("DELETE FROM traces WHERE id <= ?", (new_id - self.max_traces,)).rowcount:
            conn.execute(_DROP_UNREAD_SNAPSHOTS)

    def complete(self, trace_id: int, encoded: EncodedTrace) -> bool:
        """Put a recipe's trace in its place; False when the row is gone or was completed meanwhile."""
        _at, _user, _project, _method, _path, _status, _duration, hops, events, _rid = encoded.summary
        with self._locked() as conn:
            new_files = self._new_files(encoded)
            with immediate(conn):
                self._add_files(conn, new_files)
                done = conn.execute(
                    "UPDATE traces SET doc = ?, hops = ?, events = ?, snapshot = NULL"
                    " WHERE id = ? AND snapshot IS NOT NULL", (encoded.blob, hops, events, trace_id),
                ).rowcount
                conn.execute(_DROP_UNREAD_SNAPSHOTS)
            self._known_files.update(digest for digest, _ in new_files)
        return bool(done)

    # -- reading -----------------------------------------------------------------------------------

    def list(self, last: int | None = None, after: int | None = None) -> list[TraceSummary]:
        """Stored requests, newest first: the ``last`` newest, or those newer than id ``after``."""
        query = f"SELECT {SUMMARY_COLUMNS} FROM traces"
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
        return [TraceSummary(*row[:8], *(None if n == NOT_BUILT else n for n in row[8:10]), row[10]) for row in rows]

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
        """The trace document stored under ``trace_id`` (built first, and kept, when only its recipe is stored)."""
        tid = parse_id(trace_id)
        with self._locked() as conn:
            blob, snapshot = self._row(conn, tid)
            if snapshot is None:
                return self._trace_doc(conn, tid, blob)
        recipe = self.recipe(tid)
        return self.get(tid) if recipe is None else self.build(tid, *recipe)  # None: built meanwhile

    def _row(self, conn: sqlite3.Connection, tid: int) -> tuple[bytes, str | None]:
        row = conn.execute("SELECT doc, snapshot FROM traces WHERE id = ?", (tid,)).fetchone()
        if row is None:
            raise StoreError(f"no trace {tid} in the store at {self.dir} (tracer list shows the stored ids)")
        return row

    def _trace_doc(self, conn: sqlite3.Connection, tid: int, blob: bytes) -> dict:
        try:
            inflater = zlib.decompressobj()
            text = inflater.decompress(blob, MAX_JSON_BYTES + 1)  # a bomb stops at the limit, unexpanded
            if len(text) > MAX_JSON_BYTES or not inflater.eof:
                raise ValueError("too big or truncated")
            doc = json.loads(text)
            refs = doc.get("files") if isinstance(doc, dict) else None
            if isinstance(refs, dict):
                doc["files"] = {display: self._file_text(conn, digest) for display, digest in refs.items()}
        except (zlib.error, ValueError, UnicodeDecodeError, TypeError, LookupError, RecursionError):
            raise StoreError(f"trace {tid} in the store at {self.dir} is corrupt") from None
        return doc

    def recipe(self, trace_id: int | str) -> tuple[dict, bytes] | None:
        """The recipe stored as ``trace_id`` and the database it reads, checked; None when its trace is stored.

        Quick (no re-run): a face can call it first, and say that building the trace takes a moment.
        """
        tid = parse_id(trace_id)
        with self._locked() as conn:
            blob, snapshot = self._row(conn, tid)
            if snapshot is None:
                return None
            packed = conn.execute("SELECT data FROM snapshots WHERE digest = ?", (snapshot,)).fetchone()
        builder = self._builder(tid)
        try:
            if packed is None:
                raise TraceError("its database snapshot is missing")
            try:
                data = zlib.decompress(packed[0])
            except zlib.error:
                raise TraceError("its database snapshot is corrupt") from None
            return builder.decode(blob), data
        except TraceError as exc:
            raise StoreError(f"trace {tid} in the store at {self.dir} could not be built: {exc}") from None

    def build(self, trace_id: int | str, recipe: dict, data: bytes) -> dict:
        """The trace of the recipe stored as ``trace_id`` (see :meth:`recipe`), made now by re-running it and
        stored in its place."""
        tid = parse_id(trace_id)
        try:
            doc = self._builder(tid).build(recipe, data)
        except TraceError as exc:
            raise StoreError(f"trace {tid} in the store at {self.dir} could not be built: {exc}") from None
        self.complete(tid, encode_doc(doc))
        return doc

    def _builder(self, tid: int) -> RecipeBuilder:
        if self.builder is None:
            raise StoreError(f"trace {tid} in the store at {self.dir} is kept as its recipe, and this store was "
                             "opened without a way to build it")
        return self.builder

    def pending(self, last: int | None = None) -> list[int]:
        """Ids of the requests stored as recipes, whose traces are not built yet, newest first."""
        query = "SELECT id FROM traces WHERE snapshot IS NOT NULL ORDER BY id DESC"
        params: list = []
        if last is not None:
            query += " LIMIT ?"
            params.append(max(0, last))
        with self._locked() as conn:
            return [row[0] for row in conn.execute(query, params)]

    @staticmethod
    def _file_text(conn: sqlite3.Connection, digest: str) -> str:
        row = conn.execute("SELECT text FROM files WHERE digest = ?", (digest,)).fetchone()
        if row is None:
            raise LookupError(digest)
        return zlib.decompress(row[0]).decode("utf-8")

    def load(self, trace_id: int | str) -> Trace:
        """The trace stored under ``trace_id``, validated."""
        return self.validated(trace_id, self.get(trace_id))

    def validated(self, trace_id: int | str, doc: dict) -> Trace:
        """``doc`` (stored as ``trace_id``) as a :class:`Trace`; a document that is no valid trace is a StoreError."""
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
