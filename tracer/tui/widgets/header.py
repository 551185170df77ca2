"""The header: where the replay stands (event number, kind, function), then the request and how it ended.

One line on any terminal: the step's part comes first and is kept whole when it fits, and the
request's part gives way, ending in ``…`` where it is cut, so a narrow terminal still shows which
function the replay is in and at which event.

The line is drawn with the line API (``render_line``), the way the panes are, from a strip kept until
the step or the width changes: the general path for a widget's ``render`` result costs several times
more, and the header changes on every step.
"""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.strip import Strip
from textual.widget import Widget

from tracer.model.trace import KIND_NAMES, Trace
from tracer.replay.cursor import Position
from tracer.tui.theme import format_us, status_style


class TraceHeader(Widget):
    """The step (``event 12/3,456 line Resource._process_stack``), then request line, user:project,
    status and total time."""

    DEFAULT_CSS = """
    TraceHeader { height: 1; }
    """

    position: reactive[Position] = reactive(Position(0, -1), repaint=False)

    def __init__(self, trace: Trace, **kwargs) -> None:
        super().__init__(**kwargs)
        self.trace = trace
        self.request = self._describe_request(trace)
        self.step = Text()
        self._drawn: tuple[tuple, Strip] | None = None  # (what it shows, width, style) and its strip

    @property
    def text(self) -> Text:
        """The whole line, uncut: the step, then the request."""
        return Text.assemble(self.step, self.request)

    @staticmethod
    def _describe_request(trace: Trace) -> Text:
        request, response = trace.request, trace.response
        who = f"{request.get('user_id') or '?'}:{request.get('project_id') or '?'}"
        status = f"{trace.status} {response.get('reason', '')}".strip()
        text = Text()
        text.append(f"│ {trace.request_line} ", style="bold")
        text.append(f" {who} ", style="italic")
        text.append(f" {status} ", style=status_style(trace.status))
        text.append(f" {format_us(trace.duration_us)} ")
        if trace.truncated:
            text.append(" truncated ", style="bold red")
        return text

    def watch_position(self, position: Position) -> None:
        trace = self.trace
        if len(trace):
            i = position.index
            self.step = Text.assemble((f" event {i + 1}/{len(trace)} ", "dim"),
                                      (f"{KIND_NAMES[trace.kinds[i]]} ", "bold"), (f"{trace.code(i).qualname} ", ""))
        else:
            self.step = Text(" no events were recorded ", style="dim")
        self.refresh()

    def render_line(self, y: int) -> Strip:
        width, style = self.size.width, self.rich_style
        key = (self.step, width, style)
        if self._drawn is None or self._drawn[0] != key:
            line = self.line(width)
            strip = Strip(line.render(self.app.console)).extend_cell_length(width).crop(0, width)
            self._drawn = (key, strip.apply_style(style))
        return self._drawn[1]

    def render(self) -> Text:
        """The line cut to the width (what :meth:`render_line` draws, as text)."""
        return self.line(self.size.width)

    def line(self, width: int) -> Text:
        """The line cut to ``width``: the request first, then (on a very narrow terminal) the step."""
        step = self.step.copy()
        if step.cell_len >= width:  # not even the step fits: it is cut, and says so
            step.truncate(width, overflow="ellipsis")
            return step
        request = self.request.copy()
        request.rstrip()  # its last space is not worth an ellipsis
        request.truncate(max(width - step.cell_len, 0), overflow="ellipsis")
        return Text.assemble(step, request, no_wrap=True, overflow="ellipsis")
