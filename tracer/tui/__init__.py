"""The replay TUI (``tracer tui FILE``, ``tracer run ... --tui``): a Textual face over tracer.replay.cursor.

Importing this package does not import Textual (``run_tui`` does, when the app starts): ``tracer run``
without ``--tui`` must not, and the CLI asks :func:`terminal_problem` first.
"""

from __future__ import annotations

import os
import sys

from tracer.model.trace import Trace, TraceError, load


def terminal_problem() -> str | None:
    """Why the full-screen replay cannot run here, or None: it draws on a terminal and reads keys from
    one, and with either end piped it would write escape codes into the pipe and wait for keys forever."""
    for name, stream in (("input", sys.stdin), ("output", sys.stdout)):
        if stream is None or not stream.isatty():
            return f"the replay is full-screen and needs a terminal, but standard {name} is not one"
    return None


def run_tui(trace: Trace | str | os.PathLike, start: int | str | None = None, **options: object) -> int:
    """Replay ``trace`` (a :class:`Trace`, or a path to load) full-screen; returns the exit code.

    ``start`` is an event index or a function name (its first call); by default the first event.
    A trace that cannot be loaded prints one line on stderr and returns 2 before the app starts (the
    CLI asks :func:`terminal_problem` before it calls this).
    """
    if not isinstance(trace, Trace):
        try:
            trace = load(trace)
        except TraceError as exc:
            print(f"tracer: {exc}", file=sys.stderr)
            return 2
    index = 0
    if isinstance(start, int):
        index = start
    elif isinstance(start, str) and start:
        calls = trace.find_calls(start)
        if not calls:
            print(f"tracer: no call of {start!r} in this trace", file=sys.stderr)
            return 2
        index = calls[0]
    from tracer.tui.app import TraceApp

    app = TraceApp(trace, start=index)
    result = app.run(**options)  # type: ignore[arg-type]
    return int(result or 0)


__all__ = ["run_tui"]
