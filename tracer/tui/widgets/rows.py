"""What the line panes share: a ``ScrollView`` drawn a line at a time, with a keyboard row and a strip cache.

Textual's own ``Log`` and ``DataTable`` are built this way: the widget knows how many lines it has
(``virtual_size``), draws only the ones on screen in ``render_line``, keeps the strips it drew in an
LRU cache, and asks for a single line to be drawn again with ``refresh_line`` when only that line changed.

No pane draws a scrollbar (the stylesheet makes them zero wide; the mouse wheel still scrolls): a step
that scrolls a pane would repaint its scrollbar too, top to bottom, and redrawing four of them made the
costliest steps miss a frame. Instead the pane's title counts the rows out of sight above and below,
exactly (``▲ 12 above  ▼ 40 below``), on the top border, which even a narrow terminal draws.
"""

from __future__ import annotations

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.binding import Binding
from textual.cache import LRUCache
from textual.events import Click
from textual.geometry import Offset, Region, Size, Spacing
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

ELLIPSIS = "…"


def fit(strip: Strip, width: int, style: Style) -> Strip:
    """``strip`` cut or padded to ``width`` cells; a line cut short ends in ``…`` so the learner knows."""
    if strip.cell_length > width:
        return Strip([*strip.crop(0, max(width - 1, 0)), Segment(ELLIPSIS, style)], width)
    return strip.extend_cell_length(width)


#: Cells of a pane's top border that its title cannot use (the corners and the spaces around the title).
TITLE_MARGIN = 4


def shorten_path(name: str, room: int) -> str:
    """``name`` as it fits in ``room`` cells: a path too long loses its first folders (``…/openstack/wsgi.py``),
    never its file name; anything else is left for the border to cut (it ends in ``…``)."""
    if len(name) <= room or "/" not in name:
        return name
    tail = name[len(name) - max(room - 1, 0):]
    if "/" in tail:
        return ELLIPSIS + tail[tail.index("/"):]
    return ELLIPSIS + name[name.rindex("/"):]


