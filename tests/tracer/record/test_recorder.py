"""The recorder on a tiny fake app: events, nesting, outcomes, secrets, isolation."""

from __future__ import annotations

import importlib.util
import json
import sys
import threading
import time
from pathlib import Path

import pytest
import webob

from tracer.model import trace as trace_model
from tracer.model.trace import CALL, EXCEPTION, LINE, RETURN, Trace
from tracer.record.recorder import Recorder, module_path

FAKE_MODULE = "tracerfake.app"


@pytest.fixture(scope="module")
def fakeapp():
    """tests/tracer/fakeapp.py imported as ``tracerfake.app`` so that include=("tracerfake",) records it."""
    path = Path(__file__).parent.parent / "fakeapp.py"
    spec = importlib.util.spec_from_file_location(FAKE_MODULE, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[FAKE_MODULE] = module
    spec.loader.exec_module(module)
    yield module
    sys.modules.pop(FAKE_MODULE, None)


def make_environ(path="/x", headers=None):
    request = webob.Request.blank(path, headers=headers or {"X-Auth-Token": "alice:wonderland"})
    request.method = "POST"
    request.body = json.dumps({"adminPass": "hunter2-secret"}).encode()
    return request.environ


def record(app, detail="line", path="/x", headers=None):
    recorder = Recorder(include=("tracerfake",), detail=detail)
    environ = make_environ(path, headers)
    status, resp_headers, body, doc = recorder.call_wsgi(app, environ)
    return status, resp_headers, body, doc


def names(trace: Trace) -> list[str]:
    return [trace.code(c).qualname for c in trace.calls]


def test_calls_are_recorded_in_order_with_nesting(fakeapp):
    _, _, _, doc = record(fakeapp.app)
    trace = Trace.from_dict(doc)
    assert names(trace) == ["app", "Holder.__init__", "build", "rescue", "explode"]
    app_call = trace.calls[0]
    assert [trace.code(c).qualname for c in trace.children(app_call)] == ["Holder.__init__", "build", "rescue"]
    explode = trace.find_calls("explode")[0]
    assert trace.depth[explode] == 2
    assert [trace.code(f).qualname for f in trace.stack(explode)] == ["app", "rescue", "explode"]


def test_line_events_carry_locals_as_they_were_then(fakeapp):
    _, _, _, doc = record(fakeapp.app)
    trace = Trace.from_dict(doc)
    build = trace.find_calls("build")[0]
    # At the first line of build() only the arguments exist; 'result' appears after its assignment.
    own = trace.own_events(build)
    first_line = next(e for e in own if trace.kinds[e] == LINE)
    first_names = [name for name, _ in trace.locals_at(first_line, build)]
    assert first_names == ["items", "password"]
    last_line = [e for e in own if trace.kinds[e] == LINE][-1]
    last = dict(trace.locals_at(last_line, build))
    assert "result" in last and "item" in last
    # the list grew while the loop ran: an early snapshot must not show the final state
    sizes = [dict(trace.locals_at(e, build)).get("result") for e in own if trace.kinds[e] == LINE]
    summaries = [v.summary for v in sizes if v is not None]
    assert summaries[0] == "list of 0 items" and summaries[-1] == "list of 2 items"


def test_a_local_gets_a_new_row_exactly_when_it_changed(fakeapp):
    _, _, _, doc = record(fakeapp.app)
    trace = Trace.from_dict(doc)
    build = trace.find_calls("build")[0]
    lines = [e for e in trace.own_events(build) if trace.kinds[e] == LINE]
    scopes = [dict(doc["scopes"][doc["events"][e][4]]) for e in lines]
    # 'items' never changes: one row throughout; 'result' gains a child twice: three rows.
    assert len({scope["items"] for scope in scopes}) == 1
    assert len({scope["result"] for scope in scopes if "result" in scope}) == 3


def test_return_values_and_exception_outcomes(fakeapp):
    _, _, _, doc = record(fakeapp.app)
    trace = Trace.from_dict(doc)
    explode = trace.find_calls("explode")[0]
    rescue = trace.find_calls("rescue")[0]
    assert trace.outcome(explode).kind == "raised"
    assert "KeyError" in trace.outcome(explode).value.summary
    assert trace.outcome(rescue).kind == "returned"
    assert trace.outcome(rescue).value.summary == "'rescued'"
    # the exception is seen in rescue (caught there: a line event follows in the same frame)
    in_rescue = [e for e in trace.own_events(rescue) if trace.kinds[e] == EXCEPTION]
    assert len(in_rescue) == 1
    after = trace.own_events(rescue)[trace.own_events(rescue).index(in_rescue[0]) + 1]
    assert trace.kinds[after] == LINE


def test_call_detail_records_no_lines(fakeapp):
    _, _, _, doc = record(fakeapp.app, detail="call")
    trace = Trace.from_dict(doc)
    assert LINE not in trace.kinds
    assert trace.kinds.count(CALL) == trace.kinds.count(RETURN) == 5


def test_the_request_clock_starts_after_the_trampolines_are_installed(fakeapp, monkeypatch):
    """Installing the trampolines (a scan and a compile per function) is not time the request took."""
    from tracer.record import trampolines

    installed_at = []
    acquire = trampolines.TRAMPOLINES.acquire

    def timed_acquire(*args, **kwargs):
        acquire(*args, **kwargs)
        installed_at.append(time.perf_counter_ns())

    monkeypatch.setattr(trampolines.TRAMPOLINES, "acquire", timed_acquire)
    recorder = Recorder(include=("tracerfake",), detail="call")
    session = recorder.start(make_environ(), fakeapp.app)
    recorder.stop(session)
    assert installed_at and session.started_ns >= installed_at[0]
    session.finish({}, b"", "200 OK", [], b"")


def test_recording_does_not_change_the_response(fakeapp):
    plain = webob.Request(make_environ()).get_response(fakeapp.app)
    status, headers, body, _ = record(fakeapp.app)
    assert status == plain.status
    assert body == plain.body
    assert headers == plain.headerlist


def test_secrets_never_reach_the_trace(fakeapp):
    _, _, _, doc = record(fakeapp.app)
    text = trace_model.dumps(doc)
    assert "alice:wonderland" not in text  # X-Auth-Token, also held in a local named 'token' and an attribute
    assert "hunter2-secret" not in text  # a password default argument and an adminPass key
    assert "[redacted: X-Auth-Token]" in text
    assert "[redacted: password]" in text
    assert "[redacted: adminPass]" in text
    trace = Trace.from_dict(doc)
    assert trace.request["headers"]["X-Auth-Token"] == "[redacted: X-Auth-Token]"
    assert trace.response["headers"]["X-Auth-Token"] == "[redacted: X-Auth-Token]"
    assert json.loads(trace.response["body"])["servers"][0]["adminPass"] == "[redacted: adminPass]"


def test_a_crashing_app_keeps_its_trace_and_still_raises(fakeapp):
    recorder = Recorder(include=("tracerfake",))
    environ = webob.Request.blank("/x").environ
    seen = []
    wrapped = recorder.wrap(fakeapp.crashing_app, seen.append)
    with pytest.raises(KeyError):
        wrapped(environ, lambda *a: None)
    assert sys.gettrace() is None or "tracer" not in repr(sys.gettrace())


def test_concurrent_requests_get_their_own_events(fakeapp):
    recorder = Recorder(include=("tracerfake",))
    docs: list[dict] = []
    lock = threading.Lock()

    def keep(doc):
        with lock:
            docs.append(doc)

    app = recorder.wrap(fakeapp.app, keep)
    barrier = threading.Barrier(4)

    def worker(n):
        barrier.wait()
        for _ in range(20):
            environ = make_environ(f"/w{n}", {"X-Auth-Token": f"user{n}:p"})
            b"".join(app(environ, lambda *a: None))

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(docs) == 80
    for doc in docs:
        trace = Trace.from_dict(doc)
        assert names(trace) == ["app", "Holder.__init__", "build", "rescue", "explode"]
        assert trace.kinds.count(CALL) == trace.kinds.count(RETURN)


def test_module_path_is_the_same_on_every_machine():
    assert module_path("sample_api.api.openstack.wsgi", "/x/y/wsgi.py") == "sample_api/api/openstack/wsgi.py"
    assert module_path("sample_api.api", "/x/api/__init__.py") == "sample_api/api/__init__.py"


def test_the_trace_carries_the_source_of_each_file(fakeapp):
    _, _, _, doc = record(fakeapp.app)
    trace = Trace.from_dict(doc)
    code = trace.code(trace.calls[0])
    assert code.filename == "tracerfake/app.py"
    lines = trace.source_lines(code.filename)
    assert lines[code.firstlineno - 1].startswith("def app(environ, start_response)")


def test_max_events_truncates_cleanly(fakeapp):
    recorder = Recorder(include=("tracerfake",), max_events=7)
    status, _, _, doc = recorder.call_wsgi(fakeapp.app, make_environ())
    assert status == "200 OK"
    assert doc["truncated"] is True
    trace = Trace.from_dict(doc)
    assert len(trace) == 7
    assert trace.end_of[trace.calls[0]] == 6


def test_max_events_truncates_call_level_recording_too(fakeapp):
    recorder = Recorder(include=("tracerfake",), detail="call", max_events=3)
    status, _, _, doc = recorder.call_wsgi(fakeapp.app, make_environ())
    assert status == "200 OK"
    assert doc["truncated"] is True
    trace = Trace.from_dict(doc)
    assert 3 <= len(trace) <= 3 + max(trace.depth)  # returns may pass the limit by the frames still open
    assert trace.kinds[0] == CALL
    assert all(trace.outcome(call).kind == "returned" for call in trace.calls)  # every call noted has its return


@pytest.mark.parametrize("detail", ["call", "line"])
@pytest.mark.parametrize("path", ["/servers/detail", "/servers/nope", "/servers?limit=abc"])
def test_a_finished_session_is_freed_without_the_garbage_collector(detail, path):
    """Nothing of a request outlives its trace: a session caught in a cycle would keep every value alive."""
    import gc
    import weakref

    from tracer.targets.sample_api import RequestSpec, build_environ, load_sample_api

    app = load_sample_api()
    recorder = Recorder(detail=detail)
    sessions = []
    start = recorder.start

    def remember(*args, **kwargs):
        session = start(*args, **kwargs)
        sessions.append(weakref.ref(session))
        return session

    recorder.start = remember
    spec = RequestSpec("GET", path)
    recorder.call_wsgi(app, build_environ(spec))  # first request: caches warm up
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        status, _headers, _body, doc = recorder.call_wsgi(app, build_environ(spec))
        del doc
        session = sessions[-1]()
        if session is not None:  # kept by the application's own exception cycle: then it must hold nothing
            assert not session.events and not session.table.rows and not session.scopes
    finally:
        if was_enabled:
            gc.enable()
    assert status.split()[0] in {"200", "404", "400"}
