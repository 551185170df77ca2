"""A line-level session: the locals of the frames waiting on a call, kept exact without signing them at every line."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tracer.model.trace import LINE, RETURN, Trace
from tracer.record import frame_states as frame_states_module
from tracer.record import session as session_module
from tracer.record.frame_states import FrameStates
from tracer.record.recorder import Recorder
from tracer.record.session import Session
from tracer.targets import sample_api
from tracer.targets.sample_api import RequestSpec, build_environ

SOURCE = '''
def outer():
    box = {"items": []}
    unrelated = {"untouched": [1, 2]}
    fill(box["items"])
    fill(box["items"])
    return box, unrelated


def fill(items):
    items.append(len(items))
    return len(items)
'''


def record_outer(module) -> Trace:
    """The trace of ``module.outer()``, every line of the module recorded."""
    session = Recorder(include=(module.__name__,)).start()
    try:
        module.outer()
    finally:
        Recorder.stop(session.recorder, session)
    return Trace.from_dict(session.finish({}, b"", "200 OK", [], b""))


def test_a_change_the_callee_makes_to_a_list_the_waiting_caller_holds_shows_at_once(fake_module):
    trace = record_outer(fake_module("tracer_waiting", SOURCE))
    outer = trace.find_calls("outer")[0]
    for number, fill in enumerate(trace.find_calls("fill"), start=1):
        events = trace.own_events(fill)
        returned = next(e for e in events if trace.kinds[e] == RETURN)
        before = next(e for e in events if trace.kinds[e] == LINE)
        box = dict(trace.locals_at(returned, outer))["box"]
        items = dict(box.children)["items"]
        assert len(items.children) == number  # the item the callee appended, at the callee's return
        box_before = dict(trace.locals_at(before, outer))["box"]
        assert len(dict(box_before.children)["items"].children) == number - 1


def _recorded(app, spec: RequestSpec) -> dict:
    """``spec`` recorded line by line in a world fixed the same way each time (clock, ids, the database)."""
    world = sample_api.SampleApiWorld(datetime(2026, 1, 2, tzinfo=UTC), seed=7)
    world.save()
    with world.restored(), world.fixed():
        return Recorder(detail="line").call_wsgi(app, build_environ(spec))[3]


def _without_times(doc: dict) -> tuple:
    """The document without what differs from run to run however fixed the world: the time each event took,
    and the floats read from the process's own clock (a timer of the request's log line)."""
    values = [["float"] if row[0] == "float" else row for row in doc["values"]]
    return [row[:3] + row[4:] for row in doc["events"]], doc["scopes"], values, doc["codes"], doc["response"]


@pytest.mark.parametrize("spec", [
    RequestSpec("GET", "/servers/detail"),
    RequestSpec("POST", "/servers", body=b'{"server": {"name": "new", "flavorRef": "1", "imageRef": "img-1"}}'),
])
def test_the_trace_is_the_one_signing_every_waiting_frame_again_gives(spec, monkeypatch):
    """Every event, every scope and every value as when each waiting frame that shares an object with the
    running one is signed again at every event (what the session did before it could tell it need not)."""
    app, _twin = sample_api.load_twins()
    _recorded(app, spec)  # what the first request of a kind builds once (routes' patterns) is built here
    quick = _recorded(app, spec)
    with monkeypatch.context() as patched:
        patched.setattr(FrameStates, "noted_as", lambda self, frame, known: False)
        every_time = _recorded(app, spec)
    assert len(quick["events"]) > 500
    assert any(len(row) > 5 for row in quick["events"])  # waiting frames' locals did change on the way
    assert _without_times(quick) == _without_times(every_time)


@pytest.mark.parametrize("spec", [
    RequestSpec("GET", "/servers/detail"),
    RequestSpec("POST", "/servers", body=b'{"server": {"name": "new", "flavorRef": "1", "imageRef": "img-1"}}'),
])
def test_the_trace_is_the_one_walking_every_local_again_at_every_event_gives(spec, monkeypatch):
    """Every event, every scope and every value as when the signature of each local is made again by walking
    it at every event, and each waiting frame's locals are read again whatever its code (what the session did
    before it kept the state of values found unchanged, and before it trusted a frame without cells)."""
    app, _twin = sample_api.load_twins()
    _recorded(app, spec)
    kept: list[int] = []
    real_keep = Session._keep_states

    def counting_keep(self, signature):
        kept.append(1)
        real_keep(self, signature)

    with monkeypatch.context() as patched:
        patched.setattr(Session, "_keep_states", counting_keep)
        quick = _recorded(app, spec)
    with monkeypatch.context() as patched:
        patched.setattr(Session, "_still_holds", lambda self, signature: False)
        patched.setattr(session_module, "rebinds_while_waiting", lambda code: True)
        patched.setattr(frame_states_module, "rebinds_while_waiting", lambda code: True)
        every_time = _recorded(app, spec)
    assert kept  # values were found unchanged, and their states kept for the next events
    assert len(quick["events"]) > 500
    assert _without_times(quick) == _without_times(every_time)


CLOSURE_SOURCE = '''
def outer():
    count = 0
    box = {"items": []}

    def bump():
        nonlocal count
        count += 1
        return box  # shared with outer, unchanged: only the name count is bound to another object

    for _ in range(3):
        bump()
    return count, box
'''


def test_a_local_a_closure_rebinds_while_its_frame_waits_shows_at_the_closures_next_event(fake_module):
    trace = record_outer(fake_module("tracer_cells", CLOSURE_SOURCE))
    outer = trace.find_calls("outer")[0]
    for number, bump in enumerate(trace.find_calls("bump"), start=1):
        returned = next(e for e in trace.own_events(bump) if trace.kinds[e] == RETURN)
        count = dict(trace.locals_at(returned, outer))["count"]
        assert count.summary == str(number)  # bound by the closure while outer waited on it


COUNTER_SOURCE = '''
def outer():
    count = 0

    def bump():
        nonlocal count
        count += 1
        return None

    for _ in range(3):
        bump()
    return count
'''


def test_a_plain_value_a_closure_rebinds_shows_in_the_waiting_frame_at_the_closures_next_line(fake_module):
    """The closure holds nothing the waiting frame holds but the cell: the new count shows all the same,
    at the closure's very next event, as pdb's ``up`` then ``p count`` would show it there."""
    trace = record_outer(fake_module("tracer_counter", COUNTER_SOURCE))
    outer = trace.find_calls("outer")[0]
    bumps = trace.find_calls("bump")
    assert len(bumps) == 3
    for number, bump in enumerate(bumps, start=1):
        lines = [e for e in trace.own_events(bump) if trace.kinds[e] == LINE]
        assert dict(trace.locals_at(lines[0], outer))["count"].summary == str(number - 1)  # before count += 1
        assert dict(trace.locals_at(lines[1], outer))["count"].summary == str(number)  # the line after it
