"""Colours of the layers, shared by every pane that names a hop (one place to change them)."""

from __future__ import annotations

from rich.style import Style

LAYER_COLOURS: dict[str, str] = {
    "server": "#9e9e9e",
    "middleware": "#5fafff",
    "router": "#af87ff",
    "resource": "#ffaf5f",
    "extension": "#d7af00",
    "controller": "#5fd75f",
    "policy": "#ff5f87",
    "compute": "#00d7af",
    "db": "#d787af",
    "view": "#87d7ff",
    "serializer": "#ffd787",
    "other": "#bcbcbc",
}


def layer_style(layer: str, **extra: object) -> Style:
    """The rich style a hop of ``layer`` is drawn in."""
    return Style(color=LAYER_COLOURS.get(layer, LAYER_COLOURS["other"]), **extra)  # type: ignore[arg-type]


def status_style(status: int) -> str:
    """Green for success, yellow for client errors, red for server errors and unknown statuses."""
    if 200 <= status < 400:
        return "bold green"
    if 400 <= status < 500:
        return "bold yellow"
    return "bold red"


def format_us(us: int) -> str:
    """A duration a person reads at a glance: ``850 µs``, ``12.3 ms``, ``1.25 s``."""
    if us < 1000:
        return f"{us} µs"
    if us < 1_000_000:
        return f"{us / 1000:.1f} ms"
    return f"{us / 1_000_000:.2f} s"
