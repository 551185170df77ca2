"""Colours of the faces: one per layer of the stack, and one per kind of HTTP status.

Kept in one small module so the tree, the status line and the TUI colour a hop the same way.
"""

from __future__ import annotations

#: Layer -> rich style. Neighbouring layers of the request path get colours that tell apart.
LAYER_STYLES: dict[str, str] = {
    "server": "bright_black",
    "middleware": "magenta",
    "router": "blue",
    "resource": "cyan",
    "extension": "bright_magenta",
    "controller": "green",
    "policy": "yellow",
    "compute": "bright_green",
    "db": "bright_blue",
    "view": "bright_cyan",
    "serializer": "bright_yellow",
    "other": "white",
}

RAISED = "bold red"
PROPAGATED = "red"
CAUGHT = "green"
DIM = "dim"
NAME = "bold"


def layer_style(layer: str) -> str:
    """The style of a layer's name and badge (unknown layers look like ``other``)."""
    return LAYER_STYLES.get(layer, LAYER_STYLES["other"])


def status_style(status: int) -> str:
    """Green for success, cyan for redirects, yellow for client errors, red for server errors."""
    if 200 <= status < 300:
        return "bold green"
    if 300 <= status < 400:
        return "bold cyan"
    if 400 <= status < 500:
        return "bold yellow"
    return "bold red"


def format_duration(us: int) -> str:
    """``850 µs``, ``12.3 ms``, ``1.25 s``: short enough for a tree node."""
    if us < 1000:
        return f"{us} µs"
    if us < 1_000_000:
        return f"{us / 1000:.1f} ms"
    return f"{us / 1_000_000:.2f} s"
