"""Bad trace files: ``tracer show`` and ``tracer tui`` say one line and exit 2, fast and in bounded memory; the
replay's loader and the store's picker path refuse them the same way.

Each file starts from a real recorded trace and breaks one thing, or is no file at all (a FIFO, a device).
"""

from __future__ import annotations

import gzip
import json
import os
import resource
import sqlite3
import subprocess
import sys
import time
import zlib
from pathlib import Path

import pytest

from tests.hardening.processes import ROOT
from tracer.model.trace import TraceError, load
from tracer.store.traces import DB_NAME, StoreError, TraceStore, encode_doc

TRACER = [sys.executable, "-c", "import sys; from tracer.cli.main import main; sys.exit(main())"]


def broken(change):
    def make(good: dict, folder: Path) -> Path:
        doc = json.loads(json.dumps(good))
        change(doc)
        path = folder / "broken.json"
        path.write_text(json.dumps(doc))
        return path

    return make


def written(name: str, data: bytes):
    def make(good: dict, folder: Path) -> Path:
        path = folder / name
        path.write_bytes(data)
        return path

    return make


def gzip_bomb(good: dict, folder: Path) -> Path:
    """About 1 MB on disk that expands to 1 GB of spaces."""
    path = folder / "bomb.json.gz"
    block = b" " * (1 << 20)
    with gzip.open(path, "wb", compresslevel=9) as fh:
        for _ in range(1024):
            fh.write(block)
    return path


def fifo(good: dict, folder: Path) -> Path:
    path = folder / "pipe.json"
    os.mkfifo(path)  # nobody ever writes to it: reading it would wait for ever
    return path


def device(good: dict, folder: Path) -> Path:
    return Path("/dev/zero")  # endless: reading it would fill the memory


def set_value(*keys: str, value: object):
    def change(doc: dict) -> None:
        target = doc
        for key in keys[:-1]:
            target = target[key]
        target[keys[-1]] = value

    return change


BAD_FILES = {
    "status is text": broken(set_value("response", "status", value="abc")),
    "status out of range": broken(set_value("response", "status", value=10**6)),
    "body is a dict": broken(set_value("request", "body", value={"a": [1]})),
    "headers hold a list": broken(set_value("request", "headers", value={"Accept": ["x"]})),
    "a value row points nowhere": broken(lambda doc: doc["values"].append(["dict", "x", [["k", 10**9]], 0])),
    "a scope row is a number": broken(lambda doc: doc["scopes"].append(7)),
    "an event's line is text": broken(lambda doc: doc["events"][0].__setitem__(2, "ten")),
    "a code row's line is text": broken(lambda doc: doc["codes"][0].__setitem__(3, "ten")),
    "files hold a number": broken(set_value("files", value={"a.py": 3})),
    "meta nested deep": broken(set_value("meta", "x", value=[[[["deep"]]]])),
    "nested 100,000 levels": written("deep.json", b"[" * 100_000 + b"]" * 100_000),
    "a field nested 900 levels": written("field.json", b'{"format": "tracer-trace", "version": 1, "request": '
                                         + b"[" * 900 + b"]" * 900 + b"}"),
    "not JSON": written("text.json", b"hello"),
    "empty": written("empty.json", b""),
    "truncated gzip": written("cut.json.gz", gzip.compress(b'{"format": "tracer-trace"' * 100)[:50]),
    "a gzip bomb": gzip_bomb,
    "a FIFO": fifo,
    "an endless device": device,
}


@pytest.fixture(scope="module")
def good_trace(tmp_path_factory) -> dict:
    path = tmp_path_factory.mktemp("good") / "good.json"
    done = subprocess.run([*TRACER, "run", "GET", "/v2.1/servers", "--save", str(path)], cwd=ROOT,
                          capture_output=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(path.read_text())


#: ``tracer tui`` loads through the same reader as ``show``: a sample of each kind of problem is enough there.
TUI_SAMPLE = ("status is text", "a value row points nowhere", "nested 100,000 levels", "a gzip bomb", "a FIFO")


@pytest.mark.parametrize(("command", "name"), [("show", name) for name in BAD_FILES]
                         + [("tui", name) for name in TUI_SAMPLE])
def test_a_bad_file_is_one_line_and_exit_2(command, name, good_trace, tmp_path):
    path = BAD_FILES[name](good_trace, tmp_path)
    started = time.monotonic()
    done = subprocess.run([*TRACER, command, str(path)], cwd=ROOT, capture_output=True, timeout=30,
                          stdin=subprocess.DEVNULL)
    took = time.monotonic() - started
    err = done.stderr.decode()
    assert done.returncode == 2, err
    assert err.count("\n") == 1 and err.startswith("tracer: error: ") and str(path) in err, err
    assert "Traceback" not in err + done.stdout.decode()
    assert took < 15  # seconds, on a shared machine; a hang would be cut at 30
    # the largest child so far, in KB on Linux: the gzip bomb and /dev/zero must not have been read whole
    assert resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss < 700_000


def test_the_good_file_still_loads(good_trace, tmp_path):
    path = tmp_path / "good.json"
    path.write_text(json.dumps(good_trace))
    assert load(path).status == 200


@pytest.mark.parametrize("name", [name for name in BAD_FILES if name not in ("a FIFO", "an endless device")])
def test_the_replay_loader_refuses_each_bad_file_with_a_trace_error(name, good_trace, tmp_path):
    path = BAD_FILES[name](good_trace, tmp_path)
    with pytest.raises(TraceError) as refused:
        load(path)
    assert "\n" not in str(refused.value)


def test_a_corrupt_stored_trace_is_a_store_error_for_the_picker(good_trace, tmp_path):
    """What ``tracer tui`` without a file (the picker) does on choosing a trace: ``store.load``."""
    store = TraceStore(tmp_path / "store")
    try:
        bad_id = store.add_encoded(encode_doc(good_trace))
        deep_id = store.add_encoded(encode_doc(good_trace))
    finally:
        store.close()
    conn = sqlite3.connect(tmp_path / "store" / DB_NAME)
    with conn:
        (blob,) = conn.execute("SELECT doc FROM traces WHERE id = ?", (bad_id,)).fetchone()
        stored = json.loads(zlib.decompress(blob))
        stored["response"]["status"] = "abc"
        conn.execute("UPDATE traces SET doc = ? WHERE id = ?", (zlib.compress(json.dumps(stored).encode()), bad_id))
        conn.execute("UPDATE traces SET doc = ? WHERE id = ?", (zlib.compress(b"[" * 100_000), deep_id))
    conn.close()
    store = TraceStore(tmp_path / "store")
    try:
        for trace_id in (bad_id, deep_id):
            with pytest.raises(StoreError) as refused:
                store.load(trace_id)
            assert "\n" not in str(refused.value) and f"trace {trace_id}" in str(refused.value)
    finally:
        store.close()
