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
    """The changes of one layer, environ first, then headers on the way out; then those of the layers below
    it that the trace did not record (oslo.middleware's filters in Nova's pipeline), each under its name."""
    lines = _own_lines(entry)
    for other in entry.get("unrecorded", ()):
        lines.append(Text(f"then {other['hop']} (not recorded):", style=DIM))
        lines.extend(_own_lines(other))
    return lines


def _own_lines(entry: dict) -> list[Text]:
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
    last: int | None = None  # the call of the last layer the trace recorded
    for entry in deltas:
        if not isinstance(entry, dict) or not isinstance(entry.get("hop"), str):
            continue
        hop = entry["hop"]
        n = used.get(hop, 0)
        calls = calls_of.get(hop, [])
        if n < len(calls):
            found[calls[n]] = dict(entry, unrecorded=[])
            last = calls[n]
            used[hop] = n + 1
        elif last is not None and _changed_something(entry):
            # a layer outside the recorded modules ran inside the last recorded one: its changes go there
            found[last]["unrecorded"].append(entry)
    return found


def _changed_something(entry: dict) -> bool:
    return bool(entry.get("environ") or entry.get("headers") or entry.get("answered") or entry.get("status"))
