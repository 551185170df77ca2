"""The stack pane: pdb's ``where``, outermost frame first, the viewed frame marked with ``>``."""

from __future__ import annotations

from dataclasses import dataclass

from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding
from textual.cache import LRUCache
from textual.events import Click
from textual.geometry import Region
from textual.message import Message
from textual.reactive import reactive
from textual.strip import Strip
from textual.widget import Widget

from tracer.model.trace import Trace
from tracer.replay.cursor import Cursor, Position, StackEntry
from tracer.tui.theme import layer_style
from tracer.tui.widgets.kept import KeptComponentStyles, KeptRichStyle, KeptScreen, OncePerRender, StillLines
from tracer.tui.widgets.memo import MemoStylesCache


class StackView(KeptComponentStyles, KeptRichStyle, KeptScreen, OncePerRender, StillLines, Widget, can_focus=True):
    """A few lines drawn with the line API: no widget per frame and no layout pass on a step (the
    pane shows the window of frames around the viewed one instead of scrolling). Clicking a frame,
    or ``up``/``down`` with focus, views it."""

    BINDINGS = [
        Binding("up", "choose(-1)", "caller", show=False),
        Binding("down", "choose(1)", "callee", show=False),
    ]
    COMPONENT_CLASSES = {"stack--viewed"}
    DEFAULT_CSS = """
    StackView { background: $surface; }
    StackView > .stack--viewed { background: $accent 40%; text-style: bold; }
    """

    position: reactive[Position] = reactive(Position(0, -1), repaint=False)

    @dataclass
    class FrameChosen(Message):
        """The learner chose a frame to view (like pdb's ``u``/``d`` to it)."""

        frame: int

    def __init__(self, trace: Trace, cursor: Cursor, **kwargs) -> None:
        super().__init__(**kwargs)
        self.trace = trace
        self.cursor = cursor
        self.entries: list[StackEntry] = []
        self.lines: list[str] = []
        self.viewed_row = -1
        self.top = 0  # the first entry in the window
        self._strips: LRUCache[tuple, Strip] = LRUCache(256)  # drawn lines
        self._styles_cache = MemoStylesCache()

    def watch_position(self, position: Position) -> None:
        old_lines, old_top = self.lines, self.top
        self.entries = self.cursor.where()
        self.lines = [entry.format(viewed=entry.frame == position.frame) for entry in self.entries]
        self.viewed_row = next((n for n, e in enumerate(self.entries) if e.frame == position.frame), -1)
        self._place_window()
        if self.top != old_top or len(old_lines) != len(self.lines):
            self.refresh()
            return
        for row, (old, new) in enumerate(zip(old_lines, self.lines, strict=True)):
            if old != new:  # usually one line: the innermost frame's line number
                self.refresh(Region(0, row - self.top, self.size.width, 1))

    def _place_window(self) -> None:
        """Keep the viewed frame in the window, preferring the innermost frames (pdb's view)."""
        height = max(self.size.height, 1)
        bottom = len(self.lines)
        if self.viewed_row >= 0 and self.viewed_row < bottom - height:
            bottom = self.viewed_row + 1 + (height - 1) // 2
        self.top = max(min(bottom, len(self.lines)) - height, 0)

    def on_resize(self) -> None:
        self._place_window()
        self.refresh()

    def read_per_render(self) -> Style:
        return self.rich_style  # the same for every line, and costly: once a render, not once a line

    def render_line(self, y: int) -> Strip:
        scroll_x = 0
        row = y + self.top
        width = self.size.width
        base = self.per_render()
        if row >= len(self.lines):  # the same blank strip each time: its finished line is kept too
            blank = self._strips.get(("blank", width, base))
            if blank is None:
                blank = self._strips[("blank", width, base)] = Strip.blank(width, base)
            return blank
        entry, line = self.entries[row], self.lines[row]
        viewed = row == self.viewed_row
        layer_name = self.trace.code(entry.frame).layer
        # the frames above the innermost ones stay the same from step to step: drawn once
        key = (line, entry.function, layer_name, viewed, width, base)
        strip = self._strips.get(key)
        if strip is not None:
            return strip
        function_at = len(line) - len(entry.function) - 2
        style = base + self.get_component_rich_style("stack--viewed") if viewed else base
        layer = layer_style(layer_name)
        segments = [Segment(line[:function_at]), Segment(line[function_at:], layer)]
        strip = Strip(segments).crop(scroll_x, scroll_x + width).apply_style(style)
        if strip.cell_length == width and len(line) > width + scroll_x:
            strip = Strip([*strip.crop(0, width - 1), Segment("…", Style(dim=True))]).apply_style(style)
        strip = self._strips[key] = strip.extend_cell_length(width, style)
        return strip

    def notify_style_update(self) -> None:
        self._strips.clear()
        super().notify_style_update()

    def on_click(self, event: Click) -> None:
        offset = event.get_content_offset(self)  # None on the border
        if offset is None:
            return
        row = offset.y + self.top
        if 0 <= row < len(self.entries):
            self.post_message(self.FrameChosen(self.entries[row].frame))

    def action_choose(self, delta: int) -> None:
        row = self.viewed_row + delta
        if 0 <= row < len(self.entries):
            self.post_message(self.FrameChosen(self.entries[row].frame))
