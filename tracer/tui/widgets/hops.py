"""The hop tree: every call of the request, indented by depth, drawn only where it is on screen.

A line ``ScrollView`` (see :mod:`tracer.tui.widgets.rows`): the widget knows the rows (shown calls,
in call order) and draws the few lines in view; no widget per call, so a trace of 100,000 events
mounts as fast as one of 100. A call tree's preorder is the order of its call events, so the rows are
a sorted list and whether a call is shown is one bisect away.

Comprehension and generator-expression frames (``<listcomp>``, ``<genexpr>``...) are hidden by default,
as ``tracer show``'s tree hides them: a learner reads them as part of the line that holds them, and
the calls made inside them are shown one level up. ``show_inline`` brings them back.
"""

from __future__ import annotations

from bisect import bisect_left
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
from tracer.replay.cursor import Position
from tracer.tui.theme import format_us, layer_style
from tracer.tui.widgets.rows import RowsView, fit

MAX_INDENT = 16
#: rows kept in sight above and below the highlighted hop
SCROLL_MARGIN = 3
BREAKPOINT = Style(color="red", bold=True)
RAISED = Style(color="red")


class HopList(RowsView):
    """Calls as a collapsible tree; the viewed frame's row is marked ``▶``, the keyboard row highlighted
    (and kept in sight with ``SCROLL_MARGIN`` rows around it: the hop's callers stay in view)."""

    BINDINGS = [
        Binding("enter", "select", "go to hop", show=False),
        Binding("space", "toggle", "fold", show=False),
        Binding("left", "fold(True)", "collapse", show=False),
        Binding("right", "fold(False)", "expand", show=False),
    ]
    COMPONENT_CLASSES = {"hops--current", "hops--highlight", "hops--dim"}
    DEFAULT_CSS = """
    HopList { background: $surface; }
    HopList > .hops--current { background: $accent 40%; text-style: bold; }
    HopList > .hops--highlight { background: $primary 30%; }
    HopList > .hops--dim { color: $text-muted; }
    """

    position: reactive[Position] = reactive(Position(0, -1), repaint=False)
    breakpoints: reactive[frozenset] = reactive(frozenset(), repaint=False)
    show_inline: reactive[bool] = reactive(False, init=False, repaint=False)
    scroll_margin = SCROLL_MARGIN

    @dataclass
    class Selected(Message):
        """The learner chose a hop: the replay should jump to this call."""

        call: int

    def __init__(self, trace: Trace, **kwargs) -> None:
        super().__init__(**kwargs)
        self.trace = trace
        self.collapsed: set[int] = set()
        self._inline = {c for c in trace.calls if trace.code(c).is_inline}
        self._shown_depth = self._depths(trace, self._inline)
        self._has_children = self._calls_with_children(trace, self._inline)
        self.rows: list[int] = self._rows()

    @staticmethod
    def _depths(trace: Trace, inline: set[int]) -> dict[int, int]:
        """Each call's depth counting only the frames the tree shows by default (call order: a parent
        comes before its children)."""
        depths: dict[int, int] = {}
        for call in trace.calls:
            parent = trace.parent.get(call, -1)
            depths[call] = 0 if parent < 0 else depths.get(parent, 0) + (0 if parent in inline else 1)
        return depths

    @staticmethod
    def _calls_with_children(trace: Trace, inline: set[int]) -> dict[bool, set[int]]:
        """Calls with children, with inline frames shown (True) and hidden (False)."""
        shown: set[int] = set()
        hidden: set[int] = set()
        for call in trace.calls:
            parent = trace.parent.get(call, -1)
            shown.add(parent)
            if call in inline:
                continue
            while parent in inline:
                parent = trace.parent.get(parent, -1)
            hidden.add(parent)
        shown.discard(-1)
        hidden.discard(-1)
        return {True: shown, False: hidden}

    # -- rows ------------------------------------------------------------------------------------

    def _rows(self) -> list[int]:
        """The calls shown: all but the inline ones (unless shown) and those inside a folded call."""
        trace, inline, rows = self.trace, self._inline if not self.show_inline else set(), []
        skip_until = -1
        for call in trace.calls:
            if call <= skip_until or call in inline:
                continue
            rows.append(call)
            if call in self.collapsed:
                skip_until = trace.end_of.get(call, len(trace) - 1)
        return rows

    def depth_of(self, call: int) -> int:
        return self.trace.depth[call] if self.show_inline else self._shown_depth[call]

    def has_children(self, call: int) -> bool:
        return call in self._has_children[self.show_inline]

    def row_of(self, frame: int) -> int:
        """The row showing ``frame``, or its nearest shown caller's: a folded or hidden frame is
        stood for by the caller the tree shows."""
        parent = self.trace.parent
        while frame >= 0:
            row = bisect_left(self.rows, frame)
            if row < len(self.rows) and self.rows[row] == frame:
                return row
            frame = parent.get(frame, -1)
        return 0

    @property
    def current_row(self) -> int:
        return self.row_of(self.position.frame) if self.rows and self.position.frame >= 0 else -1

    def _rebuild(self) -> None:
        current = self.rows[self.cursor_row] if self.rows else -1
        self.rows = self._rows()
        self.set_row_count(len(self.rows))
        self._strips.clear()
        self.refresh()
        self.cursor_row = self.row_of(current) if current >= 0 else 0

    def set_collapsed(self, call: int, collapse: bool) -> None:
        """Fold or unfold one call; its descendants leave or rejoin the rows."""
        if not self.has_children(call) or (call in self.collapsed) == collapse:
            return
        if collapse:
            self.collapsed.add(call)
        else:
            self.collapsed.discard(call)
        self._rebuild()

    def watch_show_inline(self) -> None:
        self._rebuild()

    def on_mount(self) -> None:
        self.set_row_count(len(self.rows))

    # -- following the replay ----------------------------------------------------------------------

    def watch_position(self, old: Position, position: Position) -> None:
        if not self.rows or position.frame < 0:
            return
        old_row = self.row_of(old.frame) if old.frame >= 0 else 0
        row = self.row_of(position.frame)
        self.refresh_line(old_row)
        self.cursor_row = row
        self.refresh_line(row)

    def watch_breakpoints(self) -> None:
        self._strips.clear()
        self.refresh()

    # -- keys and mouse ----------------------------------------------------------------------------

    def row_count(self) -> int:
        return len(self.rows)

    def action_select(self) -> None:
        if self.rows:
            self.post_message(self.Selected(self.rows[self.cursor_row]))

    def action_toggle(self) -> None:
        if self.rows:
            call = self.rows[self.cursor_row]
            self.set_collapsed(call, call not in self.collapsed)

    def action_fold(self, collapse: bool) -> None:
        if self.rows:
            self.set_collapsed(self.rows[self.cursor_row], collapse)

    def on_click(self, event: Click) -> None:
        at = self.clicked(event)
        if at is None:
            return
        self.cursor_row = at.y
        if at.x < self.glyph_end(self.rows[at.y]):
            self.action_toggle()
        else:
            self.post_message(self.Selected(self.rows[at.y]))

    # -- drawing -----------------------------------------------------------------------------------

    def glyph_end(self, call: int) -> int:
        """Where the row's fold glyph ends: the marker, one cell a level of depth (spaces, then dots
        past ``MAX_INDENT``), then the glyph's two cells."""
        return 1 + self.depth_of(call) + 2

    def label(self, call: int) -> list[Segment]:
        """The segments of one row after its marker: indent, fold glyph, breakpoint, name, time, outcome."""
        trace = self.trace
        code = trace.code(call)
        depth = self.depth_of(call)
        indent = " " * min(depth, MAX_INDENT) + ("·" * (depth - MAX_INDENT) if depth > MAX_INDENT else "")
        glyph = "▸ " if call in self.collapsed else "▾ " if self.has_children(call) else "  "
        dim = self.get_component_rich_style("hops--dim", partial=True)
        segments = [Segment(indent), Segment(glyph, dim)]
        if ("function", trace.code_ids[call]) in self.breakpoints:
            segments.append(Segment("● ", BREAKPOINT))
        segments.append(Segment(code.qualname, layer_style(code.layer)))
        segments.append(Segment(f"  {format_us(trace.duration_of(call))}", dim))
        outcome = trace.outcome(call) if call in trace.end_of else None
        if outcome is not None and outcome.kind == "raised":
            segments.append(Segment(" raised", RAISED))
        return segments

    def label_width(self, call: int) -> int:
        """The cells row ``call`` needs, marker included (what :meth:`label` draws, counted without drawing)."""
        trace = self.trace
        width = 1 + self.depth_of(call) + 2 + cell_len(trace.code(call).qualname)
        width += 2 + cell_len(format_us(trace.duration_of(call)))
        if ("function", trace.code_ids[call]) in self.breakpoints:
            width += 2
        if call in trace.end_of and trace.outcome(call).kind == "raised":
            width += len(" raised")
        return width

    def row_key(self, row: int) -> tuple:
        call = self.rows[row]
        return (call, call in self.collapsed, self.show_inline, call == self._current_call(),
                row == self.cursor_row and self.has_focus)

    def _current_call(self) -> int:
        current = self.current_row
        return self.rows[current] if current >= 0 else -1

    def draw_row(self, row: int, width: int, style: Style) -> Strip:
        call = self.rows[row]
        if call == self._current_call():
            style = style + self.get_component_rich_style("hops--current")
            marker = Segment("▶", style)
        else:
            marker = Segment(" ", style)
        if row == self.cursor_row and self.has_focus:
            style = style + self.get_component_rich_style("hops--highlight")
        strip = Strip([marker, *self.label(call)])
        return fit(strip, width, self.get_component_rich_style("hops--dim", partial=True)).apply_style(style)

    def __len__(self) -> int:
        return len(self.rows)

    def visible_calls(self) -> list[int]:
        """The calls on screen now (for tests)."""
        top = self.scroll_offset.y
        return self.rows[top : top + self.scrollable_content_region.height]

    def is_shown(self, call: int) -> bool:
        pos = bisect_left(self.rows, call)
        return pos < len(self.rows) and self.rows[pos] == call

    def widest(self, sample: int = 5000) -> int:
        """The cells the widest row needs (of the first ``sample`` rows: a huge trace is not measured whole)."""
        return max((self.label_width(call) for call in self.rows[:sample]), default=0)


