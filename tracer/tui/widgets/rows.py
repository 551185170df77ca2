"""What the hop tree and the variables pane share: a line ``ScrollView`` of rows with a keyboard row."""

from __future__ import annotations

from textual.binding import Binding
from textual.events import Click
from textual.geometry import Offset, Region, Spacing
from textual.reactive import reactive
from textual.scroll_view import ScrollView

from tracer.tui.widgets.kept import KeptComponentStyles, KeptRichStyle, KeptScreen, OncePerRender, StillLines
from tracer.tui.widgets.scrollbars import QuietScrollBars


class RowsView(KeptComponentStyles, KeptRichStyle, KeptScreen, OncePerRender, StillLines, QuietScrollBars,
               ScrollView, can_focus=True):
    """Rows drawn a line at a time (no widget per row), and ``cursor_row``, the row the keys act on,
    kept in sight with ``scroll_margin`` rows above and below it. Subclasses say how many rows there
    are (:meth:`row_count`), draw them (``render_line``) and bind what a row does."""

    BINDINGS = [
        Binding("up", "cursor(-1)", "up", show=False),
        Binding("down", "cursor(1)", "down", show=False),
        Binding("pageup", "page(-1)", "page up", show=False),
        Binding("pagedown", "page(1)", "page down", show=False),
    ]

    cursor_row: reactive[int] = reactive(0, repaint=False)
    scroll_margin = 0

    def row_count(self) -> int:
        raise NotImplementedError

    def watch_cursor_row(self, old: int, row: int) -> None:
        margin = min(self.scroll_margin, max(self.size.height - 1, 0) // 4)
        top = round(self.scroll_y)
        self.scroll_to_region(Region(0, row, 1, 1), spacing=Spacing(margin, 0, margin, 0), animate=False,
                              immediate=True, force=True)
        if round(self.scroll_y) == top:  # a scroll repaints every row (ScrollView.watch_scroll_y)
            self.refresh_line(old)
            self.refresh_line(row)

    def action_cursor(self, delta: int) -> None:
        self.cursor_row = min(max(self.cursor_row + delta, 0), max(self.row_count() - 1, 0))

    def action_page(self, direction: int) -> None:
        self.action_cursor(direction * max(self.size.height - 1, 1))

    def clicked(self, event: Click) -> Offset | None:
        """Where a click fell in the rows (column and row, scrolling counted), or None when it fell on
        the border or below the last row (the event counts from the border, the rows from inside it)."""
        offset = event.get_content_offset(self)
        if offset is None:
            return None
        at = offset + self.scroll_offset
        return at if 0 <= at.y < self.row_count() else None
