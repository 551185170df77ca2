"""The stack pane: pdb's ``where``, outermost frame first, the viewed frame marked with ``>``.

Every frame of the recorded scope is a row (a line ``ScrollView``, see :mod:`tracer.tui.widgets.rows`),
named ``Class.method`` as pudb names them (two frames both reading ``detail()`` say whose). The pane
follows the viewed frame, and its title says how many frames are scrolled out above and below (see
:mod:`tracer.tui.widgets.rows`).
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding
from textual.events import Click
from textual.message import Message
from textual.reactive import reactive
from textual.strip import Strip

from tracer.model.trace import Trace
from tracer.replay.cursor import Cursor, Position, StackEntry
from tracer.tui.theme import layer_style
from tracer.tui.widgets.rows import ELLIPSIS, RowsView, fit

DIM = Style(dim=True)


class StackView(RowsView):
    """One row a frame. Clicking a frame, or ``up``/``down`` with focus, views it (pdb's ``u``/``d``)."""

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
    row_quantum = 8
    pane_title = "stack (where)"

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

    def line_of(self, entry: StackEntry, viewed: bool) -> str:
        """pdb's form with the class: ``> sample_api/api/openstack/wsgi.py(942)Resource._process_stack()``."""
        qualname = self.trace.code(entry.frame).qualname
        return f"{'>' if viewed else ' '} {entry.filename}({entry.line}){qualname}()"

    def watch_position(self, position: Position) -> None:
        old = list(zip(self.lines, (entry.frame for entry in self.entries), strict=True))
        self.entries = self.cursor.where()
        self.lines = [self.line_of(entry, entry.frame == position.frame) for entry in self.entries]
        self.viewed_row = next((n for n, e in enumerate(self.entries) if e.frame == position.frame), -1)
        new = list(zip(self.lines, (entry.frame for entry in self.entries), strict=True))
        if len(old) != len(new):
            self.set_row_count(len(new))
        for row in range(max(len(old), len(new))):
            if row >= len(old) or row >= len(new) or old[row] != new[row]:
                self.refresh_line(row)  # usually one or two: the innermost frame's line, a frame come or gone
        self.follow()

    def follow(self) -> None:
        """Keep the viewed frame in sight, the innermost frames shown when they fit (pdb's view)."""
        if self.viewed_row < 0:
            return
        height = max(self.scrollable_content_region.height, 1)
        top = max(len(self.lines) - height, 0)  # the bottom of the stack
        if self.viewed_row < top:
            top = max(self.viewed_row - height // 2, 0)
        self.scroll_to(y=top, animate=False, immediate=True, force=True)
        self.cursor_row = self.viewed_row
        self.show_signs()

    def on_resize(self) -> None:
        super().on_resize()
        self.follow()

    # -- drawing -----------------------------------------------------------------------------------

    def row_count(self) -> int:
        return len(self.lines)

    def row_key(self, row: int) -> tuple:
        return (self.lines[row], self.entries[row].frame, row == self.viewed_row)

    def draw_row(self, row: int, width: int, style: Style) -> Strip:
        entry, line = self.entries[row], self.lines[row]
        if row == self.viewed_row:
            style = style + self.get_component_rich_style("stack--viewed")
        code = self.trace.code(entry.frame)
        function = f"{code.qualname}()"
        place = line[: len(line) - len(function)]
        room = width - cell_len(function)
        if cell_len(place) > room and room > 6:
            # the function's name matters most: the path gives way first, from its left
            tail = place[len(place) - room + 3 :]
            if "/" in tail[:-1]:
                tail = tail[tail.index("/") :]  # from a folder's start: ``…/compute/servers.py(71)``
            place = place[:2] + ELLIPSIS + tail
        strip = Strip([Segment(place), Segment(function, layer_style(code.layer))])
        return fit(strip, width, DIM).apply_style(style)

    # -- keys and mouse ----------------------------------------------------------------------------

    def watch_cursor_row(self, old: int, row: int) -> None:
        self.refresh_line(old)
        self.refresh_line(row)

    def on_click(self, event: Click) -> None:
        at = self.clicked(event)
        if at is not None:
            self.post_message(self.FrameChosen(self.entries[at.y].frame))

    def action_choose(self, delta: int) -> None:
        row = self.viewed_row + delta
        if 0 <= row < len(self.entries):
            self.post_message(self.FrameChosen(self.entries[row].frame))
