"""Opening the replay TUI from the command line, which must not import Textual until then."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tracer.cli.arguments import UsageError

if TYPE_CHECKING:
    from tracer.model.trace import Trace


def open_tui(trace: Trace, start: int = 0) -> int:
    """Hand the trace to the Textual replay (imported only here: it is slow to import)."""
    try:
        from tracer.tui import run_tui, terminal_problem
    except ImportError as exc:
        raise UsageError(f"the replay TUI is not available ({exc})") from None
    problem = terminal_problem()
    if problem is not None:
        raise UsageError(problem)
    return int((run_tui(trace, start) if start else run_tui(trace)) or 0)
