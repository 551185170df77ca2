"""The header: what request this is, who made it, how it ended, and where the replay stands."""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual.cache import LRUCache
from textual.reactive import reactive
from textual.strip import Strip
from textual.widget import Widget

from tracer.replay import Position
from tracer.trace import KIND_NAMES, Trace
from tracer.tui.theme import format_us, status_style
from tracer.tui.widgets.memo import KeptRichStyle, MemoStylesCache, StillLines


class TraceHeader(KeptRichStyle, StillLines, Widget):
    """One line: request line, user:project, status, total time; then the current event.

    The line changes on every step (issue 4: <= 10 ms a key). Textual would lay its text out and
    render it whole each time (``render``); when the line fits, this one draws it from the request's
    segments, rendered once, and the step's own few words. A line too long for the terminal (cut
    with an ellipsis) and a mouse selection in the header are drawn by Textual from ``render``.
    """

    position: reactive[Position] = reactive(Position(0, -1), repaint=False)

    def __init__(self, trace: Trace, **kwargs) -> None:
        super().__init__(**kwargs)
        self.trace = trace
        self._request = self._describe_request(trace)
        self._text: Text | None = None
        self._step = Text()
        self._request_strip: tuple[Style, Strip] | None = None  # the request's part, styled, by base style
        self._index = -1  # the event the text describes
        self._drawn: LRUCache[tuple[int, int, Style], Strip] = LRUCache(8)  # lines drawn, by event, width and style
        self._styles_cache = MemoStylesCache(16)

    @property
    def text(self) -> Text:
        """The whole line: the request, then the step."""
        if self._text is None:
            self._text = self._request.copy()
            self._text.append_text(self._step)
        return self._text

    def render(self) -> Text:
        return self.text

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
        self._text = None
        self.refresh()  # one line, always: no layout pass on a step

    def render_line(self, y: int) -> Strip:
        """The line as Textual draws ``render``: from the segments already rendered when it fits, cut
        with an ellipsis as Textual cuts it when it does not."""
        text, width = self.text, self.size.width
        if y or self.text_selection is not None or not text or width < 2:
            return super().render_line(y)
        base = self.rich_style
        key = (self._index, width, base)
        strip = self._drawn.get(key)
        if strip is not None:
            return strip
        console = self.app.console
        # not padded here: the styles cache pads the line with the pane's background, as for Textual's;
        # the offsets are where a mouse selection starts, as Textual marks them
        if text.cell_len > width:
            cut = text.copy()
            cut.truncate(width, overflow="ellipsis")
            strip = Strip(cut.render(console)).apply_style(base).apply_offsets(0, 0)
        else:
            if self._request_strip is None or self._request_strip[0] != base:
                request = Strip(self._request.render(console)).apply_style(base).apply_offsets(0, 0)
                self._request_strip = (base, request)
            request = self._request_strip[1]
            step = Strip(self._step.render(console)).apply_style(base).apply_offsets(len(self._request), 0)
            strip = Strip([*request, *step])
        self._drawn[key] = strip
        return strip

    def notify_style_update(self) -> None:
        self._drawn.clear()
        self._request_strip = None
        super().notify_style_update()
