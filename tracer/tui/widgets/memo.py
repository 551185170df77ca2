"""A styles cache that remembers the lines it drew, by the content line they were drawn from.

Textual draws a pane's line in two steps: the widget renders the content line, then the styles cache
wraps it in the pane's padding and border and applies its colours, making a new strip every time. A
replay step scrolls panes back to lines they showed before (the source of a file visited again, the
rows of the hop tree, the outer frames of the stack), and the widgets hand back the very same content
strips for those (their own caches): this cache then hands back the very same finished line too, and
Textual's compositor reuses what it cut that line into. That is a good part of a step's cost.
"""

from __future__ import annotations

from collections.abc import Callable

from rich.cells import cell_len
from rich.segment import Segment
from textual._styles_cache import StylesCache
from textual.cache import LRUCache
from textual.color import Color
from textual.geometry import Region
from textual.strip import Strip
from textual.widget import Widget


class MemoStylesCache(StylesCache):
    """``StylesCache`` with content lines' finished strips kept by content strip (identity) and by
    everything else the finished line depends on: sizes, styles, colours, opacity, ANSI theme and the
    app's line filters, which a kept line has already been through."""

    def __init__(self, maxsize: int = 1024) -> None:
        super().__init__()
        self._drawn: LRUCache[tuple, tuple[Strip, Strip]] = LRUCache(maxsize)
        self._context: tuple | None = None
        self._last_content_line: tuple | None = None  # how the last content line was finished (see prime)
        self._filters: tuple = ((), None)  # the line filters of the render under way, and its background
        self._frames: dict[tuple, tuple | None] = {}  # by context: the border and padding around a content line
        self._edges: LRUCache[tuple, Strip] = LRUCache(64)  # border and padding rows, by place, context, titles
        self._labelled: LRUCache[tuple, tuple[str, Strip]] = LRUCache(16)  # a titled row, by its label's length
        self._shown_context: tuple | None = None  # what the rows in ``_cache`` (filtered) were drawn for
        self._backgrounds: tuple | None = None  # (the DOM path's styles versions, backgrounds and opacity)

    def clear(self) -> None:
        super().clear()
        self._shown_context = None

    def render_widget(self, widget: Widget, crop: Region) -> list[Strip]:
        """What ``StylesCache.render_widget`` draws, each of the widget's looks read once a render (not
        once a line), and lines kept finished: a line shown before costs a lookup."""
        styles = widget.styles
        if any(edge for edge, _color in styles.outline):
            return super().render_widget(widget, crop)  # an outline draws on the first and last lines
        app = widget.app
        base_background, background, opacity = self._backgrounds_and_opacity(widget)
        filters = widget.get_line_filters()
        region = widget.region
        size = region.size
        content_size = widget.content_region.size
        ansi_theme, native_ansi = app.ansi_theme, app.native_ansi_color
        context = self._context = (size, content_size, styles._cache_key, base_background, background, opacity,
                                   id(ansi_theme), native_ansi, tuple(map(id, filters)))
        self._filters = (filters, background)
        arguments = (styles, size, content_size, styles.padding, base_background, background)
        rest = (opacity, ansi_theme, native_ansi)
        if context != self._shown_context or size.width != self._width:
            super().clear()
            self._width = size.width
            self._shown_context = context
        shown, dirty = self._cache, self._dirty_lines
        top = styles.gutter.top
        bottom = min(size.height - styles.gutter.bottom, top + content_size.height)
        render_content_line = widget.render_line
        strips: list[Strip] = []
        try:
            for y in crop.line_range:
                strip = None if y in dirty else shown.get(y)
                if strip is None:
                    if top <= y < bottom:
                        strip = self._content_line(y, render_content_line(y - top), arguments, rest)
                    else:
                        strip = self._edge(widget, y, arguments, rest, render_content_line)
                    shown[y] = strip
                strips.append(strip)
        finally:
            self._context = None
        dirty.difference_update(crop.line_range)
        if crop.column_span != (0, size.width):
            x1, x2 = crop.column_span
            strips = [strip.crop(x1, x2) for strip in strips]
        return _with_hover_links(widget, strips)

    def _backgrounds_and_opacity(self, widget: Widget) -> tuple[Color, Color, float]:
        """``widget.background_colors`` and ``widget.opacity`` (each a walk up the DOM), asked of Textual
        again only when a style on the widget's path up the DOM has changed (each node's styles count
        their changes)."""
        path = styles_path(widget)
        kept = self._backgrounds
        if kept is None or kept[0] != path:
            kept = self._backgrounds = (path, (*widget.background_colors, widget.opacity))
        return kept[1]

    def _content_line(self, y: int, content: Strip, arguments: tuple, rest: tuple) -> Strip:
        context = self._context
        key = (id(content), context)
        drawn = self._drawn.get(key)
        if drawn is not None and drawn[0] is content:
            return drawn[1]
        styles, size, content_size, padding, base_background, background = arguments
        finish_arguments = (styles, y, size, content_size, padding, base_background, background)
        untitled = (None, None, *rest)  # border titles are drawn on border rows only
        self._last_content_line = (context, finish_arguments, untitled, self._filters)
        strip = self._finish(context, finish_arguments, untitled, content, self._filters)
        self._drawn[key] = (content, strip)
        return strip

    @staticmethod
    def _filtered(strip: Strip, filters_and_background: tuple) -> Strip:
        filters, background = filters_and_background
        for line_filter in filters:
            strip = strip.apply_filter(line_filter, background)
        return strip

    def _edge(self, widget: Widget, y: int, arguments: tuple, rest: tuple,
              render_content_line: Callable[[int], Strip]) -> Strip:
        """A row of the pane's border or padding: the same as long as the pane's look and its border
        titles are (a step usually changes a pane's content, not its frame)."""
        styles, size, content_size, padding, base_background, background = arguments
        # as Textual draws them: the title on the top row, the subtitle on the bottom one (a pane's
        # subtitle that changes on every step, the source's "line N", leaves its top row as it was)
        label = widget._border_title if y == 0 else widget._border_subtitle if y == size.height - 1 else None
        key = (y, self._context, None if label is None else (label.plain, tuple(label.spans)))
        strip = self._edges.get(key)
        if strip is None:
            labelled = None if label is None else (y, self._context, len(label.plain), tuple(label.spans))
            strip = None if labelled is None else self._relabelled(labelled, label.plain)
            if strip is None:
                title = widget._border_title
                subtitle = widget._border_subtitle
                titles = (
                    None if title is None else (title, *widget._get_title_style_information(base_background)),
                    None if subtitle is None else (subtitle,
                                                   *widget._get_subtitle_style_information(base_background)),
                )
                strip = super().render_line(styles, y, size, content_size, padding, base_background, background,
                                            render_content_line, *titles, *rest)
                strip = self._filtered(strip, self._filters)
            self._edges[key] = strip
            if labelled is not None:
                self._labelled[labelled] = (label.plain, strip)
        return strip

    def _relabelled(self, labelled: tuple, new_text: str) -> Strip | None:
        """The row drawn for a label of the same length and styles (``labelled``: ``line 41`` for
        ``line 42``) with the new text put in place of the old, when the old text is found whole, once,
        in one segment: the same cells Textual draws, without laying the border out again. None otherwise."""
        drawn = self._labelled.get(labelled)
        if drawn is None:
            return None
        old_text, old_strip = drawn
        if cell_len(old_text) != len(old_text) or cell_len(new_text) != len(new_text):
            return None  # wide characters: the cells may not line up
        segments = list(old_strip)
        found = [n for n, segment in enumerate(segments) if old_text in segment.text]
        if len(found) != 1 or segments[found[0]].text.count(old_text) != 1:
            return None
        text, style, control = segments[found[0]]
        segments[found[0]] = Segment(text.replace(old_text, new_text), style, control)
        return Strip(segments, old_strip.cell_length)

    def _finish(self, context: tuple, arguments: tuple, rest: tuple, content: Strip,
                filters_and_background: tuple) -> Strip:
        """A content line with the pane's border and padding around it, as ``StylesCache.render_line``
        makes it, then through the app's line filters: the same frame for every content line of a pane,
        so it is cut once from a blank line, filtered once, and put around each new line, whose own
        segments alone go through the filters (a tenth of the calls; Textual's filters change each
        segment's style on its own). Panes with a tint, an opacity, a text opacity or a hatch go
        through Textual every time."""
        frame = self._frames.get(context, self._frames)
        if frame is self._frames:
            if len(self._frames) > 64:  # a context is a size and a look: many only after many resizes
                self._frames.clear()
            frame = self._frames[context] = self._frame(arguments, rest, filters_and_background)
        if frame is None:
            return self._filtered(super().render_line(*arguments, lambda _y: content, *rest), filters_and_background)
        left, right, inner_style, content_width, width = frame
        segments = list(content.adjust_cell_length(content_width, inner_style))
        filters, background = filters_and_background
        for line_filter in filters:
            segments = line_filter.apply(segments, background)
        return Strip([*left, *segments, *right], width)

    def _frame(self, arguments: tuple, rest: tuple, filters_and_background: tuple) -> tuple | None:
        styles, _y, size, content_size, padding, base_background, background = arguments
        opacity = rest[2]
        if styles.tint.a or opacity != 1.0 or styles.text_opacity != 1.0 or (
                styles.has_rule("hatch") and styles.hatch != "none"):
            return None
        (_top, (border_right, _), _bottom, (border_left, _)) = styles.border
        left_width = padding.left + (1 if border_left else 0)
        right_width = padding.right + (1 if border_right else 0)
        width = size.width
        if left_width + content_size.width + right_width != width:
            return None
        blank = Strip.blank(content_size.width)
        framed = self._filtered(super().render_line(*arguments, lambda _y: blank, *rest), filters_and_background)
        inner, _outer = self.get_inner_outer(base_background, background)
        return (list(framed.crop(0, left_width)), list(framed.crop(width - right_width, width)), inner.rich_style,
                content_size.width, width)

    def prime(self, contents: list[Strip], cuts: list[int] | None = None) -> None:
        """Finish content lines not shown yet as the last one shown was finished (every content line
        gets the same border, colours and filters), so that showing them later costs a lookup.

        With ``cuts`` (:func:`compositor_cuts`), each finished line is also divided there now, as the
        compositor will divide it when it is shown: the strip keeps its pieces (``Strip.divide``'s own
        cache), and a step to these lines makes no new strips for them (three a line, beside a pane's
        scrollbar)."""
        if self._last_content_line is None:
            return
        context, arguments, rest, filters = self._last_content_line
        drawn = self._drawn
        for content in contents:
            key = (id(content), context)
            if key not in drawn:
                strip = self._finish(context, arguments, rest, content, filters)
                drawn[key] = (content, strip)
                if cuts:
                    strip.divide(cuts)


