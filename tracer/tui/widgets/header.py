"""The header: what request this is, who made it, how it ended, and where the replay stands."""

from __future__ import annotations

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.cache import LRUCache
from textual.reactive import reactive
from textual.strip import Strip
from textual.widget import Widget

from tracer.replay import Position
from tracer.trace import KIND_NAMES, Trace
from tracer.tui.theme import format_us, status_style
from tracer.tui.widgets.kept import KeptRichStyle, KeptScreen, StillLines
from tracer.tui.widgets.memo import MemoStylesCache


class TraceHeader(KeptRichStyle, KeptScreen, StillLines, Widget):
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
        if len(trace):
            i = position.index
            self._step_parts = ((f"│ event {i + 1}/{len(trace)} ", "dim"), (f"{KIND_NAMES[trace.kinds[i]]} ", "bold"),
                                (trace.code(i).qualname, ""))
        else:
            self._step_parts = (("│ no events were recorded", "dim"),)
        self._index = position.index
        self._text = None
        self.refresh()  # one line, always: no layout pass on a step

    @property
    def _step(self) -> Text:
        return Text.assemble(*self._step_parts)

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
        request_length = self._request.cell_len
        if request_length >= width - 1:  # a terminal too narrow for the request itself
            cut = self.text.copy()
            cut.truncate(width, overflow="ellipsis")
            strip = Strip(cut.render(console)).apply_style(base).apply_offsets(0, 0)
        else:
            # not padded here: the styles cache pads the line with the pane's background, as for
            # Textual's; the offsets are where a mouse selection starts, as Textual marks them
            if self._request_strip is None or self._request_strip[0] != base:
                request = Strip(self._request.render(console)).apply_style(base).apply_offsets(0, 0)
                self._request_strip = (base, request)
            segments = list(self._request_strip[1])
            x = len(self._request)
            cell = request_length
            cut_style = cut_run = None  # the style of the cell an ellipsis replaces, and where its run starts
            for words, style_name in self._step_parts:
                style = self._part_styles.get((base, style_name))
                if style is None:
                    style = self._part_styles[base, style_name] = base + console.get_style(style_name)
                if cut_style is None and cell + cell_len(words) > width - 1:
                    cut_style, cut_run = style, cell
                cell += cell_len(words)
                segments.append(Segment(words, style + Style.from_meta({"offset": (x, 0)})))
                x += len(words)
            strip = Strip(segments)
            if cell > width:
                kept = list(strip.crop(0, width - 1))
                if cut_run < width - 1:  # the ellipsis ends the run it cuts, as Textual draws a cut text
                    kept[-1] = Segment(kept[-1].text + "…", kept[-1].style)
                else:
                    kept.append(Segment("…", cut_style + Style.from_meta({"offset": (width - 1, 0)})))
                strip = Strip(kept, width)
        self._drawn[key] = strip
        return strip

    def notify_style_update(self) -> None:
        self._drawn.clear()
        self._request_strip = None
        self._part_styles.clear()
        super().notify_style_update()
