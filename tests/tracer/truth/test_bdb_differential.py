"""The trace against pdb's engine: at every line event, every local of every frame on the stack agrees.

For each request, one fresh app is recorded by tracer's recorder and another fresh app, in the same world
(frozen clock, seeded ids, the demo database), runs under :class:`LocalsReference`, built on ``bdb``. The two
must see the same line events, the same stacks and, frame by frame, the same locals: what pdb's ``up`` and
``p`` would print at that moment. The requests are every request the lessons record, and more that exercise
loops, comprehensions, generators, exceptions caught and re-raised, and the extensions.
"""

from __future__ import annotations

import ast
import json
import tempfile
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest

from sample_api.api.openstack import requestlog
from tests.tracer.truth.reference import ExceptionState, LocalsReference, Snap
from tracer.course.model import load_course
from tracer.model.trace import LINE, Trace, Value
from tracer.record.recorder import DEFAULT_INCLUDE, Recorder
from tracer.targets import sample_api as target

SERVER = "57ced187-b1bf-400b-b48b-d22f3ffe6422"
INSTANT = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
SEED = 1234


def lesson_requests() -> list[target.RequestSpec]:
    """Every request a lesson records (app start-up traces aside: no request runs there)."""
    specs: dict[str, target.RequestSpec] = {}
    for lesson in load_course().lessons:
        for request in [*lesson.requests.values(), *lesson.check_requests.values()]:
            if request.startup or request.file or request.target != "sample_api":
                continue
            spec = target.RequestSpec(request.method, request.path,
                                      request.body.encode() if request.body is not None else None,
                                      dict(request.headers), request.user, request.project)
            specs.setdefault(repr(spec), spec)
    return list(specs.values())


def more_requests() -> list[target.RequestSpec]:
    body = lambda data: json.dumps(data).encode()  # noqa: E731
    return [
        target.RequestSpec("GET", "/servers"),  # a loop and a comprehension per server
        target.RequestSpec("GET", "/servers/detail?limit=1&marker=" + SERVER),  # pagination, links
        target.RequestSpec("GET", f"/servers/{SERVER}/diagnostics"),  # an extension's resource
        target.RequestSpec("GET", "/os-server-counts/ACTIVE"),  # an extension
        target.RequestSpec("POST", f"/servers/{SERVER}/action", body({"os-stop": None})),  # an action
        target.RequestSpec("PUT", f"/servers/{SERVER}", body({"server": {"name": "renamed"}})),
        target.RequestSpec("DELETE", f"/servers/{SERVER}"),
        target.RequestSpec("GET", "/flavors/detail"),
        target.RequestSpec("POST", "/servers", body({"server": {"name": "p", "flavorRef": "1",
                                                                 "adminPass": "s3cret-pass"}})),
        target.RequestSpec("GET", "/servers/nope"),  # caught, re-raised as a 404, a fault
    ]


REQUESTS = lesson_requests() + more_requests()


def mismatch(expected: Snap, value: Value, where: str, scrub) -> str | None:
    """Why the recorded ``value`` is not what the reference saw, or None when it is."""
    if expected.type_name == "redacted" or value.type_name == "redacted":
        return None if expected.type_name == value.type_name else f"{where}: redaction {expected} / {value!r}"
    if value.type_name != expected.type_name:
        return f"{where}: type {value.type_name} != {expected.type_name}"
    if expected.exception:  # by its message
        message = dict(value.children).get("message")
        if message is None:
            return f"{where}: the exception {value.summary!r} has no message"
        return mismatch(Snap("str", expected.text), message, f"{where}.message", scrub)
    if expected.children is None:
        if expected.text is None:
            return None
        text = scrub(expected.text)
        if value.summary == text:
            return None
        head, cut, tail = value.summary.partition("...")
        if cut and text.startswith(head) and text.endswith(tail):
            return None  # a long text, cut in the middle where the limit says
        return f"{where}: {value.summary!r} != {text!r}"
    children = value.children
    if len(children) + value.more != expected.size:
        return f"{where}: {len(children)} children + {value.more} more != {expected.size}"
    for (key, child), (ref_key, ref_child) in zip(children, expected.children, strict=False):
        if key != scrub(ref_key):
            return f"{where}: key {key!r} != {ref_key!r}"
        found = mismatch(ref_child, child, f"{where}[{key!r}]", scrub)
        if found:
            return found
    return None


