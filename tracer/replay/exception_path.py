"""Which frames an exception touched, and which of them it escaped from (the exception path).

Engine side (no rich): the hop tree of ``tracer run`` and the replay's hop pane both mark and keep unfolded the
same frames, so they ask this module. An exception raised and caught inside one call is ordinary control flow
(Nova looks up optional keys and ends iterators that way): it is marked on the call, but makes no exception path.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass

from tracer.model.trace import CALL, EXCEPTION, Outcome, Trace


@dataclass(frozen=True)
class ExceptionMark:
    """One exception as seen by one frame: did it start here, and did this frame handle it."""

    event: int
    origin: str  # "raised" here, "propagated" from a call it made, or "thrown" into a paused generator
    caught: bool  # the frame's handler ran instead of the exception leaving the frame
    type_name: str
    summary: str


def exception_marks(trace: Trace) -> dict[int, list[ExceptionMark]]:
    """For each call touched by an exception, what happened to it there (in event order).

    An exception is caught by a frame unless it is the frame's last exception and the frame
    ended by raising (a ``with`` block's ``__exit__`` or a ``finally`` may run in between).
    """
    marks: dict[int, list[ExceptionMark]] = {}
    outcomes: dict[int, Outcome] = {}
    for event in trace.exception_events():
        frame = trace.frame_of[event]
        outcome = outcomes.get(frame)
        if outcome is None:
            outcome = outcomes[frame] = trace.outcome(frame)
        own = trace.own_events(frame)
        pos = bisect_left(own, event)
        before = own[pos - 1] if pos > 0 else frame
        came_from_callee = (
            before != frame and trace.kinds[before] == CALL and trace.outcome(before).kind == "raised"
        )
        escaped = outcome.kind != "returned" and not any(trace.kinds[e] == EXCEPTION for e in own[pos + 1 :])
        value = trace.value(trace.data[event])
        type_name = value.type_name if value else "exception"
        summary = value.summary if value else type_name
        # a generator resumed with an exception (a with block's exit throwing into a @contextmanager)
        thrown_in = before == frame and trace.lines[frame] != trace.code(frame).firstlineno
        origin = "propagated" if came_from_callee else "thrown" if thrown_in else "raised"
        mark = ExceptionMark(event, origin, not escaped, type_name, summary)
        marks.setdefault(frame, []).append(mark)
    return marks


def exception_path(trace: Trace, marks: dict[int, list[ExceptionMark]] | None = None) -> set[int]:
    """Calls an exception escaped from, and every call above them: what grouping and folding never hide."""
    if marks is None:
        marks = exception_marks(trace)
    hot: set[int] = set()
    for call, call_marks in marks.items():
        if all(mark.caught for mark in call_marks):
            continue
        while call >= 0 and call not in hot:
            hot.add(call)
            call = trace.parent[call]
    return hot
