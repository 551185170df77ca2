"""Two traces of the same request, aligned on the frames they share: what changed between two apps' paths.

The path of a trace is the stack where its pdb walkthrough stops (for GET /servers/detail, down to the view
builder's ``show``). Two paths are aligned on the longest run of frames, in order, that have the same name
(``Resource.__call__``, ``_process_stack``, ``dispatch``, ``ServersController.detail``...). Between two shared
frames each side may add frames of its own on the path (Nova's validation decorators), and calls beside the
path that finished before the next shared frame began (Nova's multi-cell instance lister): both are listed.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field

from tracer.model.trace import Trace
from tracer.replay.walkthrough import frames_at, walkthrough_point


@dataclass(frozen=True)
class Hop:
    """One function on a side of the comparison: its name, layer, where it is, and how many calls it made."""

    qualname: str
    layer: str
    filename: str
    line: int
    calls_below: int
    #: how many same-named frames in a row this hop stands for (Nova's stacked decorators)
    repeated: int = 1
    #: a frame of the path itself (still running at the stop), not a call beside it that had finished
    on_path: bool = False

    def as_dict(self) -> dict:
        return {"function": self.qualname, "layer": self.layer, "file": self.filename, "line": self.line,
                "calls_below": self.calls_below, "repeated": self.repeated, "on_path": self.on_path}


@dataclass
class Step:
    """One row of the comparison: a shared frame (``shared``), or what each side adds before the next one."""

    shared: str | None
    left: list[Hop] = field(default_factory=list)
    right: list[Hop] = field(default_factory=list)

    def as_dict(self) -> dict:
        kind = "shared" if self.shared else "between"
        row: dict = {"kind": kind, "left": [hop.as_dict() for hop in self.left],
                     "right": [hop.as_dict() for hop in self.right]}
        if self.shared:
            row["function"] = self.shared
        return row


def path_of(trace: Trace) -> list[int]:
    """The calls on the walkthrough's stack, outermost first (comprehensions folded into their parent)."""
    return [frame.call for frame in frames_at(trace, walkthrough_point(trace))]


def _hop(trace: Trace, call: int, on_path: bool = False) -> Hop:
    code = trace.code(call)
    end = trace.end_of.get(call, len(trace) - 1)
    below = bisect.bisect_right(trace.calls, end) - bisect.bisect_right(trace.calls, call)
    return Hop(code.qualname, code.layer, code.filename, code.firstlineno, below, on_path=on_path)


def _align(left: list[str], right: list[str]) -> list[tuple[int, int]]:
    """Index pairs of the longest common subsequence of two name lists (the frames both paths share)."""
    rows, cols = len(left), len(right)
    best = [[0] * (cols + 1) for _ in range(rows + 1)]
    for i in range(rows - 1, -1, -1):
        for j in range(cols - 1, -1, -1):
            if left[i] == right[j]:
                best[i][j] = best[i + 1][j + 1] + 1
            else:
                best[i][j] = max(best[i + 1][j], best[i][j + 1])
    pairs, i, j = [], 0, 0
    while i < rows and j < cols:
        if left[i] == right[j]:
            pairs.append((i, j))
            i, j = i + 1, j + 1
        elif best[i + 1][j] >= best[i][j + 1]:
            i += 1
        else:
            j += 1
    return pairs


def _between(trace: Trace, path: list[int], start: int, stop: int) -> list[Hop]:
    """What one side runs after path frame ``start`` and before path frame ``stop``: its own path frames, and
    the finished calls beside the path, of every path frame from ``start`` up to the one that calls ``stop``."""
    hops: list[Hop] = []
    for position in range(start, stop):
        frame = path[position]
        if position > start:
            hops.append(_hop(trace, frame, on_path=True))
        following = path[position + 1] if position + 1 < len(path) else None
        for child in trace.children(frame):
            if following is not None and child >= following:
                break
            if trace.code(child).is_inline:
                continue
            hops.append(_hop(trace, child))
    return _fold(hops)


def _fold(hops: list[Hop]) -> list[Hop]:
    """Same-named hops in a row become one, with how many it stands for."""
    folded: list[Hop] = []
    for hop in hops:
        last = folded[-1] if folded else None
        if last is not None and (last.qualname, last.filename, last.on_path) == (hop.qualname, hop.filename,
                                                                                   hop.on_path):
            below = last.calls_below if last.on_path else last.calls_below + hop.calls_below
            folded[-1] = Hop(last.qualname, last.layer, last.filename, last.line, below,
                             last.repeated + hop.repeated, last.on_path)
        else:
            folded.append(hop)
    return folded


def compare(left: Trace, right: Trace) -> list[Step]:
    """The two walkthrough paths side by side: shared frames, and what each side adds between them."""
    left_path, right_path = path_of(left), path_of(right)
    pairs = _align([left.code(c).qualname for c in left_path], [right.code(c).qualname for c in right_path])
    steps: list[Step] = []
    before = (-1, -1)
    for i, j in pairs + [(len(left_path), len(right_path))]:
        gap = Step(None, _gap(left, left_path, before[0], i), _gap(right, right_path, before[1], j))
        if gap.left or gap.right:
            steps.append(gap)
        if i < len(left_path):
            steps.append(Step(left.code(left_path[i]).qualname, [_hop(left, left_path[i], True)],
                              [_hop(right, right_path[j], True)]))
        before = (i, j)
    return steps


def _gap(trace: Trace, path: list[int], start: int, stop: int) -> list[Hop]:
    if start < 0:  # before the first shared frame: the outer frames of the path themselves
        return _fold([_hop(trace, path[k], True) for k in range(stop)])
    if stop >= len(path):  # after the last shared frame: what runs beneath it, down to the stop
        return _between(trace, path, start, len(path) - 1) + (
            [_hop(trace, path[-1], True)] if len(path) - 1 > start else [])
    return _between(trace, path, start, stop)
