"""Line detail from a deterministic re-run: as faithful as tracing the request itself, or saying why not."""

from __future__ import annotations

import contextlib
import json
import secrets
import sqlite3
import uuid

import pytest

from tracer.model.trace import CALL, LINE, RETURN, Trace
from tracer.record import rerun
from tracer.record.recorder import Recorder
from tracer.targets import sample_api as runner

DEMO_IMAGE = "e9d98eb1-4218-4508-ae7d-52f850e0be7c"


def without_times(doc: dict) -> list[list]:
    return [row[:3] + row[4:] for row in doc["events"]]


def test_the_rerun_records_what_tracing_the_request_itself_records():
    spec = runner.RequestSpec("GET", "/servers/detail")
    world = runner.SampleApiWorld()
    with world.fixed():
        direct = Recorder(detail="line").call_wsgi(runner.load_sample_api(), runner.build_environ(spec))[3]
    # the re-run goes through a twin, fresh like the app traced directly: routes compiles its regular expressions
    # at an app's first match, and the values recorded show that state
    app, twin = runner.load_twins()
    doc = rerun.record_by_rerun(app, lambda: runner.build_environ(spec), runner.DEFAULT_INCLUDE, world, twin)

    assert doc["meta"]["line_detail"] == {"by": "rerun", "faithful": True, "differs": None}
    assert without_times(doc) == without_times(direct)
    assert doc["codes"] == direct["codes"]
    assert doc["request"] == direct["request"] and doc["response"] == direct["response"]
    kinds = {row[0] for row in doc["events"]}
    assert LINE in kinds  # line events with their locals, which a call-level run alone never has
    assert Trace.from_dict(doc).find_calls("ViewBuilder.show")


def test_a_write_lands_once_and_the_rerun_sees_the_same_ids_and_clock(tmp_path):
    db_path = str(tmp_path / "nova.sqlite")
    runner.load_sample_api(db_path)
    before = sqlite3.connect(db_path).execute("SELECT COUNT(*) FROM instances").fetchone()[0]
    body = {"server": {"name": "rerun-once", "imageRef": DEMO_IMAGE, "flavorRef": "1"}}
    spec = runner.RequestSpec("POST", "/servers", body=json.dumps(body).encode())

    doc = runner.record_request(spec, db_path=db_path)

    rows = sqlite3.connect(db_path).execute("SELECT uuid FROM instances WHERE display_name = 'rerun-once'").fetchall()
    assert sqlite3.connect(db_path).execute("SELECT COUNT(*) FROM instances").fetchone()[0] == before + 1
    assert doc["response"]["status"] == 202
    assert doc["meta"]["line_detail"]["faithful"] is True
    created = json.loads(doc["response"]["body"])["server"]["id"]
    assert rows == [(created,)]
    described = json.dumps(doc["values"])
    assert created in described  # the re-run made the very uuid the client got


def test_call_and_return_events_take_the_first_runs_times():
    # the re-run's times (10 us apart) are replaced: calls and returns by the request's, lines scaled between
    codes = [["m", "outer", "m.py", 1, "other"], ["m", "inner", "m.py", 5, "other"]]
    doc = {
        "codes": codes,
        "meta": {},
        "events": [[CALL, 0, 1, 10, 0], [LINE, 0, 2, 10, 0], [CALL, 1, 5, 10, 0], [LINE, 1, 6, 10, 0],
                   [RETURN, 1, 6, 10, 0], [RETURN, 0, 3, 10, 0]],
        "response": {},
    }
    timeline = [(CALL, 0, 100), (CALL, 1, 200), (RETURN, 1, 300), (RETURN, 0, 1000)]
    first = _run("200 OK", [], b"same")

    merged = rerun.merge(doc, codes, timeline, 1000, first, ("200 OK", [], b"same"))

    times = [sum(row[3] for row in merged["events"][: index + 1]) for index in range(len(merged["events"]))]
    assert times == [100, 150, 200, 250, 300, 1000]
    assert merged["duration_us"] == 1000
    assert merged["meta"]["line_detail"]["faithful"] is True


class NoWorld:
    """A world with nothing to fix or restore: enough for apps without state of their own."""

    def fixed(self):
        return contextlib.nullcontext()

    def save(self) -> None:
        pass

    def restored(self):
        return contextlib.nullcontext()


