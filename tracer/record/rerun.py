"""Line-level detail by re-running a request, so that the request itself is only traced at call level.

Tracing every line makes a request tens of times slower (``sys.settrace`` puts every instruction of
every frame on the interpreter's slow path), and the hop durations a learner reads would be that slow
run's. So a request is recorded in two runs over the same inputs:

1. the request, with call-level recording only (trampolines, cheap): what the client gets and the
   time every hop took;
2. a re-run with line tracing, on the state the application had before the first run (the caller's
   :class:`World` puts it back: database snapshot, frozen clock, seeded ids): every line and its locals.

The re-run is faithful when it takes the same path (the same calls and returns of every function the
first run saw) and answers the same response. Then each call and return of the trace gets the first
run's time, and the lines between them the re-run's, scaled into that interval. When it is not (something
the world does not fix, such as a key made by ``ssh-keygen``), the trace says so in
``meta["line_detail"]`` and shows the response the client really got.
"""

from __future__ import annotations

import contextlib
import contextvars
import random
import secrets
import sys
import threading
import uuid
from collections.abc import Callable, Collection, Iterator, Sequence
from contextlib import AbstractContextManager
from types import CodeType, FrameType
from typing import Protocol

from tracer.model.labels import Labels
from tracer.model.trace import CALL, RETURN
from tracer.record.recorder import RecordedRun, Recorder, describe_response


class World(Protocol):
    """What a re-run needs from the application around the request: fixed inputs and a way back."""

    def fixed(self) -> AbstractContextManager[object]:
        """Inputs that are the same on every entry (clock, ids); entered around both runs."""

    def save(self) -> None:
        """Remember the application's state as it is now, before the first run."""

    def restored(self) -> AbstractContextManager[object]:
        """The saved state, for the re-run; whatever the re-run changes is thrown away afterwards."""


#: the seeded generator of this thread or green thread (see ``seeded_randomness``)
_generator: contextvars.ContextVar[random.Random | None] = contextvars.ContextVar("tracer_seeded", default=None)
_patch_lock = threading.Lock()
_patch_users = 0
#: uuid.uuid4 and secrets.choice as they were before the first patch (kept: a thread may still be inside
#: a patched function when the last block ends)
_real: tuple[Callable[[], uuid.UUID], Callable] = (uuid.uuid4, secrets.choice)


def _uuid4() -> uuid.UUID:
    generator = _generator.get()
    if generator is None:
        return _real[0]()
    return uuid.UUID(int=generator.getrandbits(128), version=4)


def _choice(sequence):
    generator = _generator.get()
    if generator is None:
        return _real[1](sequence)
    return generator.choice(sequence)


@contextlib.contextmanager
def seeded_randomness(seed: int) -> Iterator[None]:
    """``uuid.uuid4`` and ``secrets.choice`` drawn from one seeded generator while the block runs.

    Only in this thread or green thread: the module functions are replaced (while any block runs) by ones
    that ask the running context for its generator, so the requests beside a re-run keep real randomness.
    """
    global _patch_users, _real
    with _patch_lock:
        if _patch_users == 0:
            _real = uuid.uuid4, secrets.choice
            uuid.uuid4, secrets.choice = _uuid4, _choice
        _patch_users += 1
    token = _generator.set(random.Random(seed))
    try:
        yield
    finally:
        _generator.reset(token)
        with _patch_lock:
            _patch_users -= 1
            if _patch_users == 0:
                uuid.uuid4, secrets.choice = _real


def reached_codes(work: Callable[[], object]) -> set[CodeType]:
    """The code objects of every Python function ``work()`` ran (in this thread), noted by a profile function.

    A request sent once untraced this way tells call-level recording which functions to make ready for the
    same request (see ``Recorder(reached=...)``), instead of every function in scope.
    """
    reached: set[CodeType] = set()
    add = reached.add

    def note(frame: FrameType, event: str, arg: object) -> None:
        if event == "call":
            add(frame.f_code)

    previous = sys.getprofile()
    sys.setprofile(note)
    try:
        work()
    finally:
        sys.setprofile(previous)
    return reached


