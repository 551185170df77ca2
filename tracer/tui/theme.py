"""The TUI's styles: the faces' colours (``tracer.render.theme``) as the rich ``Style`` objects panes draw with."""

from __future__ import annotations

from rich.style import Style

from tracer.render.theme import format_duration as format_us
from tracer.render.theme import layer_style as _layer_colour
from tracer.render.theme import status_style

__all__ = ["format_us", "layer_style", "status_style"]


def layer_style(layer: str, **extra: object) -> Style:
    """The rich style a hop of ``layer`` is drawn in."""
    return Style(color=_layer_colour(layer), **extra)  # type: ignore[arg-type]
