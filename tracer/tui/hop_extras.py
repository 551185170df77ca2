"""More for the hop note: what a WSGI layer changed (its recorded deltas), and how the router matched the URL.

Both were recorded with the trace (``deltas`` and ``route``, see docs/trace-format.md); a trace without
them gets no extra lines. Kept short: the note is a small pane, and ``tracer show --deltas`` and
``tracer route`` print the whole of it.
"""

from __future__ import annotations

from rich.text import Text

from tracer.model.trace import CodeInfo, Trace
from tracer.render.deltas import ADDED, CHANGED, REMOVED

#: Qualnames of the router's hops, whose note tells how the URL was matched.
ROUTER_HOPS = ("Router.__call__", "Router._dispatch")
MAX_LINES = 6


def hop_extras(trace: Trace, code: CodeInfo) -> Text | None:
    """The extra lines of ``code``'s note, or None."""
    parts: list[Text] = []
    deltas = trace.doc.get("deltas")
    if isinstance(deltas, list):
        key = f"{code.module}:{code.qualname}"
        entry = next((e for e in deltas if isinstance(e, dict) and e.get("hop") == key), None)
        if entry is not None:
            parts.append(_changes(entry))
    route = trace.doc.get("route")
    if isinstance(route, dict) and code.qualname in ROUTER_HOPS and code.layer == "router":
        parts.append(_route(route))
    parts = [part for part in parts if part]
    if not parts:
        return None
    return Text("\n").join(parts)


def _changes(entry: dict) -> Text:
    lines: list[Text] = []
    for op, key, old, new in entry.get("environ", ())[:MAX_LINES]:
        style = {"+": ADDED, "-": REMOVED}.get(op, CHANGED)
        lines.append(Text(f"{op} {key}" + (f": {old} → {new}" if op == "~" else ""), style=style))
    for op, name, _old, _new in entry.get("headers", ())[:MAX_LINES]:
        style = {"+": ADDED, "-": REMOVED}.get(op, CHANGED)
        lines.append(Text(f"{op} header {name}", style=style))
    if not lines:
        return Text()
    head = Text("Changed here" + (" (it answered):" if entry.get("answered") else ":"), style="bold")
    return Text("\n").join([head, *lines])


def _route(route: dict) -> Text:
    text = Text("Route: ", style="bold")
    if isinstance(route.get("error"), str):
        text.append(route["error"], style="dim")
        return text
    match = route.get("match")
    if not isinstance(match, dict):
        text.append(f"none of the {route.get('routes', '?')} routes matched: 404")
        return text
    bound = ", ".join(f"{k}={v!r}" for k, v in (match.get("variables") or {}).items())
    text.append(f"#{match.get('index')} {'|'.join(match.get('methods') or ['ANY'])} {match.get('pattern')} → "
                f"{match.get('action')}({bound})")
    misses = sorted(route.get("near_misses") or [], key=lambda miss: miss.get("outcome") != "shadowed")
    for miss in misses[:3]:
        if miss.get("outcome") == "shadowed":
            text.append(f"\n≈ #{miss.get('index')} {miss.get('action')} would match too, but comes later",
                        style="dim")
        elif miss.get("outcome") == "method":
            text.append(f"\n✗ #{miss.get('index')} {miss.get('action')}: only for "
                        f"{'|'.join(miss.get('methods') or [])}", style="dim")
    return text
