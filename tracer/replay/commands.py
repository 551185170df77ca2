"""pdb's commands typed at the replay's prompt, run against a :class:`Cursor`: the words a face prints back.

``b`` (list, or set ``FILE:LINE``/``LINE``/``FUNCTION`` with ``if COND``), ``cl N``, ``p``/``pp EXPR``,
``w``, ``l``, ``ll``, ``u``, ``d``, ``s``, ``n``, ``r``, ``c`` and ``help``, as pdb spells them. Also the
reason a move cannot act (``u`` at the outermost frame...), which faces show in their status line.
"""

from __future__ import annotations

from dataclasses import dataclass

from tracer.replay import pdbtext
from tracer.replay.breakpoints import BreakpointError
from tracer.replay.cursor import Cursor, Position

MOVES = {"s": "step", "step": "step", "n": "next", "next": "next", "r": "return_", "return": "return_",
         "c": "cont", "cont": "cont", "continue": "cont", "u": "up", "up": "up", "d": "down", "down": "down"}

HELP = [
    "b                       list the breakpoints",
    "b FILE:LINE [if COND]   stop at a line, e.g. b views/servers.py:95 if instance['display_name'] == 'db-01'",
    "b LINE | b FUNCTION     a line of the file in view, or every call of a function (e.g. b ViewBuilder.show)",
    "cl N                    clear breakpoint N",
    "p EXPR / pp EXPR        print a recorded value: names, x['key'], x.attr, comparisons, and/or/not",
    "w   l   ll              where (the stack), list (11 lines), longlist (the whole function)",
    "s n r c u d             step, next, return, continue, up, down (the keys do the same; S N R C go back)",
]


@dataclass
class Outcome:
    """What a command printed, where it moved the cursor (None: nowhere), whether breakpoints changed."""

    lines: list[str]
    moved: Position | None = None
    breakpoints_changed: bool = False


def run(cursor: Cursor, text: str) -> Outcome:
    """Run one pdb command line; unknown commands answer as pdb does."""
    word, _, rest = text.strip().partition(" ")
    rest = rest.strip()
    if word in ("b", "break"):
        if not rest:
            listed = cursor.breakpoint_list()
            return Outcome(listed or ["No breakpoints set."])
        try:
            breakpoint = cursor.add_breakpoint(rest)
        except BreakpointError as exc:
            return Outcome([f"*** {exc}"])
        hits = len(cursor.breakpoint_hits())
        return Outcome([f"Breakpoint {breakpoint.number} at {breakpoint.label}"
                        + (f" if {breakpoint.condition}" if breakpoint.condition else "")
                        + f" (c stops {hits} time{'s' if hits != 1 else ''} in all)"], breakpoints_changed=True)
    if word in ("cl", "clear"):
        if not rest.isdigit():
            return Outcome(["*** usage: cl NUMBER (b lists the numbers)"])
        removed = cursor.clear_breakpoint(int(rest))
        if removed is None:
            return Outcome([f"*** There is no breakpoint number {rest}"])
        return Outcome([f"Deleted breakpoint {removed.number} at {removed.label}"], breakpoints_changed=True)
    if word in ("p", "pp", "print"):
        if not rest:
            return Outcome(["*** usage: p EXPR"])
        return Outcome(pdbtext.print_expression(cursor, rest))
    if word in ("w", "where", "bt"):
        return Outcome(pdbtext.where(cursor))
    if word in ("l", "list"):
        return Outcome(pdbtext.list_lines(cursor))
    if word in ("ll", "longlist"):
        return Outcome(pdbtext.longlist(cursor))
    if word in ("h", "help"):
        return Outcome(list(HELP))
    if word in MOVES:
        method = MOVES[word]
        before = cursor.position
        after = getattr(cursor, method)()
        return Outcome([] if after != before else [f"*** {why_not(cursor, method)}"], after)
    return Outcome([f"*** unknown command {word!r} (help lists them)"])


def why_not(cursor: Cursor, method: str) -> str:
    """Why ``method`` left the cursor where it was: one line for a status line."""
    trace = cursor.trace
    if not len(trace):
        return "the trace has no events"
    if method == "up":
        return "already at the outermost frame (the first one recorded)"
    if method == "down":
        return "already at the innermost frame (the one running at this event)"
    if method in ("step", "next", "return_", "cont", "hop_next", "end"):
        if cursor.at_end:
            return "at the last event of the request: nothing runs after it (use the back keys or home)"
        if method == "next":
            return "this frame has no later step, and nothing runs after it"
        if method == "return_":
            return "this frame has not returned in the trace (it was still running when recording stopped)"
    if method in ("step_back", "next_back", "return_back", "cont_back", "hop_prev", "home") and cursor.at_start:
        return "at the first event of the request: nothing ran before it"
    return "nothing to move to from here"
