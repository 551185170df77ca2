"""Loading and validating trace files: every broken file is one clear TraceError."""

from __future__ import annotations

import copy
import gzip
import json

import pytest

from tracer.model import trace as trace_model
from tracer.model.trace import CALL, LINE, RETURN, Trace, TraceError


def tiny_doc() -> dict:
    """A hand-made two-frame trace: f calls g on line 2, g returns 42."""
    return {
        "format": "tracer-trace",
        "version": 1,
        "meta": {},
        "request": {"method": "GET", "path": "/v2.1/x", "headers": {}, "body": None},
        "response": {"status": 200, "reason": "OK", "headers": {}, "body": "{}"},
        "duration_us": 30,
        "files": {"m.py": "def f():\n    return g()\n\ndef g():\n    return 42\n"},
        "codes": [["m", "f", "m.py", 1, "controller"], ["m", "g", "m.py", 4, "view"]],
        "values": [["int", "42"]],
        "scopes": [[]],
        "events": [
            [CALL, 0, 1, 0, 0],
            [LINE, 0, 2, 1, 0],
            [CALL, 1, 4, 5, 0],
            [LINE, 1, 5, 1, 0],
            [RETURN, 1, 5, 2, 0],
            [RETURN, 0, 2, 3, 0],
        ],
    }


def test_indexes_of_a_valid_trace():
    trace = Trace.from_dict(tiny_doc())
    assert trace.calls == [0, 2]
    assert trace.parent == {0: -1, 2: 0}
    assert trace.end_of == {0: 5, 2: 4}
    assert trace.times == [0, 1, 6, 7, 9, 12]
    assert trace.stack(3) == [0, 2]
    assert trace.line_at(3, 0) == 2  # f waits on the line that called g
    assert trace.outcome(2).kind == "returned" and trace.outcome(2).value.summary == "42"
    assert trace.duration_of(2) == 3
    assert trace.source_lines("m.py")[4] == "    return 42"


@pytest.mark.parametrize(
    "mutate, message",
    [
        (lambda d: d.update(format="other"), "not a tracer trace"),
        (lambda d: d.update(version=99), "unsupported trace version 99"),
        (lambda d: d.pop("events"), "field 'events'"),
        (lambda d: d["events"].append([9, 0, 1, 0]), "kind 9"),
        (lambda d: d["events"].append([CALL, 7, 1, 0]), "code 7"),
        (lambda d: d["events"].insert(0, [LINE, 0, 1, 0, 0]), "outside any call"),
        (lambda d: d["events"][1].__setitem__(4, 12), "missing data 12"),
        (lambda d: d["codes"].append(["only", "two"]), "code row"),
    ],
)
def test_corrupt_documents_are_refused_with_one_line(mutate, message):
    doc = copy.deepcopy(tiny_doc())
    mutate(doc)
    with pytest.raises(TraceError) as info:
        Trace.from_dict(doc)
    assert message in str(info.value)
    assert "\n" not in str(info.value)


def test_save_and_load_round_trip_plain_and_gzip(tmp_path):
    doc = tiny_doc()
    for name in ("t.json", "t.json.gz"):
        path = tmp_path / name
        size = trace_model.save(doc, path)
        assert size == path.stat().st_size
        assert trace_model.load(path).doc == doc
    assert (tmp_path / "t.json.gz").read_bytes()[:2] == b"\x1f\x8b"


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "empty"),
        (b"not json at all", "invalid JSON"),
        (json.dumps(tiny_doc()).encode()[:-40], "invalid JSON"),
        (gzip.compress(json.dumps(tiny_doc()).encode())[:-10], "truncated or corrupt"),
        (b"[1, 2, 3]", "top level is not a JSON object"),
    ],
)
def test_broken_files_are_reported(tmp_path, content, message):
    path = tmp_path / "broken.json"
    path.write_bytes(content)
    with pytest.raises(TraceError) as info:
        trace_model.load(path)
    assert message in str(info.value)
    assert str(path) in str(info.value)


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(TraceError, match="no such trace file"):
        trace_model.load(tmp_path / "nope.json")
    with pytest.raises(TraceError, match="is a directory"):
        trace_model.load(tmp_path)


def test_loading_pauses_the_garbage_collector_and_gives_it_back(tmp_path, monkeypatch):
    """Parsing and indexing run without cyclic collections; the collector is on again afterwards, even
    when the file is bad; a big file's objects are frozen out of later collections."""
    import gc

    good, bad = tmp_path / "good.json", tmp_path / "bad.json"
    trace_model.save(tiny_doc(), good)
    bad.write_text('{"format": "tracer-trace", "version": 1, "events": [')
    seen = []
    real_loads = trace_model.json.loads
    monkeypatch.setattr(trace_model.json, "loads", lambda raw: (seen.append(gc.isenabled()), real_loads(raw))[1])
    assert trace_model.load(good).doc == tiny_doc()
    with pytest.raises(trace_model.TraceError):
        trace_model.load(bad)
    assert seen == [False, False] and gc.isenabled()
    frozen = gc.get_freeze_count()
    monkeypatch.setattr(trace_model, "BIG_TRACE_BYTES", 1)
    try:
        trace_model.load(good)
        assert gc.get_freeze_count() > frozen and gc.isenabled()
    finally:
        gc.unfreeze()
