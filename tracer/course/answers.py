"""Queries over the response a client got: its status, its headers and its JSON body.

The other half of the query language (:mod:`tracer.course.queries` holds the hops): what the
client saw, read from the trace's recorded response, never from the app.
"""

from __future__ import annotations

import json
import string
from collections.abc import Mapping
from typing import Any

from tracer.model.trace import Trace

MISMATCHES_SHOWN = 3


def op_status(trace: Trace, q: Mapping[str, Any], others: Mapping[str, Trace]) -> int:
    return trace.status


def op_header(trace: Trace, q: Mapping[str, Any], others: Mapping[str, Trace]) -> str:
    """A response header (case-insensitive name); empty when absent."""
    wanted = q["header"].lower()
    for key, value in trace.response.get("headers", {}).items():
        if key.lower() == wanted:
            return str(value)
    return ""


def response_json(trace: Trace) -> Any:
    try:
        return json.loads(trace.response.get("body") or "null")
    except ValueError:
        return None


def json_path(data: Any, path: str) -> list[Any]:
    """Values at ``path`` in a JSON document; ``*`` walks every item of a list (or value of a dict)."""
    nodes = [data]
    for step in [s for s in path.split(".") if s]:
        nxt = []
        for node in nodes:
            if step == "*":
                nxt.extend(node if isinstance(node, list) else node.values() if isinstance(node, dict) else [])
            elif isinstance(node, dict) and step in node:
                nxt.append(node[step])
            elif isinstance(node, list) and step.lstrip("-").isdigit() and -len(node) <= int(step) < len(node):
                nxt.append(node[int(step)])
        nodes = nxt
    return nodes


def op_json(trace: Trace, q: Mapping[str, Any], others: Mapping[str, Trace]) -> Any:
    """A value of the response body: ``path = "servers.0.name"``; ``len = true`` for a length;
    with ``*`` in the path, the list of every match; ``has = "key"`` asks whether every match has that key;
    ``keys = true`` lists the keys of the object there; ``count = X`` counts the matches equal to X;
    ``each = "{user_id}@{tenant_id}", field = "tracer:owner"`` lists the matches whose field is not
    the template filled from that match's own keys (empty: every one agrees)."""
    data = response_json(trace)
    path = q.get("path", "")
    found = json_path(data, path)
    if "each" in q:
        return mismatches(found, str(q["each"]), str(q.get("field", "")))
    if "has" in q:
        return bool(found) and all(isinstance(item, dict) and q["has"] in item for item in found)
    if q.get("keys"):
        return list(found[0]) if found and isinstance(found[0], dict) else []
    if "count" in q:
        return sum(1 for item in found if item == q["count"])
    if q.get("len"):
        return len(found[0]) if found and hasattr(found[0], "__len__") else 0
    if "*" in path:
        return found
    return found[0] if found else None


def op_body_text(trace: Trace, q: Mapping[str, Any], others: Mapping[str, Trace]) -> str:
    return trace.response.get("body") or ""


def mismatches(items: list[Any], template: str, field: str) -> list[str]:
    """``web-01: 'demo@demo', not 'admin@admin'`` for each item whose ``field`` is not ``template`` filled
    from the item itself (a few, then how many more)."""
    names = [name for _, name, _, _ in string.Formatter().parse(template) if name]
    wrong = []
    for item in items:
        if not isinstance(item, dict):
            wrong.append(f"{item!r} is not an object")
            continue
        wanted = template.format_map({name: item.get(name, "") for name in names})
        if item.get(field) != wanted:
            wrong.append(f"{item.get('name', item.get('id', '?'))}: {item.get(field)!r}, not {wanted!r}")
    if len(wrong) > MISMATCHES_SHOWN:
        wrong = wrong[:MISMATCHES_SHOWN] + [f"and {len(wrong) - MISMATCHES_SHOWN} more"]
    return wrong