def compare(trace: Trace, reference: LocalsReference) -> tuple[int, list[str]]:
    lines = [i for i, kind in enumerate(trace.kinds) if kind == LINE]
    problems: list[str] = []
    if len(lines) != len(reference.events):
        problems.append(f"{len(lines)} line events recorded, {len(reference.events)} seen by bdb")
    compared = 0
    for i, stack in zip(lines, reference.events, strict=False):
        frames = trace.stack(i)
        names = [(trace.code(f).module, trace.code(f).qualname) for f in frames]
        if names != [(s.module, s.qualname) for s in stack]:
            problems.append(f"event {i}: stack {names} != {[(s.module, s.qualname) for s in stack]}")
            break
        if trace.lines[i] != stack[-1].line:
            problems.append(f"event {i}: line {trace.lines[i]} != {stack[-1].line}")
        for frame, state in zip(frames, stack, strict=True):
            recorded = dict(trace.locals_at(i, frame))
            where = f"event {i} {state.qualname}"
            if set(recorded) != set(state.locals):
                problems.append(f"{where}: names {sorted(recorded)} != {sorted(state.locals)}")
                continue
            for name, snap in state.locals.items():
                found = mismatch(snap, recorded[name], f"{where} {name}", reference.scrub)
                if found:
                    problems.append(found)
            compared += 1
        if len(problems) > 20:
            break
    return compared, problems


def recorded_exceptions(trace: Trace) -> list[ExceptionState]:
    """Each exception event of the trace as pdb would stop on it: frame, line, type and "raised in"."""
    found = []
    for i in trace.exception_events():
        code = trace.code(i)
        value = trace.value(trace.data[i])
        raised_in = dict(value.children).get("raised in") if value is not None else None
        found.append(ExceptionState(code.module, code.qualname, trace.lines[i],
                                    value.type_name if value is not None else "?",
                                    ast.literal_eval(raised_in.summary) if raised_in is not None else ""))
    return found


@pytest.mark.parametrize("spec", REQUESTS, ids=[f"{s.method} {s.path} {s.user}" for s in REQUESTS])
def test_every_local_of_every_frame_agrees_with_bdb_at_every_line(spec: target.RequestSpec, monkeypatch, tmp_path):
    # nor the names of temporary directories (ssh-keygen's): the same one, made afresh, for both runs
    def mkdtemp(suffix=None, prefix=None, dir=None):
        (tmp_path / "tmp").mkdir()
        return str(tmp_path / "tmp")

    monkeypatch.setattr(tempfile, "mkdtemp", mkdtemp)
    # the request log times the request with a monotonic clock, which no re-run world fixes: a steady one here
    ticks = iter(range(10**6))
    monkeypatch.setattr(requestlog, "time", SimpleNamespace(monotonic=lambda: float(next(ticks))))
    world = target.SampleApiWorld(INSTANT, SEED)
    with world.fixed():
        app = target.load_sample_api()
        doc = Recorder(include=DEFAULT_INCLUDE, detail="line").call_wsgi(app, target.build_environ(spec))[3]
    trace = Trace.from_dict(doc)
    reference = LocalsReference(DEFAULT_INCLUDE, secrets=[spec.token, "s3cret-pass"])
    ticks = iter(range(10**6))
    with world.fixed():
        app = target.load_sample_api()
        status, _body = reference.run_app(app, target.build_environ(spec))
    assert status.split()[0] == str(trace.status)
    compared, problems = compare(trace, reference)
    assert problems == [], "\n".join(problems)
    assert compared > 0
    # at every exception event, where the exception was raised is what pdb's traceback says (on 3.11 the
    # exception itself holds no traceback yet at that event)
    assert recorded_exceptions(trace) == reference.exceptions
