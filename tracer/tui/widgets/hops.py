"""The hop tree: every call of the request, indented by depth, drawn only where it is on screen.

A line-based ``ScrollView`` in the manner of Toolong's log view: the widget knows the rows
(visible calls, in call order) and renders the few lines in view; no widget per call, so a
trace of 100,000 events mounts as fast as one of 100. A call tree's preorder is the order of
its call events, so the rows are a sorted list and the row of any frame is one bisect away.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass

from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding
from textual.cache import LRUCache
from textual.events import Click
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.strip import Strip

from tracer.model.trace import Trace
from tracer.replay.cursor import Position
from tracer.tui.theme import format_us, layer_style
from tracer.tui.widgets.memo import MemoStylesCache
from tracer.tui.widgets.rows import RowsView

MAX_INDENT = 16
#: rows kept in sight above and below the highlighted hop
SCROLL_MARGIN = 3


class HopList(RowsView):
    """Calls as a collapsible tree; the viewed frame's row is marked, the keyboard row highlighted
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
    scroll_margin = SCROLL_MARGIN

    @dataclass
    class Selected(Message):
        """The learner chose a hop: the replay should jump to this call."""

        call: int

    def __init__(self, trace: Trace, **kwargs) -> None:
        super().__init__(**kwargs)
        self.trace = trace
        self.rows: list[int] = list(trace.calls)
        self.collapsed: set[int] = set()
        self._has_children = self._calls_with_children(trace)
        self._labels: dict[int, list[Segment]] = {}
        self._strips: LRUCache[tuple, tuple[list[Segment], Strip]] = LRUCache(512)  # drawn rows
        self._styles_cache = MemoStylesCache()
        self.virtual_size = Size(0, len(self.rows))

    @staticmethod
    def _calls_with_children(trace: Trace) -> set[int]:
        parents = set(trace.parent.values())
        parents.discard(-1)
        return parents

    # -- rows ------------------------------------------------------------------------------------

    def row_of(self, frame: int) -> int:
        """The row showing ``frame``, or its collapsed ancestor's row when it is folded away."""
        return max(bisect_right(self.rows, frame) - 1, 0)

    @property
    def current_row(self) -> int:
        return self.row_of(self.position.frame) if self.rows else -1

    def set_collapsed(self, call: int, collapse: bool) -> None:
        """Fold or unfold one call; its descendants leave or rejoin the rows."""
        if call not in self._has_children or (call in self.collapsed) == collapse:
            return
        trace = self.trace
        end = trace.end_of.get(call, len(trace) - 1)
        start = bisect_right(self.rows, call)
        self._labels.pop(call, None)  # its glyph turns: ▾ folded is ▸
        if collapse:
            self.collapsed.add(call)
            del self.rows[start : bisect_right(self.rows, end)]
        else:
            self.collapsed.discard(call)
            first = bisect_right(trace.calls, call)
            last = bisect_right(trace.calls, end)
            shown: list[int] = []
            skip_until = -1
            for c in trace.calls[first:last]:
                if c <= skip_until:
                    continue
                shown.append(c)
                if c in self.collapsed:
                    skip_until = trace.end_of.get(c, len(trace) - 1)
            self.rows[start:start] = shown
        self.virtual_size = Size(0, len(self.rows))
        self.cursor_row = min(self.cursor_row, len(self.rows) - 1)
        self.refresh()

    # -- following the replay ----------------------------------------------------------------------

    def watch_position(self, old: Position, position: Position) -> None:
        if not self.rows:
            return
        old_row, row = self.row_of(old.frame) if old.frame >= 0 else 0, self.row_of(position.frame)
        if row != old_row:  # only the rows that lose and gain the mark are repainted
            cursor = self.cursor_row  # the keyboard cursor moving to ``row`` repaints its old row and ``row``
            if old_row != cursor:
                self.refresh_line(old_row)
            if row == cursor:
                self.refresh_line(row)
        self.cursor_row = row

    def watch_breakpoints(self) -> None:
        self._labels.clear()
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
        if at.x < self._glyph_end(self.rows[at.y]):
            self.action_toggle()
        else:
            self.post_message(self.Selected(self.rows[at.y]))

    # -- drawing -----------------------------------------------------------------------------------

    def _glyph_end(self, call: int) -> int:
        """Where the row's fold glyph ends: the marker, one cell a level of depth (spaces, then dots
        past ``MAX_INDENT``), then the glyph's two cells."""
        return 1 + self.trace.depth[call] + 2

    def _label(self, call: int) -> list[Segment]:
        """The segments of one row (cached: a row's text never changes, only its highlight)."""
        cached = self._labels.get(call)
        if cached is not None:
            return cached
        trace = self.trace
        code = trace.code(call)
        depth = trace.depth[call]
        indent = "·" * (depth - MAX_INDENT) if depth > MAX_INDENT else ""
        if call in self.collapsed:
            glyph = "▸ "
        elif call in self._has_children:
            glyph = "▾ "
        else:
            glyph = "  "
        dim = self.get_component_rich_style("hops--dim", partial=True)
        segments = [Segment(" " * min(depth, MAX_INDENT) + indent), Segment(glyph, dim)]
        if code_is_breakpoint(self.breakpoints, trace.code_ids[call]):
            segments.append(Segment("● ", Style(color="red", bold=True)))
        segments.append(Segment(code.qualname, layer_style(code.layer)))
        segments.append(Segment(f"  {format_us(trace.duration_of(call))}", dim))
        outcome = trace.outcome(call) if call in trace.end_of else None
        if outcome is not None and outcome.kind == "raised":
            segments.append(Segment(" raised", Style(color="red")))
        self._labels[call] = segments
        return segments

    def read_per_render(self) -> tuple:
        scroll_x, scroll_y = self.scroll_offset
        current_row = self.current_row
        return (scroll_x, scroll_y, self.scrollable_content_region.width, self.rich_style,
                self.rows[current_row] if current_row >= 0 else -1, self.cursor_row if self.has_focus else -1)

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y, width, base, current_call, highlighted_row = self.per_render()
        row = y + scroll_y
        if row >= len(self.rows):
            return Strip.blank(width, base)
        call = self.rows[row]
        segments = self._label(call)
        current = call == current_call
        highlighted = row == highlighted_row
        # A row drawn before is drawn the same (and the same strip lets Textual reuse its cuts): a hop
        # scrolls the tree, and every row on screen is asked for again.
        key = (id(segments), current, highlighted, scroll_x, width, base)
        drawn = self._strips.get(key)
        if drawn is not None and drawn[0] is segments:
            return drawn[1]
        style = base
        if current:
            style = base + self.get_component_rich_style("hops--current")
            marker = Segment("▶", style)
        else:
            marker = Segment(" ", style)
        if highlighted:
            style = style + self.get_component_rich_style("hops--highlight")
        strip = Strip([marker, *segments])
        if strip.cell_length > scroll_x + width:  # a deep or long name cut short: say so
            ellipsis = Segment("…", self.get_component_rich_style("hops--dim", partial=True))
            strip = Strip([*strip.crop(scroll_x, scroll_x + width - 1), ellipsis])
        else:
            strip = strip.crop(scroll_x, scroll_x + width)
        strip = strip.apply_style(style)
        strip = strip.extend_cell_length(width, style)
        self._strips[key] = (segments, strip)
        return strip

    def notify_style_update(self) -> None:
        self._strips.clear()
        super().notify_style_update()

    def __len__(self) -> int:
        return len(self.rows)

    def visible_calls(self) -> list[int]:
        """The calls on screen now (for tests)."""
        top = self.scroll_offset.y
        return self.rows[top : top + self.size.height]

    def is_shown(self, call: int) -> bool:
        pos = bisect_left(self.rows, call)
        return pos < len(self.rows) and self.rows[pos] == call


def code_is_breakpoint(breakpoints: frozenset, code_id: int) -> bool:
    return ("function", code_id) in breakpoints
