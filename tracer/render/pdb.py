"""The pdb face: the stack at the walkthrough point, frame by frame, as pdb prints it.

::

    > sample_api/api/openstack/wsgi.py(890)__call__()
        889         return self._process_stack(request, action, action_args,
    --> 890                                content_type, body, accept)
        891

The line numbers sit in a 7-wide column with the arrow grown from the left (``--> 890``,
``-> 1022``, ``---> 89``), as in IPython's debugger, which the blog walkthrough of Nova's API was copied
from. Source comes from the trace, so the walkthrough is right even after the code on disk changed.
"""

from __future__ import annotations

from rich.console import Console, ConsoleOptions, RenderResult
from rich.text import Text

from tracer.model.trace import Trace
from tracer.render.theme import DIM
from tracer.replay.evaluate import one_line
from tracer.replay.walkthrough import FrameLine, frames_at, walkthrough_point

NUMBER_WIDTH = 7
#: Lines shown around the current one (one before and one after, as in the blog walkthrough).
CONTEXT = 1


def arrow(lineno: int) -> str:
    """The current line's number with an arrow filling the column: ``--> 890``."""
    digits = str(lineno)
    pad = NUMBER_WIDTH - len(digits)
    if pad >= 2:
        return "-" * (pad - 2) + "> " + digits
    return ">" * pad + digits


def frame_header(frame: FrameLine) -> str:
    """``> sample_api/api/openstack/wsgi.py(890)__call__()``."""
    return f"> {frame.filename}({frame.line}){frame.function}()"


def frame_lines(trace: Trace, frame: FrameLine, context: int = CONTEXT) -> list[tuple[str, str, bool]]:
    """``(number column, source text, is current)`` for the lines around the frame's current line."""
    source = trace.source_lines(frame.filename)
    first = max(frame.line - context, 1)
    last = min(frame.line + context, len(source))
    rows = []
    for lineno in range(first, last + 1):
        current = lineno == frame.line
        number = arrow(lineno) if current else str(lineno).rjust(NUMBER_WIDTH)
        rows.append((number, source[lineno - 1].rstrip(), current))
    return rows


def walkthrough_text(trace: Trace, at: str | None = None, context: int = CONTEXT, show_locals: bool = False) -> str:
    """The whole walkthrough as plain text (what ``--format pdb`` prints, without styles)."""
    return PdbWalkthrough(trace, at, context, show_locals).plain()


def locals_lines(trace: Trace, point: int, frame: FrameLine) -> list[str]:
    """``name = value`` for each local of the frame as it was at ``point`` (a folded comprehension's too),
    redacted as recorded: what pdb's ``up`` to that frame and then ``p name`` would print."""
    lines = []
    for call in (frame.call, *frame.inner):
        for name, value in trace.locals_at(point, call):
            lines.append(f"{name} = {one_line(value)}")
    return lines


class PdbWalkthrough:
    """A rich renderable of the walkthrough at ``at`` (a function name, ``NAME#N`` for its Nth call) or the
    default point; with ``show_locals``, each frame's locals under it."""

    def __init__(self, trace: Trace, at: str | None = None, context: int = CONTEXT, show_locals: bool = False) -> None:
        self.trace = trace
        self.point = walkthrough_point(trace, at)
        self.context = context
        self.show_locals = show_locals

    def frames(self) -> list[FrameLine]:
        return frames_at(self.trace, self.point)

    def lines(self) -> list[Text]:
        """One Text per output line, a blank line between frames."""
        out: list[Text] = []
        for n, frame in enumerate(self.frames()):
            if n:
                out.append(Text(""))
            out.append(Text(frame_header(frame), style="bold"))
            rows = frame_lines(self.trace, frame, self.context)
            if not rows:
                out.append(Text(" " * NUMBER_WIDTH + " [source not in the trace]", style=DIM))
            for number, source, current in rows:
                line = Text(number, style="bold" if current else DIM)
                if source:
                    line.append(" " + source, style="bold" if current else "")
                out.append(line)
            if self.show_locals:
                for text in locals_lines(self.trace, self.point, frame):
                    out.append(Text(" " * NUMBER_WIDTH + " " + text, style=DIM))
        return out

    def plain(self) -> str:
        return "\n".join(line.plain for line in self.lines()) + "\n"

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        for line in self.lines():
            line.no_wrap = True
            line.overflow = "ignore"
            yield line