def record_by_rerun(
    app: Callable, make_environ: Callable[[], dict], include: Sequence[str], world: World,
    twin: Callable | None = None, check: Callable[[str, list, bytes], str | None] | None = None,
    labels: Labels | None = None, reached: Collection[CodeType] | None = None,
) -> dict:
    """Record one request at call level, then again line by line in a re-run; returns the merged trace.

    The re-run goes through ``twin`` when given: the same application built again and not used yet, for
    an ``app`` that is fresh too. What an application builds at its first request (routes compiles its
    regular expressions at the first match) is then built in the re-run as it was in the request.
    ``check`` compares the first run's response with one it must equal (the one a client got when the first
    run is itself a re-run, see ``tracer.targets.recipes``); a difference it names makes the trace unfaithful.
    ``labels`` are the recorded app's hop labels (the registered ones when not given). ``reached``: the code
    objects a request like this one ran (``reached_codes``), when known: only those functions are made ready
    for the call-level run. A function the request runs beyond them still has every line in the trace, from
    the re-run; its calls just take their times from the re-run too, scaled between the recorded ones.
    """
    world.save()
    with world.fixed():
        first = Recorder(include=tuple(include), detail="call", labels=labels, reached=reached).run_wsgi(
            app, make_environ())
    codes, timeline = first.session.timeline()
    duration_us = (first.session.ended_ns - first.session.started_ns) // 1000
    with world.restored():  # entered even when the request crashed: leaving it lets go of the saved state
        if first.error is not None:
            raise first.error
        with world.fixed():
            status, headers, body, doc = Recorder(include=tuple(include), detail="line", labels=labels).call_wsgi(
                twin or app, make_environ()
            )
    expected = check(first.status, first.headers, first.body) if check is not None else None
    return merge(doc, codes, timeline, duration_us, first, (status, headers, body), expected)


def merge(
    doc: dict, codes: list[list], timeline: list[tuple[int, int, int]], duration_us: int,
    first: RecordedRun, second: tuple[str, list, bytes], expected: str | None = None,
) -> dict:
    """The re-run's trace with the first run's timing, and a note on how faithful the re-run was."""
    response_differs = _response_difference(first, second) or expected
    absolute = _absolute_times(doc["events"])
    anchors, path_differs = _anchors(doc, codes, timeline)
    differs = response_differs or path_differs
    if anchors:
        times = _interpolate(absolute, anchors)
    else:
        total = absolute[-1] if absolute else 0
        times = [t * duration_us // total if total else 0 for t in absolute]
    last = 0
    for row, now in zip(doc["events"], times, strict=True):
        row[3] = now - last
        last = now
    doc["duration_us"] = duration_us
    doc["meta"]["line_detail"] = {"by": "rerun", "faithful": differs is None, "differs": differs}
    if response_differs is not None:
        doc["response"] = describe_response(first.status, first.headers, first.body)
    return doc


def _response_difference(first: RecordedRun, second: tuple[str, list, bytes]) -> str | None:
    status, headers, body = second
    if status != first.status:
        return f"the re-run answered {status!r}, the request {first.status!r}"
    if body != first.body:
        return "the re-run's response body differed from the request's"
    if headers != first.headers:
        return "the re-run's response headers differed from the request's"
    return None


def _absolute_times(events: list[list]) -> list[int]:
    times, now = [], 0
    for row in events:
        now += row[3]
        times.append(now)
    return times


def _anchors(doc: dict, codes: list[list], timeline: list[tuple[int, int, int]]) -> tuple[list, str | None]:
    """Pairs (event index in the re-run, first run's time) for every call and return both runs saw.

    The first run saw only trampolined functions (no generators, comprehensions or lambdas): the
    re-run's calls and returns of those functions must come in the very same order.
    """
    key_of = [(code[2], code[3]) for code in codes]
    seen = {key_of[cid] for _kind, cid, _t in timeline}
    rerun_keys = [(code[2], code[3]) for code in doc["codes"]]
    anchors: list[tuple[int, int]] = []
    position = 0
    for index, row in enumerate(doc["events"]):
        kind = row[0]
        if kind != CALL and kind != RETURN:
            continue
        key = rerun_keys[row[1]]
        if key not in seen:
            continue
        if position >= len(timeline):
            return [], f"the re-run went on where the request had ended: it {_step(kind, _name(doc, row[1]))}"
        want_kind, want_cid, when = timeline[position]
        if want_kind != kind or key_of[want_cid] != key:
            return [], (f"the re-run took another path at hop {position + 1}: where the request "
                        f"{_step(want_kind, codes[want_cid][1])}, it {_step(kind, _name(doc, row[1]))}")
        anchors.append((index, when))
        position += 1
    if position != len(timeline):
        return [], f"the re-run stopped short of the request's {len(timeline) // 2} calls"
    return anchors, None


def _name(doc: dict, cid: int) -> str:
    return doc["codes"][cid][1]


def _step(kind: int, name: str) -> str:
    return f"called {name}" if kind == CALL else f"returned from {name}"


def _interpolate(absolute: list[int], anchors: list[tuple[int, int]]) -> list[int]:
    """Anchored events take the first run's time; the others the re-run's, scaled between their anchors."""
    times = [0] * len(absolute)
    first_index, first_time = anchors[0]
    for index in range(first_index + 1):
        times[index] = first_time
    for (a_index, a_time), (b_index, b_time) in zip(anchors, anchors[1:], strict=False):
        span = absolute[b_index] - absolute[a_index]
        for index in range(a_index, b_index):
            offset = absolute[index] - absolute[a_index]
            times[index] = a_time + (offset * (b_time - a_time) // span if span else 0)
        times[b_index] = b_time
    last_index, last_time = anchors[-1]
    for index in range(last_index, len(absolute)):
        times[index] = last_time
    return times
