"""The trace model: one recorded request, indexed for replay (the file itself: :mod:`tracer.model.tracefile`).

This is the engine side (like ``bdb``): it knows nothing of rich or Textual. Faces
(the CLI renderers, the TUI, lessons) read a :class:`Trace` and never the file.
The file format is documented in ``docs/trace-format.md``.
"""

from __future__ import annotations

import json
import os
from bisect import bisect_right
from dataclasses import dataclass
from itertools import accumulate
from pathlib import Path
from typing import Any

from tracer.model.trace_checks import TraceFileError, read_limited
from tracer.model.tracefile import (
    BIG_TRACE_BYTES,
    BIG_TRACE_EVENTS,
    CALL,
    EXCEPTION,
    FORMAT,
    KIND_NAMES,
    LINE,
    RETURN,
    VERSION,
    TraceError,
    dumps,
    gc_paused,
    save,
    validate,
)

__all__ = ["BIG_TRACE_BYTES", "BIG_TRACE_EVENTS", "CALL", "EXCEPTION", "FORMAT", "KIND_NAMES", "LINE", "RETURN",
           "VERSION", "CodeInfo", "Outcome", "Trace", "TraceError", "Value", "dumps", "load", "read_doc", "save",
           "validate"]

@dataclass(frozen=True, slots=True)
class CodeInfo:
    """One recorded function: where it lives and which layer of the stack it belongs to."""

    module: str
    qualname: str
    filename: str
    firstlineno: int
    layer: str

    @property
    def key(self) -> str:
        return f"{self.module}:{self.qualname}"

    @property
    def name(self) -> str:
        return self.qualname.rsplit(".", 1)[-1]

    @property
    def is_inline(self) -> bool:
        """Comprehensions and generator expressions: frames a learner reads as part of their parent."""
        return self.name.startswith("<") and self.name in ("<listcomp>", "<dictcomp>", "<setcomp>", "<genexpr>")


class Value:
    """A recorded value: its type, a one-line summary and (for containers) its children."""

    __slots__ = ("_trace", "row_id", "type_name", "summary", "more")

    def __init__(self, trace: Trace, row_id: int) -> None:
        row = trace._values[row_id]
        self._trace = trace
        self.row_id = row_id
        self.type_name: str = row[0]
        self.summary: str = row[1]
        self.more: int = row[3] if len(row) > 3 else 0

    @property
    def is_redacted(self) -> bool:
        return self.type_name == "redacted"

    @property
    def has_children(self) -> bool:
        row = self._trace._values[self.row_id]
        return len(row) > 2 and bool(row[2])

    @property
    def children(self) -> list[tuple[str, Value]]:
        row = self._trace._values[self.row_id]
        if len(row) < 3:
            return []
        return [(key, Value(self._trace, rid)) for key, rid in row[2]]

    def to_python(self, depth: int = 6) -> Any:
        """A plain nested structure (dicts of summaries) for JSON output and tests."""
        if not self.has_children or depth == 0:
            return self.summary
        return {key: child.to_python(depth - 1) for key, child in self.children}

    def __repr__(self) -> str:
        return f"Value({self.type_name}: {self.summary})"


@dataclass(frozen=True, slots=True)
class Outcome:
    """How a frame ended: ``returned``, ``raised`` (its exception escaped) or ``unfinished``."""

    kind: str
    value: Value | None
    event: int


