"""The trace store: round trips, bounds, permissions, concurrent writers, crashes and broken files."""

from __future__ import annotations

import os
import signal
import sqlite3
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tests.tracer.nova_fixture import record_doc
from tracer.cli import serve as commands_serve
from tracer.model.trace import Trace, TraceError
from tracer.store.traces import DB_NAME, StoreError, TraceStore, parse_id
from tracer.targets.recipes import InProcessBuilder

ROOT = Path(__file__).resolve().parents[3]

#: A writer process: adds traces forever (or N of them), printing each committed id at once.
WRITER = """
import sys
from tests.tracer.nova_fixture import record_doc
from tracer.store.traces import TraceStore
store = TraceStore(sys.argv[1], max_traces=100_000)
doc = record_doc(sys.argv[3])
n = int(sys.argv[2])
i = 0
while n < 0 or i < n:
    print(store.add(doc), flush=True)
    i += 1
"""


@pytest.fixture(scope="module")
def doc() -> dict:
    return record_doc()


def writer_process(store_dir: Path, count: int, path: str = "/v2.1/servers/detail") -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", WRITER, str(store_dir), str(count), path], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_round_trip_keeps_the_document_and_its_summary(tmp_path, doc):
    with TraceStore(tmp_path / "store", builder=InProcessBuilder()) as store:
        first = store.add(doc)
        second = store.add(record_doc("/v2.1/servers/missing"))
        assert second > first
        assert store.get(first) == doc
        trace = store.load(str(first))
        assert isinstance(trace, Trace)
        assert trace.request_line == "GET /v2.1/servers/detail"
        newest, oldest = store.list()
        assert (newest.id, oldest.id) == (second, first)
        assert oldest.method == "GET" and oldest.path == "/v2.1/servers/detail"
        assert oldest.status == doc["response"]["status"] == 200
        assert (oldest.user, oldest.project) == ("admin", "admin")
        assert oldest.duration_us == doc["duration_us"]
        assert oldest.events == len(doc["events"])
        assert oldest.hops == len(trace.calls)
        assert oldest.recorded_at == doc["meta"]["recorded_at"]
        assert newest.status == 404
        assert [row.id for row in store.list(last=1)] == [second]
        assert [row.id for row in store.list(after=first)] == [second]


def test_source_files_are_stored_once_for_all_traces(tmp_path, doc):
    with TraceStore(tmp_path, builder=InProcessBuilder()) as store:
        for _ in range(5):
            store.add(doc)
    conn = sqlite3.connect(tmp_path / DB_NAME)
    assert conn.execute("SELECT COUNT(*) FROM files").fetchone()[0] == len(doc["files"])
    conn.close()


def test_the_store_keeps_only_the_newest_max_traces(tmp_path, doc):
    with TraceStore(tmp_path, max_traces=5, builder=InProcessBuilder()) as store:
        ids = [store.add(doc) for _ in range(12)]
        assert store.count() == 5
        assert store.ids() == ids[-5:]
        with pytest.raises(StoreError, match=f"no trace {ids[0]} in the store"):
            store.get(ids[0])
    with TraceStore(tmp_path, max_traces=2) as smaller:  # a smaller bound prunes on the next add
        newest = smaller.add(doc)
        assert smaller.ids() == [newest - 1, newest]


def test_files_and_folder_are_readable_by_the_owner_only(tmp_path, doc):
    folder = tmp_path / "new" / "store"
    old_umask = os.umask(0o022)  # a usual umask would leave files world-readable
    try:
        with TraceStore(folder, builder=InProcessBuilder()) as store:
            store.add(doc)
            files = sorted(p.name for p in folder.iterdir())
            assert files == [DB_NAME, DB_NAME + "-shm", DB_NAME + "-wal"]
            for name in files:
                assert stat.S_IMODE((folder / name).stat().st_mode) == 0o600, name
    finally:
        os.umask(old_umask)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700


