"""The hop tree: every call of the request, indented by depth, drawn only where it is on screen.

A line ``ScrollView`` (see :mod:`tracer.tui.widgets.rows`): the widget knows the rows (shown calls,
in call order) and draws the few lines in view; no widget per call, so a trace of 100,000 events
mounts as fast as one of 100. A call tree's preorder is the order of its call events, so the rows are
a sorted list and whether a call is shown is one bisect away.

Comprehension and generator-expression frames (``<listcomp>``, ``<genexpr>``...) are hidden by default,
as ``tracer show``'s tree hides them: a learner reads them as part of the line that holds them, and
the calls made inside them are shown one level up. ``show_inline`` brings them back.

A chain of decorator frames (Nova's twenty validation wrappers between ``dispatch`` and the controller, see
:mod:`tracer.replay.folds`) is one row, ``≡ 20 decorator frames``, with the calls of its last frame below it;
``→`` or space opens it (each frame a row), ``←`` or space folds it again. Opening one posts
:class:`HopList.ChainOpened`, so that the hop walk stops at its frames too.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
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
from tracer.replay.folds import decorator_chains, summarize
from tracer.tui.theme import format_us, layer_style
from tracer.tui.widgets.rows import RowsView, fit

MAX_INDENT = 16
#: rows kept in sight above and below the highlighted hop
SCROLL_MARGIN = 3
BREAKPOINT = Style(color="red", bold=True)
RAISED = Style(color="red")
#: the glyph of a folded chain of decorator frames (the row itself says which key shows each frame)
CHAIN_GLYPH = "≡ "


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

    @dataclass
    class ChainOpened(Message):
        """The learner opened (or folded again) the chain of decorator frames starting at ``first``."""

        first: int
        opened: bool

    def __init__(self, trace: Trace, **kwargs) -> None:
        super().__init__(**kwargs)
        self.trace = trace
        self.collapsed: set[int] = set()
        self.chains: dict[int, list[int]] = {chain[0]: chain for chain in decorator_chains(trace)}
        self.opened_chains: set[int] = set()  # chains shown a frame a row
        self._depth_shifts: list[tuple[int, int, int]] = []  # (first call, last call, levels) under folded chains
        self._chain_details: dict[int, str] = {}
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
        """The calls shown: all but the inline ones (unless shown), those inside a folded call, and the frames
        of a folded chain but its first (with the checks they make beside the chain)."""
        trace, inline, rows = self.trace, self._inline if not self.show_inline else set(), []
        in_chains = self._fold_chains()
        skip_until = -1
        for call in trace.calls:
            if call <= skip_until or call in inline or call in in_chains:
                continue
            rows.append(call)
            if call in self.collapsed:
                skip_until = trace.end_of.get(call, len(trace) - 1)
        return rows

    def _fold_chains(self) -> set[int]:
        """The calls the folded chains hide (every call below a chain's first frame except those below its
        last), and how many levels the calls below each last frame move left."""
        trace, calls, hidden, shifts = self.trace, self.trace.calls, set(), []
        for first, chain in self.chains.items():
            if first in self.opened_chains:
                continue
            last = chain[-1]
            last_end, first_end = trace.end_of.get(last, len(trace) - 1), trace.end_of.get(first, len(trace) - 1)
            for low, high in ((first + 1, last), (last_end + 1, first_end)):
                hidden.update(calls[bisect_left(calls, low) : bisect_right(calls, high)])
            shifts.append((last + 1, last_end, self._plain_depth(last) - self._plain_depth(first)))
        self._depth_shifts = shifts
        return hidden

    def _plain_depth(self, call: int) -> int:
        return self.trace.depth[call] if self.show_inline else self._shown_depth[call]

    def depth_of(self, call: int) -> int:
        depth = self._plain_depth(call)
        for low, high, levels in self._depth_shifts:
            if low <= call <= high:
                depth -= levels
        return depth

    def folded_chain(self, call: int) -> list[int] | None:
        """The chain ``call``'s row stands for, when it is the first frame of a folded chain."""
        if call in self.opened_chains:
            return None
        return self.chains.get(call)

    def set_chain_open(self, first: int, opened: bool) -> None:
        """Show the chain starting at ``first`` a frame a row, or fold it into one row again."""
        if first not in self.chains or (first in self.opened_chains) == opened:
            return
        if opened:
            self.opened_chains.add(first)
            self.collapsed.discard(first)
        else:
            self.opened_chains.discard(first)
        self._rebuild()
        self.post_message(self.ChainOpened(first, opened))

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
            if call in self.chains:
                self.set_chain_open(call, call not in self.opened_chains)
            else:
                self.set_collapsed(call, call not in self.collapsed)

    def action_fold(self, collapse: bool) -> None:
        """``←`` folds a step: an opened chain into one row, then the row; ``→`` unfolds a step the other way."""
        if not self.rows:
            return
        call = self.rows[self.cursor_row]
        if call in self.chains and call not in self.collapsed and (call in self.opened_chains) == collapse:
            self.set_chain_open(call, not collapse)
        else:
            self.set_collapsed(call, collapse)

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
        chain = self.folded_chain(call)
        glyph = "▸ " if call in self.collapsed else CHAIN_GLYPH if chain else "▾ " if self.has_children(call) else "  "
        dim = self.get_component_rich_style("hops--dim", partial=True)
        segments = [Segment(indent), Segment(glyph, dim)]
        if ("function", trace.code_ids[call]) in self.breakpoints:
            segments.append(Segment("● ", BREAKPOINT))
        segments.append(Segment(self.hop_name(call, chain), layer_style(code.layer)))
        segments.append(Segment(f"  {format_us(trace.duration_of(call))}", dim))
        if chain:
            segments.append(Segment(self._chain_detail(chain), dim))
        outcome = trace.outcome(call) if call in trace.end_of else None
        if outcome is not None and outcome.kind == "raised":
            segments.append(Segment(" raised", RAISED))
        return segments

    def label_width(self, call: int) -> int:
        """The cells row ``call`` needs, marker included (what :meth:`label` draws, counted without drawing)."""
        trace = self.trace
        chain = self.folded_chain(call)
        width = 1 + self.depth_of(call) + 2 + cell_len(self.hop_name(call, chain))
        width += 2 + cell_len(format_us(trace.duration_of(call)))
        if chain:
            width += cell_len(self._chain_detail(chain))
        if ("function", trace.code_ids[call]) in self.breakpoints:
            width += 2
        if call in trace.end_of and trace.outcome(call).kind == "raised":
            width += len(" raised")
        return width

    def hop_name(self, call: int, chain: list[int] | None) -> str:
        """The function's name, or for a folded chain how many frames it holds."""
        return f"{len(chain)} decorator frames" if chain else self.trace.code(call).qualname

    def _chain_detail(self, chain: list[int]) -> str:
        """After a folded chain's time: its decorators and how many checks it hides."""
        detail = self._chain_details.get(chain[0])
        if detail is None:
            summary = summarize(self.trace, chain)
            detail = self._chain_details[chain[0]] = f"  {summary.names()} (and {summary.checks} checks; → shows each)"
        return detail

    def row_key(self, row: int) -> tuple:
        call = self.rows[row]
        return (call, call in self.collapsed, call in self.opened_chains, self.depth_of(call), self.show_inline,
                call == self._current_call(), row == self.cursor_row and self.has_focus)

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


