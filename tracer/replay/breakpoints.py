"""pdb's ``b``: breakpoints on a file line, a function or a line of the file in view, each with a condition.

``b views/servers.py:95 if instance["display_name"] == "db-01"`` stops at line 95 of the file whose path
ends with ``views/servers.py`` whenever the condition holds over that frame's recorded locals (see
:mod:`tracer.replay.evaluate`); ``b ViewBuilder.show`` stops at every call of that function; ``b 60`` at line
60 of the file in view. As in pdb, a condition that cannot be evaluated stops (and the stop says why).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tracer.model.trace import LINE, Trace
from tracer.replay.evaluate import EvaluationError, parse, truth


class BreakpointError(ValueError):
    """A breakpoint that cannot be set; the message is one line for the user."""


@dataclass(frozen=True)
class Breakpoint:
    """Where to stop: ``place`` is ``("line", file, line)`` or ``("function", code id)``, and when."""

    number: int
    place: tuple
    label: str
    condition: str | None = None

    def describe(self, hits: int) -> str:
        when = f" if {self.condition}" if self.condition else ""
        times = "never reached in this request" if not hits else f"hit {hits} time{'s' if hits != 1 else ''}"
        return f"{self.number:<4}breakpoint at {self.label}{when}  ({times})"


_PLACE = re.compile(r"^(?P<where>\S+?)(?:\s+if\s+(?P<condition>.+))?$", re.S)


def resolve(trace: Trace, text: str, current_file: str | None, number: int) -> Breakpoint:
    """The breakpoint ``text`` names (``FILE:LINE``, ``LINE`` or ``FUNCTION``, each optionally ``if COND``)."""
    match = _PLACE.match(text.strip())
    if not match:
        raise BreakpointError("usage: b FILE:LINE | LINE | FUNCTION [if CONDITION]")
    where, condition = match["where"], (match["condition"] or "").strip() or None
    if condition is not None:
        try:
            parse(condition)
        except EvaluationError as exc:
            raise BreakpointError(f"the condition cannot be evaluated: {str(exc).removeprefix('*** ')}") from None
    file, _, line_text = where.rpartition(":")
    if not file and where.isdigit():
        if current_file is None:
            raise BreakpointError("no file in view: give FILE:LINE")
        file, line_text = current_file, where
    if file and line_text.isdigit():
        path = _file(trace, file)
        return Breakpoint(number, ("line", path, int(line_text)), f"{path}:{line_text}", condition)
    codes = _functions(trace, where)
    if len(codes) != 1:
        names = sorted({trace.codes[c].qualname for c in codes})
        if not names:
            raise BreakpointError(f"no function {where!r} in this trace (give FILE:LINE, LINE or a function name)")
        raise BreakpointError(f"{where!r} is ambiguous: {', '.join(names[:6])}")
    code = trace.codes[codes[0]]
    return Breakpoint(number, ("function", codes[0]), f"{code.qualname} ({code.filename}:{code.firstlineno})",
                      condition)


def _file(trace: Trace, name: str) -> str:
    files = sorted({code.filename for code in trace.codes})
    if name in files:
        return name
    found = [f for f in files if f.endswith("/" + name.lstrip("/"))]
    if len(found) == 1:
        return found[0]
    if not found:
        raise BreakpointError(f"no recorded file ends with {name!r}")
    raise BreakpointError(f"{name!r} is ambiguous: {', '.join(found[:4])}")


def _functions(trace: Trace, name: str) -> list[int]:
    exact = [cid for cid, code in enumerate(trace.codes) if code.qualname == name or code.key == name]
    if exact:
        return exact
    tail = [cid for cid, code in enumerate(trace.codes)
            if not code.is_inline and (code.key.endswith("." + name) or code.key.endswith(":" + name))]
    return tail


def stops(trace: Trace, breakpoint: Breakpoint, events: list[int]) -> list[int]:
    """The events among ``events`` (the place's calls or line events) where ``breakpoint`` stops."""
    if breakpoint.condition is None:
        return list(events)
    condition = parse(breakpoint.condition)
    found = []
    for event in events:
        names = dict(trace.locals_at(event, trace.frame_of[event]))
        try:
            if truth(condition, names):
                found.append(event)
        except EvaluationError:
            found.append(event)  # as pdb does: a condition that fails to evaluate stops
    return found


def condition_error(trace: Trace, breakpoint: Breakpoint, event: int) -> str | None:
    """Why the condition could not be evaluated at ``event`` (it stopped there anyway), or None."""
    if breakpoint.condition is None or trace.kinds[event] not in (LINE, 0):
        return None
    try:
        truth(breakpoint.condition, dict(trace.locals_at(event, trace.frame_of[event])))
    except EvaluationError as exc:
        return str(exc).removeprefix("*** ")
    return None
