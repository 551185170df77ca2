"""The source pane: the viewed frame's file as the trace recorded it, with the current line marked."""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual.reactive import reactive
from textual.widgets import TextArea

from tracer.replay import Cursor, Position
from tracer.trace import Trace

CURRENT_LINE = Style(bgcolor="#3a3a00", bold=True)
BREAKPOINT_LINE = Style(bgcolor="#5f0000")


class SourceView(TextArea):
    """A read-only ``TextArea.code_editor``: Python highlighting and line numbers from tree-sitter.

    The text comes from the trace (``trace.files``), never from disk, so it is the code that ran
    even if the file changed since. The line being run is painted in ``get_line`` (the hook
    TextArea offers for extra styling), breakpoint lines too.
    """

    position: reactive[Position] = reactive(Position(0, -1), repaint=False)
    breakpoints: reactive[frozenset] = reactive(frozenset(), repaint=False)

    @classmethod
    def for_trace(cls, trace: Trace, cursor: Cursor, **kwargs) -> SourceView:
        view = cls.code_editor("", language="python", read_only=True, highlight_cursor_line=False, **kwargs)
        assert isinstance(view, SourceView)
        view.trace = trace
        view.cursor = cursor
        return view

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.trace: Trace | None = None
        self.cursor: Cursor | None = None
        self.filename = ""
        self.current_line = 0  # 1-based; 0 when nothing is shown
        self._marked: set[int] = set()

    def watch_position(self, position: Position) -> None:
        trace, cursor = self.trace, self.cursor
        if trace is None or cursor is None or position.frame < 0:
            return
        filename = trace.code(position.frame).filename
        line = cursor.viewed_line()
        new_file = filename != self.filename
        if new_file:
            self.filename = filename
            self.load_text(trace.files.get(filename) or f"# the trace holds no source for {filename}\n")
            self._mark_breakpoints()
        if self.cursor_location[0] != self.current_line - 1:
            # The learner moved the TextArea's cursor off the painted line: its cached render would
            # keep the paint. (Otherwise moving the cursor with the line re-renders both lines.)
            self._line_cache.clear()
        self.current_line = line
        self.border_title = filename
        self.border_subtitle = f"line {line}"
        self.move_cursor((max(line - 1, 0), 0))
        # TextArea repaints the lines the cursor left and reached (the old and new painted lines);
        # a new document is repainted whole, and its size is known after the next refresh: centre then.
        if new_file:
            self.call_after_refresh(self.scroll_cursor_visible, center=True)

    def watch_breakpoints(self) -> None:
        self._mark_breakpoints()
        self._line_cache.clear()
        self.refresh()

    def _mark_breakpoints(self) -> None:
        self._marked = {line for kind, (filename, line) in self._line_breakpoints() if filename == self.filename}

    def _line_breakpoints(self):
        return ((kind, key) for kind, key in self.breakpoints if kind == "line")

    @property
    def selected_line(self) -> int:
        """The 1-based line under the TextArea's own cursor (where ``b`` puts a line breakpoint)."""
        return self.cursor_location[0] + 1

    def get_line(self, line_index: int) -> Text:
        line = super().get_line(line_index)
        number = line_index + 1
        if number == self.current_line:
            line.stylize(CURRENT_LINE)
        elif number in self._marked:
            line.stylize(BREAKPOINT_LINE)
        return line
