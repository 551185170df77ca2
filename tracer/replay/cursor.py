"""The replay cursor: pdb's stepping commands over a recorded trace, in both directions.

This is the engine side of the replay (``bdb`` to the TUI's ``pdb``): it knows nothing of
rich or Textual, so the TUI, a test or any other face drives the same :class:`Cursor`.

A cursor is a :class:`Position`: the event it stands on and the frame being viewed (``u``/``d``
move the viewed frame without moving in time). Every command computes a target and goes
through one private move, :meth:`Cursor._move`. Nothing is executed during replay, so every
forward command has a backward twin that is its mirror image in time:

* ``step``/``step_back``: the next/previous event.
* ``next``/``next_back``: the next/previous event of the viewed frame, stepping over the calls
  it makes; at the frame's end ``next`` continues in the caller (as pdb does), at its start
  ``next_back`` continues backward in the caller.
* ``return_``/``return_back``: the viewed frame's return/call event; from there, the caller's.
* ``cont``/``cont_back``: the next/previous breakpoint hit, else the end/start.
* ``hop_next``/``hop_prev``: the next/previous hop (a call handing the request on, see :func:`hop_stops`),
  else the end/start. A chain of decorator frames (Nova's validation wrappers, see
  :mod:`tracer.replay.folds`) is stepped over unless the learner opened it (:meth:`HopWalk.walk_into_chain`).

Twins undo each other: a backward command undoes the forward command that led to where the
cursor is, and the other way round (``b(f(s)) == s`` whenever ``s`` was reached by ``b``, and
``f(b(s)) == s`` whenever ``s`` was reached by ``f``). A stronger ``b(f(s)) == s`` for *every*
``s`` cannot hold for commands that many positions share a target of (``end``, ``return_``,
``cont``), nor for ``next`` at a frame's end: the caller's next line is reached both by ``next``
over the call and by ``next`` from the callee's return.

Every command is a lookup or a bisect in an index, so going backward costs what going forward
costs and neither depends on the size of the trace: ``next`` bisects the viewed frame's steps
(:meth:`Trace.steps`, built once a frame, on first need), ``return``/``up`` read ``end_of`` and
``parent``, ``cont`` bisects the breakpoint hits and the hop jumps bisect the stops of ``hop_walk``,
listed at construction (and again when the learner opens or closes a chain of decorator frames).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from typing import NamedTuple

from tracer.model.trace import CALL, EXCEPTION, LINE, RETURN, Trace
from tracer.replay.breakpoints import Breakpoint, resolve, stops
from tracer.replay.hops import API_LAYERS, HopWalk, _layer_changes, hop_stops

__all__ = ["API_LAYERS", "Breakpoints", "Cursor", "Position", "HopWalk", "StackEntry", "_layer_changes", "hop_stops"]


class Position(NamedTuple):
    """Where the replay stands: an event index and the frame (its call index) being viewed."""

    index: int
    frame: int


@dataclass
class Breakpoints:
    """Breakpoints on functions (code ids: stop at their calls) and on file lines (stop at line events).

    ``numbered`` holds those set with pdb's ``b`` command (a number, a label and maybe a condition); the sets
    hold every place, those toggled from the source or hop panes too.
    """

    functions: set[int] = field(default_factory=set)
    lines: set[tuple[str, int]] = field(default_factory=set)
    numbered: dict[int, Breakpoint] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.functions or self.lines)


@dataclass(frozen=True)
class StackEntry:
    """One line of pdb's ``where``: a frame, the file and line it is on, and its function."""

    frame: int
    filename: str
    line: int
    function: str

    def format(self, viewed: bool) -> str:
        """pdb's form: ``> sample_api/api/openstack/wsgi.py(942)_process_stack()``."""
        return f"{'>' if viewed else ' '} {self.filename}({self.line}){self.function}()"


