"""The source pane: the viewed frame's file as the trace recorded it, with the line being run marked.

A line ``ScrollView`` (see :mod:`tracer.tui.widgets.rows`). Each file is highlighted once, the first
time it is shown (or ahead of time, while the learner reads: :meth:`SourceView.work_ahead`), with
rich's ``Syntax``; a line is drawn from those highlighted lines and kept in the strip cache, so a
step repaints two lines (the one left and the one reached), or scrolls when the line is out of sight.
The text comes from the trace (``trace.files``), never from disk: it is the code that ran, even if the
file changed since.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from rich.segment import Segment
from rich.style import Style
from rich.syntax import Syntax
from rich.text import Span, Text
from textual.binding import Binding
from textual.cache import LRUCache
from textual.events import Click
from textual.geometry import Region
from textual.reactive import reactive
from textual.strip import Strip

from tracer.model.trace import Trace
from tracer.replay.cursor import Cursor, Position
from tracer.tui.widgets.rows import RowsView, fit

CURRENT_LINE = Style(bgcolor="#3a3a00", bold=True)
BREAKPOINT_LINE = Style(bgcolor="#5f0000")
BREAKPOINT_MARK = Style(color="red", bold=True)
GUTTER = Style(dim=True)
#: rich ``Syntax`` themes for dark and light Textual themes
SYNTAX_THEMES = {True: "monokai", False: "default"}


def highlighted_lines(code: str, theme: str) -> list[Text]:
    """``code``'s lines highlighted as Python, colours and emphasis only: the pane's own background
    shows through (the theme's background would paint a block of another colour)."""
    code = code.expandtabs(4)
    highlighted = Syntax(code, "python", theme=theme).highlight(code)
    plain = Text(highlighted.plain)
    for span in highlighted.spans:
        style = span.style if isinstance(span.style, Style) else Style.parse(span.style)
        plain.spans.append(Span(span.start, span.end, Style(color=style.color, bold=style.bold, italic=style.italic)))
    lines = plain.split("\n", allow_blank=True)
    count = len(code.splitlines()) or 1
    return lines[:count]


class SourceView(RowsView):
    """The viewed frame's file with line numbers; the line being run is painted and marked ``▶``, lines
    with a breakpoint are painted red and marked ``●``. With focus, ``up``/``down`` move a cursor line
    (where ``b`` sets a line breakpoint); it starts on the line being run."""

    BINDINGS = [Binding("home,end", "nothing", show=False)]  # the app's home/end, not the rows'
    COMPONENT_CLASSES = {"source--cursor"}
    DEFAULT_CSS = """
    SourceView { background: $surface; }
    SourceView > .source--cursor { background: $primary 40%; }
    """

    position: reactive[Position] = reactive(Position(0, -1), repaint=False)
    row_quantum = 250
    breakpoints: reactive[frozenset] = reactive(frozenset(), repaint=False)

    def __init__(self, trace: Trace, cursor: Cursor, **kwargs) -> None:
        super().__init__(**kwargs)
        self.trace = trace
        self.cursor = cursor
        self.filename = ""
        self.current_line = 0  # 1-based; 0 when nothing is shown
        self.marked: set[int] = set()  # breakpoint lines of the file shown
        self._highlighted: LRUCache[tuple[str, str], list[Text]] = LRUCache(256)  # by file and syntax theme
        self._strips = LRUCache(4096)
        self._drawing_theme: str | None = None  # the syntax theme, read once for a whole render

    @classmethod
    def for_trace(cls, trace: Trace, cursor: Cursor, **kwargs) -> SourceView:
        return cls(trace, cursor, **kwargs)

    # -- the file's lines --------------------------------------------------------------------------

    def syntax_theme(self) -> str:
        """The rich theme that matches the app's (dark or light); read once a render, not once a line:
        looking the app's theme up is a large share of drawing a line."""
        if self._drawing_theme is not None:
            return self._drawing_theme
        return SYNTAX_THEMES[self.app.current_theme.dark]

    def render_lines(self, crop: Region) -> list[Strip]:
        self._drawing_theme = self.syntax_theme()
        try:
            return super().render_lines(crop)
        finally:
            self._drawing_theme = None

    def lines_of(self, filename: str) -> list[Text]:
        """``filename``'s highlighted lines (highlighted the first time they are asked for)."""
        key = (filename, self.syntax_theme())
        lines = self._highlighted.get(key)
        if lines is None:
            code = self.trace.files.get(filename) or f"# the trace holds no source for {filename}\n"
            lines = self._highlighted[key] = highlighted_lines(code, key[1])
        return lines

    def is_highlighted(self, filename: str) -> bool:
        return (filename, self.syntax_theme()) in self._highlighted

    @property
    def lines(self) -> list[Text]:
        return self.lines_of(self.filename) if self.filename else []

    def row_count(self) -> int:
        return len(self.lines)

    # -- following the replay ----------------------------------------------------------------------

    def watch_position(self, position: Position) -> None:
        if position.frame < 0:
            return
        filename = self.trace.code(position.frame).filename
        line = self.cursor.viewed_line()
        old = self.current_line
        self.current_line = line
        if filename != self.filename:
            self.filename = filename
            self.pane_title = filename
            self._mark_breakpoints()
            self.set_row_count(self.row_count())
            self.centre(line)
            self.refresh()
        else:
            row = self.row_of_line(line)
            top = self.scroll_offset.y
            if not top <= row < top + self.scrollable_content_region.height:
                self.centre(line)
            self.refresh_line(self.row_of_line(old))
            self.refresh_line(row)
        self.cursor_row = self.row_of_line(line)

    def row_of_line(self, line: int) -> int:
        """The row of 1-based ``line``; a line past the end of the text (a trace whose source is
        shorter than its events say) is the last row."""
        return min(max(line - 1, 0), max(self.row_count() - 1, 0))

    def centre(self, line: int) -> None:
        """The line in the middle of the pane, at once."""
        height = self.scrollable_content_region.height
        self.scroll_to(y=max(self.row_of_line(line) - height // 2, 0), animate=False, immediate=True, force=True)

    def on_resize(self) -> None:
        super().on_resize()
        if self.current_line:
            self.centre(self.current_line)

    def action_nothing(self) -> None:
        """Home and end move the replay (bound by the app), not this pane's cursor."""

    # -- breakpoints -------------------------------------------------------------------------------

    def watch_breakpoints(self) -> None:
        self._mark_breakpoints()
        self._strips.clear()
        self.refresh()

    def _mark_breakpoints(self) -> None:
        self.marked = {line for kind, (filename, line) in
                       ((kind, key) for kind, key in self.breakpoints if kind == "line") if filename == self.filename}

    @property
    def selected_line(self) -> int:
        """The 1-based line under the pane's cursor (where ``b`` puts a line breakpoint)."""
        return self.cursor_row + 1

    def select_line(self, line: int) -> None:
        """Put the pane's cursor on 1-based ``line``."""
        self.cursor_row = self.row_of_line(line)

    def on_click(self, event: Click) -> None:
        at = self.clicked(event)
        if at is not None:
            self.cursor_row = at.y

    # -- drawing -----------------------------------------------------------------------------------

    def row_key(self, row: int) -> tuple:
        number = row + 1
        return (self.filename, self.syntax_theme(), row, number == self.current_line, number in self.marked,
                row == self.cursor_row and self.has_focus and number != self.current_line, len(self.lines))

    def draw_row(self, row: int, width: int, style: Style) -> Strip:
        number = row + 1
        digits = len(str(self.row_count()))
        if number == self.current_line:
            paint, mark = CURRENT_LINE, Segment("▶", CURRENT_LINE)
        elif number in self.marked:
            paint, mark = BREAKPOINT_LINE, Segment("●", BREAKPOINT_MARK)
        else:
            paint, mark = None, Segment(" ")
        if row == self.cursor_row and self.has_focus and number != self.current_line:
            paint = (paint or Style()) + self.get_component_rich_style("source--cursor")
        gutter = [Segment(f"{number:>{digits}} ", GUTTER), mark, Segment(" ")]
        code = list(self.lines[row].render(self.app.console))
        strip = fit(Strip([*gutter, *code]), width, GUTTER)
        if paint is not None:
            strip = strip.apply_style(paint)
        return strip.apply_style(style)

    # -- ahead of time -----------------------------------------------------------------------------

    def work_ahead(self) -> Iterator[None]:
        """Highlight every file of the trace, the busiest first: one file a step, for the app to run
        while the learner reads (a jump to a file not highlighted yet would pay for it)."""
        calls = Counter(self.trace.code(call).filename for call in self.trace.calls)
        for filename in sorted(self.trace.files, key=lambda name: -calls[name]):
            if not self.is_mounted:
                return
            self.lines_of(filename)
            yield
