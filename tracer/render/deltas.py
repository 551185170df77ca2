"""Per-hop deltas, printed: under each WSGI layer's hop, what it added to or changed in the environ and the headers."""

from __future__ import annotations

from rich.text import Text

from tracer.model.trace import Trace
from tracer.render.theme import DIM

ADDED = "green"
REMOVED = "red"
CHANGED = "yellow"


def change_text(op: str, key: str, old: str | None, new: str | None, header: bool = False) -> Text:
    """``+ nova.context = <RequestContext ...>``, ``SCRIPT_NAME: '' → '/v2.1'`` or ``- key (was ...)``."""
    where = f"header {key}" if header else key
    if op == "+":
        return Text(f"+ {where}: {new}", style=ADDED)
    if op == "-":
        return Text(f"- {where} (was {old})", style=REMOVED)
    return Text(f"~ {where}: {old} → {new}", style=CHANGED)


def delta_lines(trace: Trace, entry: dict) -> list[Text]:
    """The changes of one layer, environ first, then headers on the way out."""
    lines = [change_text(*change) for change in entry.get("environ", ())]
    if entry.get("answered"):
        status = entry.get("status")
        lines.append(Text(f"answered{f' {status}' if status else ''} (from here on down), with:", style=DIM))
    elif entry.get("status"):
        lines.append(Text(f"~ status: {entry['status']}", style=CHANGED))
    lines.extend(change_text(*change, header=True) for change in entry.get("headers", ()))
    return lines


def delta_calls(trace: Trace) -> dict[int, dict]:
    """Each recorded delta, keyed by the call it belongs to: the layers were probed in the order the request
    reached them, so the n-th entry of a function is its n-th call."""
    deltas = trace.doc.get("deltas")
    if not isinstance(deltas, list):
        return {}
    calls_of: dict[str, list[int]] = {}
    for call in trace.calls:
        code = trace.code(call)
        calls_of.setdefault(f"{code.module}:{code.qualname}", []).append(call)
    used: dict[str, int] = {}
    found: dict[int, dict] = {}
    for entry in deltas:
        if not isinstance(entry, dict) or not isinstance(entry.get("hop"), str):
            continue
        hop = entry["hop"]
        n = used.get(hop, 0)
        calls = calls_of.get(hop, [])
        if n < len(calls):
            found[calls[n]] = entry
            used[hop] = n + 1
    return found