class Cursor:
    """A replay position over a :class:`Trace` and the pdb-like commands that move it.

    Each command returns the new :attr:`position` (unchanged when there is nowhere to go).
    """

    def __init__(self, trace: Trace, index: int = 0) -> None:
        self.trace = trace
        self.breakpoints = Breakpoints()
        n = len(trace)
        self._n = n
        self.hop_walk = HopWalk(trace)
        self._hits: list[int] = []
        self._search_cache: dict[str, list[int]] = {}
        self._calls_by_code: dict[int, list[int]] | None = None
        self._lines_by_place: dict[tuple[str, int], list[int]] | None = None
        self.position = Position(0, trace.frame_of[0] if n else -1)
        if n:
            self.goto(index)

    # -- the one move ----------------------------------------------------------------------------

    def _move(self, index: int, frame: int | None = None) -> Position:
        """Stand on ``index`` viewing ``frame`` (default: the frame the event happened in)."""
        if not self._n:
            return self.position
        index = min(max(index, 0), self._n - 1)
        self.position = Position(index, self.trace.frame_of[index] if frame is None else frame)
        return self.position

    # -- what faces read -------------------------------------------------------------------------

    @property
    def index(self) -> int:
        return self.position.index

    @property
    def frame(self) -> int:
        """The viewed frame (a call index)."""
        return self.position.frame

    @property
    def at_start(self) -> bool:
        return self.position.index == 0

    @property
    def at_end(self) -> bool:
        return self.position.index >= self._n - 1

    def stack(self) -> list[int]:
        """Frames active at the current event, outermost first."""
        return self.trace.stack(self.index) if self._n else []

    def where(self) -> list[StackEntry]:
        """pdb's ``where`` at the current event, outermost first."""
        trace, index = self.trace, self.index
        entries = []
        for frame in self.stack():
            code = trace.code(frame)
            entries.append(StackEntry(frame, code.filename, trace.line_at(index, frame), code.name))
        return entries

    def viewed_line(self) -> int:
        """The line the viewed frame is on (for an outer frame: the line of its pending call)."""
        return self.trace.line_at(self.index, self.frame) if self._n else 0

    # -- time moves ------------------------------------------------------------------------------

    def goto(self, index: int) -> Position:
        return self._move(index)

    def home(self) -> Position:
        return self._move(0)

    def end(self) -> Position:
        return self._move(self._n - 1)

    def step(self) -> Position:
        """pdb ``s``: the next event, whatever frame it is in."""
        return self._move(self.index + 1)

    def step_back(self) -> Position:
        return self._move(self.index - 1)

    def next(self) -> Position:
        """pdb ``n``: the viewed frame's next event, stepping over its calls; after its return, the caller's."""
        if not self._n:
            return self.position
        target = self._later_at_depth(self.index, self.frame)
        return self._move(target) if target < self._n else self.position

    def next_back(self) -> Position:
        if not self._n:
            return self.position
        target = self._earlier_at_depth(self.index, self.frame)
        return self._move(target) if target >= 0 else self.position

    def return_(self) -> Position:
        """pdb ``r``: the viewed frame's return event; from a return event, the caller's return."""
        if not self._n:
            return self.position
        frame = self.frame
        target = self.trace.end_of.get(frame, self._n - 1)
        if target == self.index:
            parent = self.trace.parent.get(frame, -1)
            if parent < 0:
                return self.position
            target = self.trace.end_of.get(parent, self._n - 1)
        return self._move(target)

    def return_back(self) -> Position:
        """Backward ``r``: the viewed frame's call event; from a call event, the caller's call."""
        if not self._n:
            return self.position
        target = self.frame
        if target == self.index:
            target = self.trace.parent.get(target, -1)
            if target < 0:
                return self.position
        return self._move(target)

    def cont(self) -> Position:
        """pdb ``c``: the next breakpoint hit, else the end of the request."""
        pos = bisect_right(self._hits, self.index)
        return self._move(self._hits[pos] if pos < len(self._hits) else self._n - 1)

    def cont_back(self) -> Position:
        pos = bisect_left(self._hits, self.index) - 1
        return self._move(self._hits[pos] if pos >= 0 else 0)

    def hop_next(self) -> Position:
        """The next hop (see :func:`hop_stops`): the call of the next function the request is handed to, else
        the end."""
        hops = self.hop_walk.stops
        pos = bisect_right(hops, self.index)
        return self._move(hops[pos] if pos < len(hops) else self._n - 1)

    def hop_prev(self) -> Position:
        hops = self.hop_walk.stops
        pos = bisect_left(hops, self.index) - 1
        return self._move(hops[pos] if pos >= 0 else 0)

    def _later_at_depth(self, index: int, frame: int) -> int:
        """The first event after ``index`` at ``frame``'s depth or shallower; ``len(trace)`` when none.

        ``frame`` is on the stack at ``index``: until its return, that is its next step; after it,
        the next event (in the caller, or a call the caller makes next).
        """
        steps = self.trace.steps(frame)
        pos = bisect_right(steps, index)
        return steps[pos] if pos < len(steps) else index + 1

    def _earlier_at_depth(self, index: int, frame: int) -> int:
        """The last event before ``index`` at ``frame``'s depth or shallower; -1 when none.

        Back to ``frame``'s previous step; from its call, the event before it (in the caller).
        """
        steps = self.trace.steps(frame)
        pos = bisect_left(steps, index) - 1
        return steps[pos] if pos >= 0 else index - 1

    def goto_function(self, code_id: int) -> Position:
        """The next call of a function after the current event, wrapping around (the ``g`` palette)."""
        calls = self._index_places()[0].get(code_id, [])
        if not calls:
            return self.position
        pos = bisect_right(calls, self.index)
        return self._move(calls[pos] if pos < len(calls) else calls[0])

    # -- frame moves (pdb u/d): the viewed frame changes, time does not ----------------------------

    def up(self) -> Position:
        """pdb ``u``: view the caller of the viewed frame."""
        parent = self.trace.parent.get(self.frame, -1) if self._n else -1
        return self._move(self.index, parent) if parent >= 0 else self.position

    def down(self) -> Position:
        """pdb ``d``: view the frame the viewed frame is waiting on."""
        stack = self.stack()
        pos = stack.index(self.frame) if self.frame in stack else len(stack) - 1
        return self._move(self.index, stack[pos + 1]) if pos + 1 < len(stack) else self.position

    def view(self, frame: int) -> Position:
        """View ``frame`` if it is on the current stack (a click in the stack pane)."""
        return self._move(self.index, frame) if frame in self.stack() else self.position

    # -- breakpoints -----------------------------------------------------------------------------

    def toggle_function_breakpoint(self, code_id: int) -> bool:
        """Break at every call of a function; returns True when the breakpoint is now set."""
        functions = self.breakpoints.functions
        is_set = code_id not in functions
        if is_set:
            functions.add(code_id)
        else:
            functions.discard(code_id)
        self._index_hits()
        return is_set

    def toggle_line_breakpoint(self, filename: str, line: int) -> bool:
        """Break whenever a file line is reached; returns True when the breakpoint is now set."""
        lines = self.breakpoints.lines
        place = (filename, line)
        is_set = place not in lines
        if is_set:
            lines.add(place)
        else:
            lines.discard(place)
        self._index_hits()
        return is_set

    def breakpoint_hits(self) -> list[int]:
        """Events where ``cont`` stops, in order."""
        return list(self._hits)

    def _index_places(self) -> tuple[dict[int, list[int]], dict[tuple[str, int], list[int]]]:
        """Calls of each function and line events of each file line; built once, on first need."""
        if self._calls_by_code is None or self._lines_by_place is None:
            trace, calls, places = self.trace, {}, {}
            for i, kind in enumerate(trace.kinds):
                if kind == CALL:
                    calls.setdefault(trace.code_ids[i], []).append(i)
                elif kind == LINE:
                    places.setdefault((trace.codes[trace.code_ids[i]].filename, trace.lines[i]), []).append(i)
            self._calls_by_code, self._lines_by_place = calls, places
        return self._calls_by_code, self._lines_by_place

    def _index_hits(self) -> None:
        calls, places = self._index_places()
        conditional = {bp.place: bp for bp in self.breakpoints.numbered.values() if bp.condition}
        hits: set[int] = set()
        for code_id in self.breakpoints.functions:
            events = calls.get(code_id, [])
            bp = conditional.get(("function", code_id))
            hits.update(stops(self.trace, bp, events) if bp else events)
        for place in self.breakpoints.lines:
            events = places.get(place, [])
            bp = conditional.get(("line", *place))
            hits.update(stops(self.trace, bp, events) if bp else events)
        self._hits = sorted(hits)

    def add_breakpoint(self, text: str) -> Breakpoint:
        """pdb's ``b TEXT`` (see :func:`tracer.replay.breakpoints.resolve`); raises ``BreakpointError``."""
        code = self.trace.code(self.frame) if self._n else None
        number = max(self.breakpoints.numbered, default=0) + 1
        breakpoint = resolve(self.trace, text, code.filename if code else None, number)
        for old in [n for n, bp in self.breakpoints.numbered.items() if bp.place == breakpoint.place]:
            del self.breakpoints.numbered[old]  # a place has one condition: the newest
        self.breakpoints.numbered[number] = breakpoint
        if breakpoint.place[0] == "line":
            self.breakpoints.lines.add(breakpoint.place[1:])
        else:
            self.breakpoints.functions.add(breakpoint.place[1])
        self._index_hits()
        return breakpoint

    def clear_breakpoint(self, number: int) -> Breakpoint | None:
        """pdb's ``cl NUMBER``: the breakpoint removed, or None when there is no such number."""
        breakpoint = self.breakpoints.numbered.pop(number, None)
        if breakpoint is not None:
            if breakpoint.place[0] == "line":
                self.breakpoints.lines.discard(breakpoint.place[1:])
            else:
                self.breakpoints.functions.discard(breakpoint.place[1])
            self._index_hits()
        return breakpoint

    def breakpoint_list(self) -> list[str]:
        """pdb's ``b`` without arguments: every breakpoint, with its condition and how often it stops."""
        calls, places = self._index_places()
        hits = set(self._hits)
        listed = []
        numbered = {bp.place for bp in self.breakpoints.numbered.values()}
        for bp in sorted(self.breakpoints.numbered.values(), key=lambda b: b.number):
            events = calls.get(bp.place[1], []) if bp.place[0] == "function" else places.get(bp.place[1:], [])
            listed.append(bp.describe(sum(1 for e in events if e in hits)))
        for code_id in sorted(self.breakpoints.functions):
            if ("function", code_id) not in numbered:
                code = self.trace.codes[code_id]
                listed.append(f"    breakpoint at {code.qualname}  ({len(calls.get(code_id, []))} calls)")
        for place in sorted(self.breakpoints.lines):
            if ("line", *place) not in numbered:
                listed.append(f"    breakpoint at {place[0]}:{place[1]}  ({len(places.get(place, []))} hits)")
        return listed

    # -- search ----------------------------------------------------------------------------------

    def matches(self, text: str) -> list[int]:
        """Events where ``text`` shows up: calls of functions whose name or file contains it, and events where
        a recorded value containing it appears (arguments, a new local, a return value, an exception)."""
        needle = text.strip().casefold()
        if not needle:
            return []
        found = self._search_cache.get(needle)
        if found is None:
            found = self._search_cache[needle] = self._find(needle)
        return found

    def search(self, text: str, backward: bool = False) -> Position | None:
        """Go to the next (or previous) match of ``text``, wrapping around; None when nothing matches."""
        found = self.matches(text)
        if not found:
            return None
        if backward:
            pos = bisect_left(found, self.index) - 1
            return self._move(found[pos])  # pos == -1 wraps to the last match
        pos = bisect_right(found, self.index)
        return self._move(found[pos] if pos < len(found) else found[0])

    def _find(self, needle: str) -> list[int]:
        trace = self.trace
        rows = trace.doc["values"]
        hit_rows = [False] * len(rows)
        for rid, row in enumerate(rows):  # children are interned before their parents
            hit = needle in str(row[1]).casefold()
            if not hit and len(row) > 2 and row[2]:
                hit = any(hit_rows[child] for _key, child in row[2] if 0 <= child < rid)
            hit_rows[rid] = hit
        hit_scopes = [any(hit_rows[rid] for _name, rid in scope) for scope in trace.doc["scopes"]]
        hit_codes = {cid for cid, code in enumerate(trace.codes)
                     if needle in code.qualname.casefold() or needle in code.filename.casefold()}
        kinds, data, code_ids, frame_of = trace.kinds, trace.data, trace.code_ids, trace.frame_of
        found = []
        for i, kind in enumerate(kinds):
            ref = data[i]
            if kind == CALL:
                if code_ids[i] in hit_codes or (ref >= 0 and hit_scopes[ref]):
                    found.append(i)
            elif kind == LINE:
                if ref >= 0 and hit_scopes[ref]:
                    # the frame's previous step (a line has one: at least the call): report where the
                    # value first appears
                    prev = self._earlier_at_depth(i, frame_of[i])
                    prev_ref = data[prev] if kinds[prev] in (CALL, LINE) else -1
                    if not (prev_ref >= 0 and hit_scopes[prev_ref]):
                        found.append(i)
            elif kind in (RETURN, EXCEPTION) and ref >= 0 and hit_rows[ref]:
                found.append(i)
        return found
