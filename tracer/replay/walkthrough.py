"""Where the pdb-style walkthrough stops, and the stack a reader sees there.

Engine side (no rich): the ``--format pdb`` renderer, the TUI and lessons all ask this
module the same two questions, so they agree on the stopping point and on the frames.
"""

from __future__ import annotations

from dataclasses import dataclass

from tracer.model.trace import CodeInfo, Trace, TraceError

#: Layers whose public methods are the "application" part of a request, where the pdb walkthrough of Nova's API stops.
APP_LAYERS = ("controller", "view", "extension", "compute")


@dataclass(frozen=True)
class FrameLine:
    """One frame of the stack as pdb's ``where`` shows it: file, current line and function."""

    call: int
    filename: str
    line: int
    function: str
    code: CodeInfo
    #: comprehension frames folded into this one (their locals are the frame's too, as a reader sees it)
    inner: tuple[int, ...] = ()


def is_public_method(code: CodeInfo) -> bool:
    """``Class.method`` with a public name (``__call__`` counts): the hops a learner reads as API."""
    parts = code.qualname.split(".")
    if len(parts) != 2 or parts[0].startswith("<"):
        return False
    method = parts[1]
    return method == "__call__" or not method.startswith("_")


def matches(code: CodeInfo, name: str) -> bool:
    """True when ``name`` names this function: its qualname, ``module:qualname``, or a dotted tail of either."""
    if code.qualname == name or code.key == name:
        return True
    return code.key.endswith("." + name) or code.key.endswith(":" + name)


def walkthrough_point(trace: Trace, at: str | None = None) -> int:
    """The event index where the walkthrough stops.

    With ``at``, the first call of that function (``NAME#N``: its Nth call); by default the first call of the
    function the trace's target names (``meta["target"]["stop"]``, e.g. Nova's ``ViewBuilder.show``) when there
    is one, else the deepest call of a public
    method in an application layer (for GET /servers/detail the view builder's ``show`` of
    the first server), because that is the stack the pdb walkthrough of Nova's API shows. Falls back to the
    deepest call of any kind.
    """
    if not trace.calls:
        raise TraceError("the trace has no calls to walk through")
    if at is not None:
        name, _, nth = at.strip().partition("#")
        name = name.strip()
        if nth and not (nth.isdigit() and int(nth) >= 1):
            raise TraceError(f"--at {at!r}: after '#' give which call, counting from 1 (e.g. {name}#2)")
        calls = [call for call in trace.calls if not trace.code(call).is_inline and matches(trace.code(call), name)]
        if not calls:
            raise TraceError(f"no call of {name!r} in this trace ({_suggest(trace, name)})")
        n = int(nth) if nth else 1
        if n > len(calls):
            raise TraceError(f"{name!r} is called {len(calls)} time{'s' if len(calls) != 1 else ''} in this "
                             f"trace: #{n} is past the last")
        return calls[n - 1]
    stop = (trace.meta.get("target") or {}).get("stop")  # where the recorded app's walkthrough stops
    if isinstance(stop, str):
        for call in trace.calls:
            code = trace.code(call)
            if not code.is_inline and matches(code, stop):
                return call
    best, best_depth = -1, -1
    for call in trace.calls:
        code = trace.code(call)
        if code.layer in APP_LAYERS and is_public_method(code) and trace.depth[call] > best_depth:
            best, best_depth = call, trace.depth[call]
    if best >= 0:
        return best
    deepest = trace.deepest_call()
    return deepest if deepest >= 0 else trace.calls[0]


def frames_at(trace: Trace, i: int) -> list[FrameLine]:
    """The stack at event ``i``, outermost first, with comprehension frames folded into their parent.

    A comprehension runs on its parent's lines (Python 3.12 does not even give it a frame), so
    the parent is shown on the comprehension's current line and the comprehension itself is left out.
    """
    frames: list[FrameLine] = []
    for frame in trace.stack(i):
        code = trace.code(frame)
        line = trace.line_at(i, frame)
        if code.is_inline and frames:
            parent = frames[-1]
            frames[-1] = FrameLine(parent.call, parent.filename, line, parent.function, parent.code,
                                   (*parent.inner, frame))
            continue
        frames.append(FrameLine(frame, code.filename, line, code.name, code))
    return frames


def _suggest(trace: Trace, name: str) -> str:
    """A hint listing a few functions that are in the trace, closest names first."""
    seen: dict[str, None] = {}
    lowered = name.lower().rsplit(".", 1)[-1]
    for call in trace.calls:
        code = trace.code(call)
        if not code.is_inline and is_public_method(code):
            seen.setdefault(code.qualname, None)
    names = sorted(seen, key=lambda q: (lowered not in q.lower(), q))
    if not names:
        return "it records no public methods"
    return "try one of: " + ", ".join(names[:5])
