"""Scrollbars that repaint only when what they draw changes.

A pane's scrollbar is told its position and sizes on every scroll, and Textual repaints it each
time; on a long list (the hop tree's 20,000 rows) the thumb moves one cell every few hundred rows,
so almost all of those repaints draw the same bar again: about a millisecond a move (issue 4).
"""

from __future__ import annotations

from rich.color import Color
from textual.cache import LRUCache
from textual.geometry import Region
from textual.scrollbar import ScrollBar, ScrollBarRender
from textual.strip import Strip


class QuietScrollBar(ScrollBar):
    """A ``ScrollBar`` that skips a repaint when the bar it would draw is the one on screen, and keeps
    the last few bars drawn (going back to a file brings its bar back)."""

    _painted: tuple | None = None
    _drawn: LRUCache[tuple, list[Strip]] | None = None
    _shown: tuple[Region, list[Strip]] | None = None  # the last lines handed out, while nothing changed

    def _look(self) -> tuple | None:
        """Everything the bar's rendering depends on, computed the way ``ScrollBarRender`` draws it."""
        bar = self.render()
        if not isinstance(bar, ScrollBarRender) or not self.is_mounted:
            return None
        width, height = self.size
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
        return (type(bar), self.size, style, tuple(segments.segments))

    def refresh(self, *regions, repaint: bool = True, layout: bool = False, recompose: bool = False) -> QuietScrollBar:
        if not regions and not layout and not recompose and self._painted is not None:
            if self._look() == self._painted:
                return self
        self._painted = None
        super().refresh(*regions, repaint=repaint, layout=layout, recompose=recompose)
        return self

    def _set_dirty(self, *regions: Region) -> None:
        self._shown = None
        super()._set_dirty(*regions)

    def render_lines(self, crop: Region) -> list[Strip]:
        shown = self._shown
        if shown is not None and shown[0] == crop:
            return shown[1]  # not repainted since: every screen update asks again
        self._painted = look = self._look()
        if look is None:
            return super().render_lines(crop)
        if self._drawn is None:
            self._drawn = LRUCache(16)
        key = (look, self.styles._cache_key, self.background_colors, tuple(map(id, self.get_line_filters())))
        lines = self._drawn.get(key)
        if lines is None:
            lines = self._drawn[key] = super().render_lines(Region(0, 0, *self.outer_size))
        lines = lines[crop.y : crop.bottom]
        if crop.x or crop.width != self.outer_size.width:
            lines = [line.crop(crop.x, crop.right) for line in lines]
        self._shown = (crop, lines)
        return lines

    def notify_style_update(self) -> None:
        self._shown = None
        if self._drawn is not None:
            self._drawn.clear()
        super().notify_style_update()


class QuietScrollBars:
    """Mixin for a scrolling widget: its scrollbars are :class:`QuietScrollBar` (as Widget makes them)."""

    @property
    def vertical_scrollbar(self) -> ScrollBar:
        if self._vertical_scrollbar is None:
            bar = QuietScrollBar(vertical=True, name="vertical", thickness=self.scrollbar_size_vertical)
            bar.display = False
            self._vertical_scrollbar = bar
            self.app._start_widget(self, bar)
        return self._vertical_scrollbar

    @property
    def horizontal_scrollbar(self) -> ScrollBar:
        if self._horizontal_scrollbar is None:
            bar = QuietScrollBar(vertical=False, name="horizontal", thickness=self.scrollbar_size_horizontal)
            bar.display = False
            self._horizontal_scrollbar = bar
            self.app._start_widget(self, bar)
        return self._horizontal_scrollbar
