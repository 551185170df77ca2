"""The header: what request this is, who made it, how it ended, and where the replay stands."""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widgets import Static

from tracer.replay import Position
from tracer.trace import KIND_NAMES, Trace
from tracer.tui.theme import format_us, status_style
from tracer.tui.widgets.memo import StillLines


class TraceHeader(StillLines, Static):
    """One line: request line, user:project, status, total time; then the current event."""

    position: reactive[Position] = reactive(Position(0, -1), repaint=False)

    def __init__(self, trace: Trace, **kwargs) -> None:
        super().__init__(**kwargs)
        self.trace = trace
        self._request = self._describe_request(trace)
        self.text = Text()

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
        text = self._request.copy()
        if len(trace):
            i = position.index
            text.append(f"│ event {i + 1}/{len(trace)} ", style="dim")
            text.append(f"{KIND_NAMES[trace.kinds[i]]} ", style="bold")
            text.append(trace.code(i).qualname)
        else:
            text.append("│ no events were recorded", style="dim")
        self.text = text
        self.update(text, layout=False)  # one line, always: no layout pass on a step