class RowsView(ScrollView, can_focus=True):
    """Rows drawn a line at a time (no widget per row), and ``cursor_row``, the row the keys act on,
    kept in sight with ``scroll_margin`` rows above and below it. Subclasses say how many rows there
    are (:meth:`row_count`), draw one (:meth:`draw_row`) and bind what a row does."""

    BINDINGS = [
        Binding("up", "cursor(-1)", "up", show=False),
        Binding("down", "cursor(1)", "down", show=False),
        Binding("pageup", "page(-1)", "page up", show=False),
        Binding("pagedown", "page(1)", "page down", show=False),
    ]

    cursor_row: reactive[int] = reactive(0, repaint=False)
    #: The pane's name in its title, before the signs of rows out of sight.
    pane_title = ""
    scroll_margin = 0
    #: The scrollable height is the most rows the pane has had, rounded up to a multiple of this, and
    #: never shrinks: a new scrollable size makes Textual lay out and repaint the whole screen, so a
    #: pane whose number of rows changes on most steps changes its size only now and then. How far the
    #: pane scrolls is set by the rows it has now (:attr:`max_scroll_y`), not by that height.
    row_quantum = 1

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._strips: LRUCache[tuple, Strip] = LRUCache(1024)
        self._drawing: tuple[int, int, Style] | None = None  # scroll, width and style of the render under way
        self.shown_title = ""  # the title as shown, signs included

    def row_count(self) -> int:
        raise NotImplementedError

    def row_key(self, row: int) -> tuple:
        """What row ``row``'s drawing depends on besides the pane's width and style (its cache key)."""
        raise NotImplementedError

    def draw_row(self, row: int, width: int, style: Style) -> Strip:
        """Row ``row`` drawn ``width`` cells wide (from column 0: the pane does not scroll sideways)."""
        raise NotImplementedError

    def set_row_count(self, rows: int) -> None:
        """Say how many rows there are: the title's signs and how far the pane scrolls follow."""
        height = -(-rows // self.row_quantum) * self.row_quantum
        if height > self.virtual_size.height:
            self.virtual_size = Size(0, height)  # no sideways scrolling: a line too long ends in "…"
        if self.scroll_y > self.max_scroll_y:  # fewer rows than before: no scrolling past the last one
            self.scroll_to(y=self.max_scroll_y, animate=False, immediate=True, force=True)
        self.show_signs()

    @property
    def max_scroll_y(self) -> int:
        """How far the pane scrolls: to its last row (its scrollable height may hold more)."""
        return max(self.row_count() - self.scrollable_content_region.height, 0)

    def show_signs(self) -> None:
        """The title: the pane's name, then how many rows are out of sight above and below."""
        top = round(self.scroll_y)
        below = max(self.row_count() - top - self.scrollable_content_region.height, 0)
        signs = []
        if top:
            signs.append(f"▲ {top:,} above")
        if below:
            signs.append(f"▼ {below:,} below")
        room = self.size.width - TITLE_MARGIN - sum(len(sign) + 2 for sign in signs)
        title = "  ".join([shorten_path(self.pane_title, room), *signs] if self.pane_title else signs)
        if title != self.shown_title:  # setting it repaints the whole pane: only when it scrolled or its rows changed
            self.shown_title = title
            self.border_title = Text(title)  # as it is: a "[" in a file's path is not markup

    def watch_scroll_y(self, old: float, new: float) -> None:
        super().watch_scroll_y(old, new)
        self.show_signs()

    def render_lines(self, crop: Region) -> list[Strip]:
        """Textual's, with what every line needs read once for all the lines of this render: the
        pane's style alone is a walk up the DOM (a large share of a step, read once a line)."""
        self._drawing = (self.scroll_offset.y, self.scrollable_content_region.width, self.rich_style)
        try:
            return super().render_lines(crop)
        finally:
            self._drawing = None

    def render_line(self, y: int) -> Strip:
        top, width, style = self._drawing or (self.scroll_offset.y, self.scrollable_content_region.width,
                                              self.rich_style)
        row = y + top
        if row >= self.row_count():
            return Strip.blank(width, style)
        key = (*self.row_key(row), width, style)
        strip = self._strips.get(key)
        if strip is None:
            strip = self._strips[key] = self.draw_row(row, width, style)
        return strip

    def notify_style_update(self) -> None:
        self._strips.clear()
        super().notify_style_update()

    def on_mount(self) -> None:
        self.show_signs()

    def on_resize(self) -> None:
        self.set_row_count(self.row_count())
        self.call_after_refresh(self.show_cursor)  # once the new size is laid out

    def show_cursor(self) -> None:
        self.show_row(self.cursor_row)

    def on_focus(self) -> None:
        self.refresh()  # the keyboard row is highlighted only while the pane has focus

    def on_blur(self) -> None:
        self.refresh()

    def watch_cursor_row(self, old: int, row: int) -> None:
        self.show_row(row)
        self.refresh_line(old)
        self.refresh_line(row)

    def show_row(self, row: int) -> None:
        """Scroll ``row`` into view with ``scroll_margin`` rows around it, at once (no animation)."""
        margin = min(self.scroll_margin, max(self.scrollable_content_region.height - 1, 0) // 4)
        self.scroll_to_region(Region(0, row, 1, 1), spacing=Spacing(margin, 0, margin, 0), animate=False,
                              immediate=True, force=True)

    def action_cursor(self, delta: int) -> None:
        self.cursor_row = min(max(self.cursor_row + delta, 0), max(self.row_count() - 1, 0))

    def action_page(self, direction: int) -> None:
        self.action_cursor(direction * max(self.scrollable_content_region.height - 1, 1))

    def clicked(self, event: Click) -> Offset | None:
        """Where a click fell in the rows (column and row, scrolling counted), or None when it fell on
        the border or below the last row (the event counts from the border, the rows from inside it)."""
        offset = event.get_content_offset(self)
        if offset is None:
            return None
        at = offset + self.scroll_offset
        return at if 0 <= at.y < self.row_count() else None
