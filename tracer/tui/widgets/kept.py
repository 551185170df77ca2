"""What a pane keeps between renders that Textual works out again on every call.

Each mixin keeps one thing (lines, component styles, the rich style, the screen) and says what makes it
stale; a step renders several panes, and these lookups, cheap alone, add up to milliseconds.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.style import Style
from textual.geometry import Region
from textual.strip import Strip

from tracer.tui.widgets.memo import styles_path

if TYPE_CHECKING:
    from textual.screen import Screen


class KeptScreen:
    """Mixin: the widget's screen, found once.

    Textual walks up the DOM to the screen each time it is asked, and it is asked for every ``region``,
    ``size`` and ``content_region`` (several times a line in some panes). A pane stays on its screen
    from mount until it is removed, when Textual detaches it (:meth:`_detach`) and the screen is
    forgotten; until then (not mounted) Textual's walk answers, or raises ``NoScreen``, as always.
    """

    _kept_screen = None

    @property
    def screen(self) -> Screen:
        screen = self._kept_screen
        if screen is None:
            screen = self._kept_screen = super().screen  # type: ignore[misc]
        return screen

    def _detach(self) -> None:
        self._kept_screen = None
        super()._detach()  # type: ignore[misc]


class KeptComponentStyles:
    """Mixin: component styles (``hops--current``, ``tree--cursor``, ...) kept until the CSS changes.

    Widget forgets its component rich styles on every repaint, and ``get_component_styles`` merges
    the CSS anew on each call; a pane drawing a few dozen lines a step asks for them for each line
    (Tree three times a line, TextArea's theme on every render): about a millisecond a step in all.
    A restyle (``notify_style_update``) forgets them, and a kept style is only used while the
    component's styles are the very ones it was made from.
    """

    _kept_component_styles: dict | None = None

    def _components(self, names: tuple[str, ...]) -> tuple:
        components = self._component_styles  # type: ignore[attr-defined]
        return tuple(components.get(name) for name in names)

    @staticmethod
    def _same(kept: tuple, components: tuple) -> bool:
        """The very component styles objects (held, so that no new one can take an old one's place)."""
        return all(a is b for a, b in zip(kept, components, strict=True))

    def get_component_styles(self, *names: str):
        kept = self._kept_component_styles
        if kept is None:
            kept = self._kept_component_styles = {}
        key = ("styles", names)
        made = kept.get(key)
        components = self._components(names)
        if made is None or not self._same(made[0], components):
            made = kept[key] = (components, super().get_component_styles(*names))  # type: ignore[misc]
        return made[1]

    def get_component_rich_style(self, *names: str, partial: bool = False, default=None):
        kept = self._kept_component_styles
        if kept is None:
            kept = self._kept_component_styles = {}
        key = ("rich", names, partial)
        made = kept.get(key)
        components = self._components(names)
        if made is None or not self._same(made[0], components):
            style = super().get_component_rich_style(*names, partial=partial, default=default)  # type: ignore[misc]
            if default is not None and style is default:
                return style  # a missing component: not kept
            made = kept[key] = (components, style)
        return made[1]

    def notify_style_update(self) -> None:
        self._kept_component_styles = None
        super().notify_style_update()  # type: ignore[misc]


class KeptRichStyle:
    """Mixin: ``rich_style`` kept until a style on the widget's path up the DOM changes.

    Textual works it out on each call, merging the colours and text style of every ancestor (0.1 ms);
    a pane asks once a render, and every step renders several panes.
    """

    _kept_rich_style: tuple | None = None

    @property
    def rich_style(self) -> Style:
        path = styles_path(self)  # type: ignore[arg-type]
        kept = self._kept_rich_style
        if kept is None or kept[0] != path:
            kept = self._kept_rich_style = (path, super().rich_style)  # type: ignore[misc]
        return kept[1]


_UNREAD = object()


class OncePerRender:
    """Mixin: what every line of a render shares (scroll offset, size, styles, ...), read once a render.

    ``render_line`` asks :meth:`per_render`; it is read (:meth:`read_per_render`) at the first line, after
    the widget has done what it does before drawing (Tree notes its pseudo-classes, TextArea applies its
    theme), and kept until the render ends. Outside a render each call reads it afresh. List it before
    :class:`StillLines`, whose ``draw_lines`` it wraps.
    """

    _drawing = False
    _per_render: object = _UNREAD

    def draw_lines(self, crop: Region) -> list[Strip]:
        self._drawing, self._per_render = True, _UNREAD
        try:
            return super().draw_lines(crop)  # type: ignore[misc]
        finally:
            self._drawing, self._per_render = False, _UNREAD

    def per_render(self):
        state = self._per_render
        if state is _UNREAD:
            state = self.read_per_render()
            if self._drawing:
                self._per_render = state
        return state

    def read_per_render(self):
        raise NotImplementedError


class StillLines:
    """Mixin: a widget not repainted since its last render hands back the very same lines.

    Every screen update asks every pane under the updated area for all its lines (the header is on
    the top row and changes on every step, so that is every pane); a pane that has not changed then
    only returns what its styles cache holds, yet getting there costs 0.1-0.2 ms a pane (styles,
    theme CSS, filters). Anything that changes a widget's lines marks it dirty (``_set_dirty``) or
    restyles it (``notify_style_update``), which forgets them.
    """

    _still: tuple[Region, list[Strip]] | None = None

    def _set_dirty(self, *regions: Region) -> None:
        self._still = None
        super()._set_dirty(*regions)  # type: ignore[misc]

    def notify_style_update(self) -> None:
        self._still = None
        super().notify_style_update()  # type: ignore[misc]

    def render_lines(self, crop: Region) -> list[Strip]:
        still = self._still
        if still is not None and still[0] == crop:
            return still[1]
        lines = self.draw_lines(crop)
        self._still = (crop, lines)
        return lines

    def draw_lines(self, crop: Region) -> list[Strip]:
        """Render the lines afresh: what the widget overrides instead of ``render_lines``."""
        return super().render_lines(crop)  # type: ignore[misc]