class Trace:
    """One recorded request with indexes that make every replay move cheap in both directions.

    Events are nested like the frames that produced them: a ``call`` opens a frame, its
    ``line`` and ``exception`` events belong to it, and its ``return`` closes it. So the frame of
    any event is the index of its ``call`` event, and the stack at any event is that frame and
    its parents.
    """

    def __init__(self, doc: dict) -> None:
        self.doc = doc
        self.meta: dict = doc.get("meta", {})
        self.request: dict = doc["request"]
        self.response: dict = doc["response"]
        self.files: dict[str, str] = doc["files"]
        self.codes: list[CodeInfo] = [CodeInfo(*row) for row in doc["codes"]]
        self._values: list[list] = doc["values"]
        self._scopes: list[list] = doc["scopes"]
        self.duration_us: int = doc.get("duration_us", 0)
        self.truncated: bool = bool(doc.get("truncated", False))
        self._source_cache: dict[str, list[str]] = {}
        self._own_events: dict[int, list[int]] = {}
        self._steps: dict[int, list[int]] = {}
        self._index_events(doc["events"])

    # -- building ------------------------------------------------------------------------------

    def _index_events(self, rows: list[list]) -> None:
        """One column list per field, then one pass over the kinds for frames, depths and returns."""
        n = len(rows)
        self.kinds = kinds = [row[0] for row in rows]
        self.code_ids = [row[1] for row in rows]
        self.lines = [row[2] for row in rows]
        self.times = list(accumulate([row[3] for row in rows]))
        self.data = [row[4] if len(row) > 4 else -1 for row in rows]
        #: frame (its call index) -> ([event, ...], [scope, ...]): its locals as they changed while other
        #: events happened (it waited on a call, or returned); see ``locals_at``
        self.states: dict[int, tuple[list[int], list[int]]] = {}
        for i, row in enumerate(rows):
            if len(row) > 5:
                for frame, scope in row[5]:
                    events, scopes = self.states.setdefault(frame, ([], []))
                    events.append(i)
                    scopes.append(scope)
        self.frame_of = frame_of = [-1] * n
        self.depth = depth = [0] * n
        parent: dict[int, int] = {}
        end_of: dict[int, int] = {}
        calls: list[int] = []
        self.parent, self.end_of, self.calls = parent, end_of, calls
        stack: list[int] = []
        frame, level = -1, -1  # the innermost open frame and its depth
        for i, kind in enumerate(kinds):
            if kind == CALL:
                parent[i] = frame
                stack.append(i)
                calls.append(i)
                frame = i
                level += 1
            elif frame < 0:
                raise TraceError(f"event {i} is a {KIND_NAMES[kind]} outside any call")
            frame_of[i] = frame
            depth[i] = level
            if kind == RETURN:
                end_of[frame] = i
                stack.pop()
                frame = stack[-1] if stack else -1
                level -= 1
        last = n - 1
        for open_frame in stack:  # frames still open when recording stopped (truncated traces)
            end_of[open_frame] = last

    @classmethod
    def from_dict(cls, doc: object) -> Trace:
        events = doc.get("events") if isinstance(doc, dict) else None
        with gc_paused(keep=isinstance(events, list) and len(events) >= BIG_TRACE_EVENTS):
            validate(doc)
            try:
                return cls(doc)  # type: ignore[arg-type]
            except TraceError:
                raise
            except (KeyError, IndexError, TypeError, ValueError) as exc:
                raise TraceError(f"the trace is corrupt ({type(exc).__name__}: {exc})") from None

    # -- the basics faces need -----------------------------------------------------------------

    def __len__(self) -> int:
        return len(self.kinds)

    def kind(self, i: int) -> str:
        return KIND_NAMES[self.kinds[i]]

    def code(self, i: int) -> CodeInfo:
        """The function that event ``i`` happened in."""
        return self.codes[self.code_ids[i]]

    def value(self, row_id: int) -> Value | None:
        return None if row_id is None or row_id < 0 else Value(self, row_id)

    def scope(self, scope_id: int) -> list[tuple[str, Value]]:
        if scope_id is None or scope_id < 0:
            return []
        return [(name, Value(self, rid)) for name, rid in self._scopes[scope_id]]

    def source_lines(self, filename: str) -> list[str]:
        """Source text of a recorded file as it was when the trace was made (1-based: index 0 is line 1)."""
        lines = self._source_cache.get(filename)
        if lines is None:
            lines = self.files.get(filename, "").splitlines()
            self._source_cache[filename] = lines
        return lines

    @property
    def status(self) -> int:
        return int(self.response.get("status", 0))

    @property
    def request_line(self) -> str:
        return f"{self.request.get('method', '?')} {self.request.get('path', '?')}"

    # -- frames and stacks -----------------------------------------------------------------------

    def stack(self, i: int) -> list[int]:
        """Frames active at event ``i`` as call indices, outermost first (pdb's ``where``)."""
        frames = []
        frame = self.frame_of[i]
        while frame >= 0:
            frames.append(frame)
            frame = self.parent[frame]
        frames.reverse()
        return frames

    def children(self, call: int) -> list[int]:
        """Calls made directly by the frame opened at ``call``."""
        found = []
        i = call + 1
        end = self.end_of.get(call, len(self) - 1)
        while i <= end:
            if self.kinds[i] == CALL:
                found.append(i)
                i = self.end_of.get(i, end) + 1
            else:
                i += 1
        return found

    def own_events(self, call: int) -> list[int]:
        """Events of the frame opened at ``call``, without those of the calls it made."""
        cached = self._own_events.get(call)
        if cached is not None:
            return cached
        own = [call]
        i = call + 1
        end = self.end_of.get(call, len(self) - 1)
        while i <= end:
            if self.kinds[i] == CALL:
                own.append(i)  # the frame's position while the callee runs
                i = self.end_of.get(i, end) + 1
            else:
                own.append(i)
                i += 1
        self._own_events[call] = own
        return own

    def steps(self, call: int) -> list[int]:
        """Events of the frame opened at ``call`` that happen in it: its call, lines, exceptions and return
        (:meth:`own_events` without the calls it makes), in order. These are the events at the frame's
        depth between its call and its return, so pdb's ``next`` goes from one to the next."""
        cached = self._steps.get(call)
        if cached is None:
            kinds = self.kinds
            cached = [e for e in self.own_events(call) if e == call or kinds[e] != CALL]
            self._steps[call] = cached
        return cached

    def frame_event_at(self, i: int, frame: int) -> int:
        """The latest event of ``frame`` at or before ``i`` (for an outer frame: where it waits)."""
        own = self.own_events(frame)
        pos = bisect_right(own, i) - 1
        event = own[max(pos, 0)]
        if event != frame and self.kinds[event] == CALL:
            # Paused in a call it made: the line it waits on is the last line event before that call
            # (one line can make several calls, e.g. ``Resource(Controller())(environ)``).
            while pos > 0 and self.kinds[own[pos]] == CALL:
                pos -= 1
            return own[pos]
        return event

    def line_at(self, i: int, frame: int) -> int:
        """The line ``frame`` is on at event ``i`` (for an outer frame: the line of its pending call)."""
        return self.lines[self.frame_event_at(i, frame)]

    def locals_at(self, i: int, frame: int) -> list[tuple[str, Value]]:
        """Variables of ``frame`` as they were at event ``i``, as pdb's ``up`` and ``p`` would read them then.

        The latest of two things tells: the frame's own latest call or line event (its arguments, or its
        locals before that line runs), and the latest change written for it while it waited on a call or
        as it returned (a loop's new item stored before the call, a key a callee added to a dict it holds,
        the stores of its last line).
        """
        own = self.own_events(frame)
        pos = bisect_right(own, i) - 1
        base = -1
        while pos >= 0:
            e = own[pos]
            if e == frame or self.kinds[e] == LINE:
                base = e
                break
            pos -= 1
        states = self.states.get(frame)
        if states is not None:
            k = bisect_right(states[0], i) - 1
            if k >= 0 and states[0][k] >= base:
                return self.scope(states[1][k])
        return self.scope(self.data[base]) if base >= 0 else []

    def outcome(self, call: int) -> Outcome:
        """How the frame opened at ``call`` ended."""
        end = self.end_of.get(call, -1)
        if end < 0 or self.kinds[end] != RETURN:
            return Outcome("unfinished", None, end)
        if self.data[end] < 0:
            # the exception that escaped is the frame's last one (a with/finally block may run after it)
            own = self.own_events(call)
            raised = next((e for e in reversed(own) if self.kinds[e] == EXCEPTION), -1)
            if raised >= 0:
                return Outcome("raised", self.value(self.data[raised]), raised)
        return Outcome("returned", self.value(self.data[end]), end)

    def exception_events(self) -> list[int]:
        return [i for i, kind in enumerate(self.kinds) if kind == EXCEPTION]

    def layer(self, i: int) -> str:
        return self.code(i).layer

    def duration_of(self, call: int) -> int:
        """Microseconds spent in the frame opened at ``call``, callees included."""
        return self.times[self.end_of.get(call, call)] - self.times[call]

    def deepest_call(self) -> int:
        """The call with the most frames above it (first one when tied): where the pdb walkthrough of
        Nova's API stops."""
        best, best_depth = -1, -1
        for call in self.calls:
            if self.depth[call] > best_depth and not self.codes[self.code_ids[call]].is_inline:
                best, best_depth = call, self.depth[call]
        return best

    def find_calls(self, name: str) -> list[int]:
        """Calls whose qualname or ``module:qualname`` ends with ``name``."""
        return [c for c in self.calls if self.code(c).key.endswith(name) or self.code(c).qualname == name]


def read_doc(path: str | os.PathLike) -> dict:
    """The raw JSON of a trace file (plain or gzip), or :class:`TraceError` with one clear line.

    Read within limits (a regular file only, its size compressed and not, a time bound): see
    :mod:`tracer.model.trace_checks`.
    """
    p = Path(path)
    try:
        raw = read_limited(p)
    except TraceFileError as exc:
        raise TraceError(f"{p}: {exc}") from None
    if not raw.strip():
        raise TraceError(f"{p}: the trace file is empty")
    try:
        with gc_paused(keep=len(raw) >= BIG_TRACE_BYTES):
            return json.loads(raw)
    except RecursionError:
        raise TraceError(f"{p}: not a tracer trace (its JSON is nested deeper than any trace)") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise TraceError(f"{p}: not a tracer trace or truncated (invalid JSON: {exc})") from None


def load(path: str | os.PathLike) -> Trace:
    """Load and validate a trace file."""
    doc = read_doc(path)
    try:
        return Trace.from_dict(doc)
    except TraceError as exc:
        raise TraceError(f"{path}: {exc}") from None
