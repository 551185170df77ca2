"""The header: what request this is, who made it, how it ended, and where the replay stands."""

from __future__ import annotations

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.cache import LRUCache
from textual.reactive import reactive
from textual.strip import Strip
from textual.widget import Widget

from tracer.model.trace import KIND_NAMES, Trace
from tracer.replay.cursor import Position
from tracer.tui.theme import format_us, status_style
from tracer.tui.widgets.kept import KeptRichStyle, KeptScreen, StillLines
from tracer.tui.widgets.memo import MemoStylesCache


class TraceHeader(KeptRichStyle, KeptScreen, StillLines, Widget):
    """One line: request line, user:project, status, total time; then the current event.

    The line changes on every step. Textual would lay its text out and
    render it whole each time (``render``); this one draws it from the request's segments, rendered
    once, and the step's own few words, cut with an ellipsis when too long for the terminal. While
    text is selected in the header, Textual draws it from ``render``.
    """

    position: reactive[Position] = reactive(Position(0, -1), repaint=False)

    def __init__(self, trace: Trace, **kwargs) -> None:
        super().__init__(**kwargs)
        self.trace = trace
        self._request = self._describe_request(trace)
        self._text: Text | None = None
        self._step_parts: tuple[tuple[str, str], ...] = ()  # the step's words and their styles
        self._part_styles: dict[tuple[Style, str], Style] = {}  # a part's style on the base style
        self._request_strip: tuple[Style, Strip] | None = None  # the request's part, styled, by base style
        self._index = -1  # the event the text describes
        self._drawn: LRUCache[tuple[int, int, Style], Strip] = LRUCache(8)  # lines drawn, by event, width and style
        self._styles_cache = MemoStylesCache(16)

    @property
    def text(self) -> Text:
        """The whole line: the request, then the step."""
        if self._text is None:
            self._text = self._request.copy()
            self._text.append_text(Text.assemble(*self._step_parts))
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
        if len(trace):
            i = position.index
            self._step_parts = ((f"│ event {i + 1}/{len(trace)} ", "dim"), (f"{KIND_NAMES[trace.kinds[i]]} ", "bold"),
                                (trace.code(i).qualname, ""))
        else:
            self._step_parts = (("│ no events were recorded", "dim"),)
        self._index = position.index
        self._text = None
        self.refresh()  # one line, always: no layout pass on a step

    def render_line(self, y: int) -> Strip:
        """The line as Textual draws ``render``: the request's segments rendered once, then the step's
        few words, each a segment of its style on the widget's (no text laid out on a step). A line too
        long is cut one cell short of the width and ends in ``…`` in the style of the cell it replaces
        (Textual would wrap it and show the first line, losing the function's name)."""
        width = self.size.width
        if y or self.text_selection is not None or not self._step_parts or width < 2:
            return super().render_line(y)
        base = self.rich_style
        key = (self._index, width, base)
        strip = self._drawn.get(key)
        if strip is not None:
            return strip
        console = self.app.console
        # not padded here: the styles cache pads the line with the pane's background, as for Textual's;
        # the offsets are where a mouse selection starts, as Textual marks them
        if self._request_strip is None or self._request_strip[0] != base:
            request = Strip(self._request.render(console)).apply_style(base).apply_offsets(0, 0)
            self._request_strip = (base, request)
        segments = list(self._request_strip[1])
        x = len(self._request)
        for words, style_name in self._step_parts:
            style = self._part_styles.get((base, style_name))
            if style is None:
                style = self._part_styles[base, style_name] = base + console.get_style(style_name)
            segments.append(Segment(words, style + Style.from_meta({"offset": (x, 0)})))
            x += len(words)
        strip = Strip(segments)
        if strip.cell_length > width:
            strip = _ellipsised(strip, width)
        self._drawn[key] = strip
        return strip

    def notify_style_update(self) -> None:
        self._drawn.clear()
        self._request_strip = None
        self._part_styles.clear()
        super().notify_style_update()


def _ellipsised(strip: Strip, width: int) -> Strip:
    """``strip`` cut one cell short of ``width``, ending in ``…`` in the style of the cell it replaces, as
    Rich cuts a text: the ellipsis ends that cell's segment when the cut falls inside it, and is a
    segment of its own (marked with its selection offset) when the cut falls between two."""
    kept = list(strip.crop(0, width - 1))
    cell = 0
    for replaced in strip:
        if cell + replaced.cell_length > width - 1:
            break
        cell += replaced.cell_length
    if cell < width - 1:
        kept[-1] = Segment(kept[-1].text + "…", kept[-1].style)
    else:
        kept.append(Segment("…", replaced.style + Style.from_meta({"offset": (width - 1, 0)})))
    return Strip(kept, width)
