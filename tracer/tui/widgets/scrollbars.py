"""Scrollbars that repaint only when what they draw changes.

A pane's scrollbar is told its position and sizes on every scroll, and Textual repaints it each
time; on a long list (the hop tree's 20,000 rows) the thumb moves one cell every few hundred rows,
so almost all of those repaints draw the same bar again: about a millisecond a move.
"""

from __future__ import annotations

from math import ceil

from rich.color import Color
from rich.segment import Segment
from rich.style import Style
from textual.cache import LRUCache
from textual.geometry import Region
from textual.scrollbar import ScrollBar, ScrollBarCorner, ScrollBarRender
from textual.strip import Strip

from tracer.tui.widgets.kept import KeptScreen, StillLines
from tracer.tui.widgets.memo import MemoStylesCache, whole_lines


class QuietScrollBar(KeptScreen, StillLines, ScrollBar):
    """A ``ScrollBar`` that skips a repaint when the bar it would draw is the one on screen, and keeps
    the last few bars drawn (going back to a file brings its bar back)."""

    _painted: tuple | None = None  # the look on screen (see _look)
    _painted_place: tuple | None = None  # where its thumb was then (see _place)
    _segments: tuple[Segment, ...] = ()  # the bar's segments for that look
    _base: Style | None = None  # the widget's style under them, read once a drawing
    _drawn: LRUCache[tuple, list[Strip]] | None = None
    _rows: dict[tuple, Strip] | None = None  # a vertical bar's rows, by segment and base style

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._styles_cache = MemoStylesCache(64)

    def _look(self) -> tuple | None:
        """Everything the bar's rendering depends on (see :meth:`_look_and_segments`)."""
        drawn = self._look_and_segments()
        return None if drawn is None else drawn[0]

    def _look_and_segments(self) -> tuple[tuple, tuple[Segment, ...]] | None:
        """Everything the bar's rendering depends on, computed the way ``ScrollBarRender`` draws it, and
        the segments it draws.

        The segments come in runs of one segment object (the track above the thumb, the thumb, the
        track below, a part-cell at either end of the thumb): the look holds each run's text, length
        and whether it is the thumb (reversed), which tells one bar from another as the segments do,
        without comparing a score of new styles each time.
        """
        bar = self.render()
        if not isinstance(bar, ScrollBarRender) or not self.is_mounted:
            return None
        bar_size = self.size
        width, height = bar_size
        size, thickness = (height, width) if bar.vertical else (width, height)
        style = bar.style if not isinstance(bar.style, str) else None
        if style is None:
            return None
        segments = bar.render_bar(
            size=size,
            window_size=bar.window_size,
            virtual_size=bar.virtual_size,
            position=bar.position,
            vertical=bar.vertical,
            thickness=thickness,
            back_color=style.bgcolor or Color.parse("#555555"),
            bar_color=style.color or Color.parse("bright_magenta"),
        )
        shape = tuple((segment.text, count, bool(segment.style and segment.style.reverse))
                      for segment, count in _runs(segments.segments))
        return (type(bar), bar_size, style, shape), tuple(segments.segments)

    def _place(self) -> tuple | None:
        """What the bar on screen is drawn from, in a few numbers: its size, the colours it takes them
        from, and the cells and eighths of a cell where ``ScrollBarRender.render_bar`` puts the thumb
        (its arithmetic, on the numbers ``ScrollBar._render_bar`` gives it). A scroll sets three of the
        bar's values in turn; telling whether the bar changed this way costs a tenth of drawing it
        (:meth:`_look`) each time. None when the bar is not drawn that way (another renderer, a
        translucent background over the pane's)."""
        parent = self.parent
        if self.renderer is not ScrollBarRender or parent is None or not self.is_mounted:
            return None
        styles = parent.styles
        if self.grabbed:
            background = styles.scrollbar_background_active
        elif self.mouse_over:
            background = styles.scrollbar_background_hover
        else:
            background = styles.scrollbar_background
        if background.a < 1:
            return None
        bar_size = self.size
        size = bar_size.height if self.vertical else bar_size.width
        virtual_size = ceil(self.window_virtual_size)
        window_size = ceil(self.window_size if self.window_size < self.window_virtual_size else 0)
        thumb = None
        if window_size and size and virtual_size and size != virtual_size:
            eighths = len(ScrollBarRender.VERTICAL_BARS if self.vertical else ScrollBarRender.HORIZONTAL_BARS)
            thumb_size = max(1, window_size / (virtual_size / size))
            offset = (size - thumb_size) * (self.position / (virtual_size - window_size))
            start = int(offset * eighths)
            thumb = (max(0, start), max(0, start + ceil(thumb_size * eighths)))
        return (bar_size, self.grabbed, self.mouse_over, styles._cache_key, self.screen.styles._cache_key, thumb)

    def refresh(self, *regions, repaint: bool = True, layout: bool = False, recompose: bool = False) -> QuietScrollBar:
        if not regions and not layout and not recompose and self._painted is not None:
            place = self._painted_place
            if (self._place() == place) if place is not None else (self._look() == self._painted):
                return self
        self._painted = None
        super().refresh(*regions, repaint=repaint, layout=layout, recompose=recompose)
        return self

    def paint_look(self) -> tuple | None:
        """Take the bar's look now as the one drawn: ``render_line`` draws its rows from it."""
        drawn = self._look_and_segments()
        if drawn is None:
            self._painted = None
            return None
        self._painted, self._segments = drawn
        self._painted_place = self._place()
        self._base = self.visual_style.rich_style
        return self._painted

    def draw_lines(self, crop: Region) -> list[Strip]:
        look = self.paint_look()
        if look is None:
            return super().draw_lines(crop)
        if self._drawn is None:
            self._drawn = LRUCache(16)
        return whole_lines(self, self._drawn, (look,), crop, super().draw_lines)

    def render_line(self, y: int) -> Strip:
        """A row straight from the bar's segments, as Textual renders them: the widget's style under
        each segment's. A vertical bar's row is one segment, and the same strip for the same segment:
        a bar is a few distinct rows (the track above and below, the thumb, two part-cells), so each
        is finished once, not once a move. A horizontal bar's row is its cells up to the line break,
        those of one look joined (the track, the thumb, the track)."""
        look, base = self._painted, self._base
        if look is None or base is None:
            return super().render_line(y)
        if not self.vertical:
            return self._horizontal_row(look, base, y)
        if y >= len(self._segments):
            return super().render_line(y)
        segment = self._segments[y]
        if self._rows is None:
            self._rows = {}
        key = (segment, base)
        row = self._rows.get(key)
        if row is None:
            row = self._rows[key] = Strip([Segment(segment.text, base + segment.style)], cell_length=self.size.width)
        return row

    def _horizontal_row(self, look: tuple, base: Style, y: int) -> Strip:
        width, thickness = look[1]
        if y >= thickness:
            return super().render_line(y)
        row = []
        for segment, cells in _runs(self._segments):
            if segment.control or segment.text == "\n":
                break
            row.append(Segment(segment.text * cells, base + segment.style))
        return Strip(Segment.simplify(row), cell_length=width)

    def notify_style_update(self) -> None:
        if self._drawn is not None:
            self._drawn.clear()
        self._rows = None
        super().notify_style_update()


