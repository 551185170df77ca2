"""Colours of the faces: one per layer of the stack, and one per kind of HTTP status.

Kept in one small module so the tree, the status line and the TUI colour a hop the same way.
"""

from __future__ import annotations

from datetime import UTC, datetime

#: Layer -> colour. Neighbouring layers of the request path get colours that tell apart; the TUI uses them too.
LAYER_STYLES: dict[str, str] = {
    "server": "#9e9e9e",
    "middleware": "#5fafff",
    "router": "#af87ff",
    "resource": "#ffaf5f",
    "extension": "#d7af00",
    "controller": "#5fd75f",
    "policy": "#ff5f87",
    "validation": "#d7875f",
    "compute": "#00d7af",
    "cells": "#5fafaf",
    "db": "#d787af",
    "view": "#87d7ff",
    "serializer": "#ffd787",
    "other": "#bcbcbc",
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


def format_time(recorded_at: str) -> str:
    """``2026-11-25T06:07:38.251442Z`` as local ``2026-11-25 07:07:38``."""
    try:
        moment = datetime.strptime(recorded_at, "%Y-%m-%dT%H:%M:%S.%fZ")
    except ValueError:
        return recorded_at or "-"
    return moment.replace(tzinfo=UTC).astimezone().strftime("%Y-%m-%d %H:%M:%S")