def compositor_cuts(widget: Widget) -> list[int] | None:
    """Where Textual's compositor divides the widget's content lines to put them on screen, as it
    calls ``Strip.divide``: the columns, from the widget's left edge, where a widget on screen starts or
    ends in the row, its own scrollbar's edges among them. None when the widget is not wholly on screen."""
    compositor = widget.screen._compositor
    placed = compositor.visible_widgets.get(widget)
    if placed is None:
        return None
    region, clip = placed
    if not clip.contains_region(region):
        return None
    row = region.y + widget.styles.gutter.top
    if not region.y <= row < region.bottom:
        return None
    left, right = region.column_span
    return [cut - left for cut in compositor.cuts[row] if left <= cut <= right][1:]


def styles_path(widget: Widget) -> tuple:
    """The widget and its ancestors, each with its styles' change count: the same while no style that a
    walk up the DOM reads (backgrounds, colours, opacity, text style) has changed."""
    return tuple([(node, node.styles._cache_key) for node in widget.ancestors_with_self])


def _with_hover_links(widget: Widget, strips: list[Strip]) -> list[Strip]:
    """The link under the mouse in its hover style, as ``StylesCache.render_widget`` finishes a render."""
    if widget.auto_links:
        hover_style = widget.hover_style
        if hover_style._link_id and hover_style._meta and "@click" in hover_style.meta:
            link_style_hover = widget.link_style_hover
            if link_style_hover:
                return [strip.style_links(hover_style.link_id, link_style_hover) for strip in strips]
    return strips


def whole_lines(widget: Widget, cache: LRUCache, key: tuple, crop: Region,
                draw: Callable[[Region], list[Strip]]) -> list[Strip]:
    """``crop`` of the widget's lines as drawn whole for ``key`` (and the styles on its path up the DOM,
    which give its colours, and the app's line filters).

    For a pane that goes back and forth between a few looks (the note of a few functions, a scrollbar's
    thumb at a few places): ``draw`` renders the whole pane once a look, and the same strips come back.
    """
    full = (*key, styles_path(widget), tuple(map(id, widget.get_line_filters())))
    lines = cache.get(full)
    if lines is None:
        lines = cache[full] = draw(Region(0, 0, *widget.outer_size))
    lines = lines[crop.y : crop.bottom]
    if crop.x or crop.width != widget.outer_size.width:
        lines = [line.crop(crop.x, crop.right) for line in lines]
    return lines