def _runs(segments) -> list[list]:
    """``[segment, count]`` for each run of one segment object: ``render_bar`` repeats the same object
    along the track above the thumb, the thumb and the track below."""
    runs: list[list] = []
    previous = None
    for segment in segments:
        if segment is previous:
            runs[-1][1] += 1
        else:
            runs.append([segment, 1])
            previous = segment
    return runs


class StillCorner(StillLines, ScrollBarCorner):
    """The blank cell where two scrollbars meet, handed back as it was (every update crossing it asks)."""


class QuietScrollBars:
    """Mixin for a scrolling widget: its scrollbars are :class:`QuietScrollBar` and its corner a
    :class:`StillCorner` (made as Widget makes them)."""

    @property
    def scrollbar_corner(self) -> ScrollBarCorner:
        if self._scrollbar_corner is None:
            self._scrollbar_corner = StillCorner()
            self.app._start_widget(self, self._scrollbar_corner)
        return self._scrollbar_corner

    @property
    def vertical_scrollbar(self) -> ScrollBar:
        if self._vertical_scrollbar is None:
            self._vertical_scrollbar = self._quiet_bar(True, self.scrollbar_size_vertical)
        return self._vertical_scrollbar

    @property
    def horizontal_scrollbar(self) -> ScrollBar:
        if self._horizontal_scrollbar is None:
            self._horizontal_scrollbar = self._quiet_bar(False, self.scrollbar_size_horizontal)
        return self._horizontal_scrollbar

    def _quiet_bar(self, vertical: bool, thickness: int) -> QuietScrollBar:
        """Made as Widget makes its own scrollbars: hidden until needed, started as the widget's child."""
        bar = QuietScrollBar(vertical=vertical, name="vertical" if vertical else "horizontal", thickness=thickness)
        bar.display = False
        self.app._start_widget(self, bar)
        return bar
