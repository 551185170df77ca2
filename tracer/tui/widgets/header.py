"""The header: what request this is, who made it, how it ended, and where the replay stands."""

from __future__ import annotations

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.cache import LRUCache
from textual.reactive import reactive
from textual.strip import Strip
from textual.widgets import Static

from tracer.replay import Position
from tracer.trace import KIND_NAMES, Trace
from tracer.tui.theme import format_us, status_style
from tracer.tui.widgets.memo import StillLines


class TraceHeader(StillLines, Static):
    """One line: request line, user:project, status, total time; then the current event.

    The line changes on every step (issue 4: <= 10 ms a key). A ``Static`` lays its text out and
    renders it whole each time; when the line fits, this one draws it from the request's
    segments, rendered once, and the step's own few words. A line too long for the terminal (cut
    as ``Static`` cuts it) and a mouse selection in the header are drawn by ``Static``.
    """

    position: reactive[Position] = reactive(Position(0, -1), repaint=False)

    def __init__(self, trace: Trace, **kwargs) -> None:
        super().__init__(**kwargs)
        self.trace = trace
        self._request = self._describe_request(trace)
        self.text = Text()
        self._step = Text()
        self._request_segments: list[Segment] | None = None
        self._index = -1  # the event the text describes
        self._drawn: LRUCache[tuple[int, int, Style], Strip] = LRUCache(8)  # lines drawn, by event, width and style

    @staticmethod
    def _describe_request(trace: Trace) -> Text:
        request, response = trace.request, trace.response
        who = f"{request.get('user_id') or '?'}:{request.get('project_id') or '?'}"
        status = f"{trace.status} {response.get('reason', '')}".strip()
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append(f" {trace.request_line} ", style="bold")
        text.append(f" {who} ", style="italic")
        text.append(f" {status} ", style=status_style(trace.status))
        text.append(f" {format_us(trace.duration_us)} ")
        if trace.truncated:
            text.append(" truncated ", style="bold red")
        return text

    def watch_position(self, position: Position) -> None:
        trace = self.trace
        step = Text()
        if len(trace):
            i = position.index
            step.append(f"│ event {i + 1}/{len(trace)} ", style="dim")
            step.append(f"{KIND_NAMES[trace.kinds[i]]} ", style="bold")
            step.append(trace.code(i).qualname)
        else:
            step.append("│ no events were recorded", style="dim")
        self._step = step
        self._index = position.index
        self.text = text = self._request.copy()
        text.append_text(step)
        self.update(text, layout=False)  # one line, always: no layout pass on a step

    def render_line(self, y: int) -> Strip:
        """The line as ``Static`` draws it, from the segments already rendered when it fits."""
        text, width = self.text, self.size.width
        if y or text.cell_len > width or self.text_selection is not None or not text:
            return super().render_line(y)
        base = self.rich_style
        key = (self._index, width, base)
        strip = self._drawn.get(key)
        if strip is not None:
            return strip
        console = self.app.console
        if self._request_segments is None:
            self._request_segments = list(self._request.render(console))
        # not padded here: the styles cache pads the line with the pane's background, as for Static's
        strip = Strip([*self._request_segments, *self._step.render(console)]).apply_style(base)
        self._drawn[key] = strip
        return strip

    def notify_style_update(self) -> None:
        self._drawn.clear()
        self._request_segments = None
        super().notify_style_update()