def test_threads_writing_at_once_lose_nothing(tmp_path, doc):
    shared = TraceStore(tmp_path, builder=InProcessBuilder())
    errors: list[BaseException] = []

    def write(own_connection: bool) -> None:
        try:
            store = TraceStore(tmp_path, builder=InProcessBuilder()) if own_connection else shared
            for _ in range(25):
                store.add(doc)
            if own_connection:
                store.close()
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(i % 2 == 0,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert shared.count() == 200
    assert shared.ids() == list(range(1, 201))
    shared.close()


def test_two_processes_writing_at_once_lose_nothing(tmp_path):
    TraceStore(tmp_path, builder=InProcessBuilder()).close()
    writers = [writer_process(tmp_path, 150, f"/v2.1/servers/p{i}") for i in range(2)]
    outputs = [w.communicate(timeout=120) for w in writers]
    for w, (_out, err) in zip(writers, outputs, strict=True):
        assert w.returncode == 0, err
    written = [sorted(int(line) for line in out.split()) for out, _err in outputs]
    assert len(written[0]) == len(written[1]) == 150
    assert not set(written[0]) & set(written[1])
    with TraceStore(tmp_path, builder=InProcessBuilder()) as store:
        assert store.count() == 300
        paths = {row.id: row.path for row in store.list()}
    for i, ids in enumerate(written):
        assert {paths[tid] for tid in ids} == {f"/v2.1/servers/p{i}"}


def test_kill_9_during_writes_leaves_every_committed_trace_intact(tmp_path):
    TraceStore(tmp_path, builder=InProcessBuilder()).close()
    writer = writer_process(tmp_path, -1)
    committed: list[int] = []
    assert writer.stdout is not None
    deadline = time.monotonic() + 60
    while len(committed) < 150 and time.monotonic() < deadline:
        line = writer.stdout.readline()
        if not line:
            break
        committed.append(int(line))
    os.kill(writer.pid, signal.SIGKILL)  # in the middle of the next add, most likely
    writer.communicate()
    assert writer.returncode == -signal.SIGKILL
    assert len(committed) >= 150
    with TraceStore(tmp_path, builder=InProcessBuilder()) as store:
        conn = sqlite3.connect(store.file)
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        conn.close()
        stored = store.ids()
        assert set(committed) <= set(stored)
        for tid in stored:
            assert store.load(tid).request_line == "GET /v2.1/servers/detail"
        store.add(record_doc())  # still writable


def test_a_corrupt_store_is_one_line(tmp_path):
    (tmp_path / DB_NAME).write_bytes(b"this is not a database" * 200)
    with pytest.raises(StoreError) as info:
        TraceStore(tmp_path, builder=InProcessBuilder())
    message = str(info.value)
    assert "\n" not in message
    assert str(tmp_path / DB_NAME) in message and "corrupt or not a tracer store" in message


def test_a_corrupt_trace_row_is_one_line(tmp_path, doc):
    with TraceStore(tmp_path, builder=InProcessBuilder()) as store:
        tid = store.add(doc)
    conn = sqlite3.connect(tmp_path / DB_NAME)
    conn.execute("UPDATE traces SET doc = ? WHERE id = ?", (b"\x78\x01garbage", tid))
    conn.commit()
    conn.close()
    with TraceStore(tmp_path) as store, pytest.raises(StoreError, match=f"trace {tid} in the store at .* is corrupt"):
        store.get(tid)


def test_unknown_ids_and_bad_ids(tmp_path, doc):
    with TraceStore(tmp_path, builder=InProcessBuilder()) as store:
        store.add(doc)
        with pytest.raises(StoreError, match="no trace 99 in the store"):
            store.load(99)
    with pytest.raises(StoreError, match="is not a trace id"):
        parse_id("abc")
    assert parse_id("#7") == 7
    assert issubclass(StoreError, TraceError)  # faces that report TraceError report store errors too


def test_a_file_in_place_of_the_folder(tmp_path):
    (tmp_path / "x").write_text("hi")
    with pytest.raises(StoreError, match="is not a folder"):
        TraceStore(tmp_path / "x", builder=InProcessBuilder())


def test_resolve_trace_takes_a_file_an_id_or_last(tmp_path, doc):
    from tracer.model.trace import save

    saved = tmp_path / "saved.json"
    save(record_doc("/v2.1/servers/from-file"), saved)
    store_dir = tmp_path / "store"
    with TraceStore(store_dir, builder=InProcessBuilder()) as store:
        first = store.add(doc)
        store.add(record_doc("/v2.1/servers/newest"))
    assert commands_serve.resolve_trace(str(saved)).request_line == "GET /v2.1/servers/from-file"
    assert commands_serve.resolve_trace(str(first), str(store_dir)).request_line == "GET /v2.1/servers/detail"
    assert commands_serve.resolve_trace("last", str(store_dir)).request_line == "GET /v2.1/servers/newest"
    with pytest.raises(StoreError, match="no trace 42"):
        commands_serve.resolve_trace("42", str(store_dir))
    with pytest.raises(StoreError, match="no trace store in"):
        commands_serve.resolve_trace("1", str(tmp_path / "nowhere"))
    assert not (tmp_path / "nowhere").exists()  # looking does not create a store
    with pytest.raises(TraceError, match="no such trace file"):
        commands_serve.resolve_trace(str(tmp_path / "missing.json"), str(store_dir))


# -- recipes (tracer serve --detail rerun) ----------------------------------------------------------


@pytest.fixture(scope="module")
def served():
    """Two recipes of the real sample_api: GET /servers/detail, then GET /flavors after a write."""
    from sample_api import context, db
    from tracer.targets.recipes import RecipeRecorder, code_digests
    from tracer.targets.sample_api import RequestSpec, build_environ, load_sample_api

    app = load_sample_api()
    got: list = []
    recorder = RecipeRecorder(app, None, got.append, code=code_digests(("sample_api",)))
    b"".join(recorder(build_environ(RequestSpec("GET", "/servers/detail")), lambda *_: None))
    admin = context.RequestContext("admin", "admin", is_admin=True)
    db.instance_destroy(admin, db.instance_get_all_by_filters(admin, {})[0]["uuid"])
    b"".join(recorder(build_environ(RequestSpec("GET", "/flavors")), lambda *_: None))
    return got


def test_a_recipe_is_listed_at_once_and_becomes_its_trace_when_first_read(tmp_path, served):
    with TraceStore(tmp_path, builder=InProcessBuilder()) as store:
        first, second = (store.add_recipe(recipe) for recipe in served)
        rows = {row.id: row for row in store.list()}
        assert rows[first].path == "/v2.1/servers/detail" and rows[first].status == 200
        assert rows[first].hops is None and rows[first].events is None  # not built yet
        assert store.pending() == [second, first]
        assert snapshot_count(store) == 2  # a write came between them: two versions of the data
        trace = store.load(first)
        assert trace.find_calls("ViewBuilder.show") and trace.meta["line_detail"]["faithful"] is True
        assert store.pending() == [second]
        assert store.list()[1].hops == len(trace.calls) > 10
        assert snapshot_count(store) == 1  # no recipe reads the first one any more
        assert store.get(first) == trace.doc  # stored in its place: the same document from now on


def test_a_store_opened_without_a_builder_reads_traces_and_says_why_it_cannot_build_a_recipe(tmp_path, served, doc):
    with TraceStore(tmp_path) as store:
        recipe_id = store.add_recipe(served[0])
        trace_id = store.add(doc)
        assert store.load(trace_id).doc["request"] == doc["request"]
        with pytest.raises(StoreError, match=f"trace {recipe_id} .* kept as its recipe, and this store was opened "
                                             "without a way to build it"):
            store.load(recipe_id)


def snapshot_count(store: TraceStore) -> int:
    conn = sqlite3.connect(store.file)
    try:
        return conn.execute("SELECT COUNT(*) FROM snapshots").fetchone()[0]
    finally:
        conn.close()


def test_pruning_drops_the_snapshots_no_recipe_reads(tmp_path, served, doc):
    with TraceStore(tmp_path, max_traces=2, builder=InProcessBuilder()) as store:
        store.add_recipe(served[0])
        store.add_recipe(served[0])
        store.add(doc)
        store.add(doc)  # both recipes are gone now
        assert store.pending() == [] and snapshot_count(store) == 0


def test_a_recipe_whose_snapshot_is_lost_is_one_line(tmp_path, served):
    with TraceStore(tmp_path, builder=InProcessBuilder()) as store:
        tid = store.add_recipe(served[0])
        conn = sqlite3.connect(store.file)
        with conn:
            conn.execute("DELETE FROM snapshots")
        conn.close()
        with pytest.raises(StoreError, match=f"trace {tid} in the store at .* could not be built: its database "
                                             "snapshot is missing"):
            store.load(tid)
        assert store.pending() == [tid]  # nothing lost: still there to be looked at


def test_a_version_1_store_is_upgraded_in_place_and_keeps_its_traces(tmp_path, doc):
    with TraceStore(tmp_path, builder=InProcessBuilder()) as store:
        tid = store.add(doc)
    conn = sqlite3.connect(tmp_path / DB_NAME)
    with conn:  # back to how version 1 made it
        conn.execute("DROP INDEX traces_by_snapshot")
        conn.execute("DROP TABLE snapshots")
        conn.execute("ALTER TABLE traces DROP COLUMN snapshot")
        conn.execute("PRAGMA user_version = 1")
    conn.close()
    with TraceStore(tmp_path, builder=InProcessBuilder()) as store:
        assert store.get(tid) == doc and store.pending() == []
        assert sqlite3.connect(store.file).execute("PRAGMA user_version").fetchone()[0] == 2


def test_a_recipe_after_the_last_one_was_built_stores_its_snapshot_again(tmp_path, served):
    """Building the last recipe that read a snapshot drops it; the next request on the same data needs it."""
    with TraceStore(tmp_path, builder=InProcessBuilder()) as store:
        first = store.add_recipe(served[1])
        store.load(first)
        assert snapshot_count(store) == 0
        again = store.add_recipe(served[1])  # the same version of the data, the same digest
        assert snapshot_count(store) == 1
        assert store.load(again).meta["line_detail"]["faithful"] is True