COUNTING_APP = '''
calls = []

def first_time():
    return "first"

def again():
    return "again"

def app(environ, start_response):
    calls.append(1)
    word = first_time() if len(calls) == 1 else again()
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [word.encode()]
'''


def test_a_rerun_that_differs_says_so_and_keeps_the_real_response(fake_module):
    module = fake_module("rerunfake", COUNTING_APP)
    environ = runner.build_environ(runner.RequestSpec("GET", "/servers"))

    doc = rerun.record_by_rerun(module.app, lambda: dict(environ), ("rerunfake",), NoWorld())

    detail = doc["meta"]["line_detail"]
    assert detail["faithful"] is False
    assert "status" in detail["differs"] or "body" in detail["differs"]
    assert doc["response"]["body"] == "first"  # what the client got, not the re-run's "again"
    assert [code[1] for code in doc["codes"]] == ["app", "again"]


def test_a_rerun_down_another_path_is_named(fake_module):
    module = fake_module("rerunfake2", COUNTING_APP.replace('return "again"', 'return "first"'))
    environ = runner.build_environ(runner.RequestSpec("GET", "/servers"))

    doc = rerun.record_by_rerun(module.app, lambda: dict(environ), ("rerunfake2",), NoWorld())

    detail = doc["meta"]["line_detail"]
    assert detail["faithful"] is False
    assert detail["differs"] == (
        "the re-run took another path at hop 2: where the request called first_time, it returned from app"
    )


def test_seeded_randomness_repeats_itself_and_puts_the_real_functions_back():
    real = uuid.uuid4, secrets.choice
    with rerun.seeded_randomness(7):
        first = [uuid.uuid4(), secrets.choice("abcdefgh")]
    with rerun.seeded_randomness(7):
        again = [uuid.uuid4(), secrets.choice("abcdefgh")]
    assert first == again and first[0].version == 4
    assert (uuid.uuid4, secrets.choice) == real


def test_seeded_randomness_stays_in_its_thread():
    import threading

    inside = threading.Event()
    done = threading.Event()
    other: list = []

    def beside() -> None:  # a live request while another thread re-runs with seeded ids
        inside.wait(10)
        other.extend(uuid.uuid4() for _ in range(2))
        done.set()

    thread = threading.Thread(target=beside)
    thread.start()
    with rerun.seeded_randomness(7):
        inside.set()
        done.wait(10)
        seeded = [uuid.uuid4(), uuid.uuid4()]
    thread.join()
    with rerun.seeded_randomness(7):
        assert [uuid.uuid4(), uuid.uuid4()] == seeded  # the other thread drew nothing from this generator
    with rerun.seeded_randomness(7):
        assert uuid.uuid4() not in other


def test_a_crash_in_the_request_is_raised_not_rerun(fake_module):
    module = fake_module("rerunfake3", "def app(environ, start_response):\n    raise RuntimeError('down')\n")
    environ = runner.build_environ(runner.RequestSpec("GET", "/servers"))
    with pytest.raises(RuntimeError, match="down"):
        rerun.record_by_rerun(module.app, lambda: dict(environ), ("rerunfake3",), NoWorld())


def _run(status: str, headers: list, body: bytes):
    from tracer.record.recorder import RecordedRun

    return RecordedRun(None, b"", status, headers, body, None)


def test_what_an_app_builds_at_its_first_request_is_built_again_by_its_twin():
    # routes compiles its regular expressions at the first match: the same app, re-run, skips that
    spec = runner.RequestSpec("GET", "/servers/detail")
    include = runner.DEFAULT_INCLUDE + ("routes",)
    environ = lambda: runner.build_environ(spec)  # noqa: E731

    alone = rerun.record_by_rerun(runner.load_sample_api(), environ, include, runner.SampleApiWorld())
    app, twin = runner.load_twins()
    paired = rerun.record_by_rerun(app, environ, include, runner.SampleApiWorld(), twin)

    assert alone["meta"]["line_detail"]["faithful"] is False
    assert "create_regs" in alone["meta"]["line_detail"]["differs"]
    assert paired["meta"]["line_detail"] == {"by": "rerun", "faithful": True, "differs": None}
    assert "Mapper.create_regs" in [code[1] for code in paired["codes"]]
