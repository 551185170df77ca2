"""The comparison of two traces, printed: where the runs parted, the values that decided it, what only one did."""

from __future__ import annotations

from rich.console import Console, ConsoleOptions, RenderResult
from rich.text import Text

from tracer.render.response import status_line
from tracer.render.theme import DIM, NAME
from tracer.replay.diff import TraceDiff


def _who(diff: TraceDiff, side: str) -> str:
    trace = diff.a if side == "a" else diff.b
    user, project = trace.request.get("user_id"), trace.request.get("project_id")
    return f"{side.upper()} ({user}:{project})" if user else side.upper()


class DiffReport:
    """``tracer diff``: both status lines, the first divergence with its line and values, then a summary."""

    def __init__(self, diff: TraceDiff, summary: bool = True) -> None:
        self.diff = diff
        self.summary = summary  # the status lines and what only one ran (the replay shows those itself)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        diff = self.diff
        wa, wb = _who(diff, "a"), _who(diff, "b")
        if self.summary:
            yield Text(f"{wa}: ") + status_line(diff.a)
            yield Text(f"{wb}: ") + status_line(diff.b)
            yield Text("")
        d = diff.divergence
        if d is None:
            yield Text(f"Same path: all {len(diff.pairs)} hops, and every line in them, in the same order.",
                       style=NAME)
        else:
            yield Text(f"First divergence after {len(_before(diff))} hops in common:", style=NAME)
            where = f"  in {d.frame}  {d.file}"
            yield Text(where + (f":{d.line}" if d.line else ""))
            if d.callers:
                yield Text(f"  called by {' ← '.join(reversed(d.callers))}", style=DIM)
            if d.source:
                yield Text(f"    {d.line}  {d.source}", style="bold")
            yield Text(f"  {wa} then {d.a_next}")
            yield Text(f"  {wb} then {d.b_next}")
            if d.values:
                yield Text("  values that differed there:")
                width = max(len(v.what) for v in d.values)
                for value in d.values:
                    yield Text(f"    {value.what:<{width}}  {wa}: {value.a}")
                    yield Text(f"    {'':<{width}}  {wb}: {value.b}")
        if not self.summary:
            return
        for side, rows, total in (("a", diff.only_a, diff.only_a_total), ("b", diff.only_b, diff.only_b_total)):
            if not rows:
                continue
            word = "call" if total == 1 else "calls"
            most = ", the most frequent" if sum(n for _, n in rows) < total else ""
            yield Text("")
            yield Text(f"Only {_who(diff, side)} made {total} {word}{most}:", style=NAME)
            for name, n in rows:
                yield Text(f"  {n:>4} × {name}", style=DIM if n == 1 else "")
        if len(diff.divergences) > 1:
            yield Text("")
            yield Text(f"{len(diff.divergences)} stretches differ in all; `tracer diff --format json` lists them.",
                       style=DIM)


def _before(diff: TraceDiff) -> list[tuple[int, int]]:
    """The matched hops before the first differing stretch."""
    if not diff.divergences:
        return diff.pairs
    first_a = diff.divergences[0][0]
    return [pair for pair in diff.pairs if pair[0] < first_a]
