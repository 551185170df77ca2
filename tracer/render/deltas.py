"""Per-hop deltas, printed: under each WSGI layer, what it added to or changed in the environ and the headers."""

from __future__ import annotations

from rich.console import Console, ConsoleOptions, RenderResult
from rich.text import Text

from tracer.model.trace import Trace
from tracer.render.theme import DIM, NAME, layer_style

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


def layer_of(trace: Trace, hop: str) -> str:
    module, _, qualname = hop.partition(":")
    code = next((c for c in trace.codes if c.module == module and c.qualname == qualname), None)
    return code.layer if code is not None else "other"


class DeltaList:
    """Every recorded WSGI layer, outermost first, with its changes (``tracer run --deltas``)."""

    def __init__(self, trace: Trace) -> None:
        self.trace = trace

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        deltas = self.trace.doc.get("deltas")
        if not isinstance(deltas, list):
            yield Text("This trace has no per-hop deltas (it was not recorded by tracer run).", style=DIM)
            return
        yield Text("What each layer changed (environ on the way in, headers on the way out):", style=NAME)
        for entry in deltas:
            if not isinstance(entry, dict) or not isinstance(entry.get("hop"), str):
                continue
            hop = entry["hop"]
            layer = layer_of(self.trace, hop)
            head = Text(hop.partition(":")[2], style=NAME)
            head.append(f"  {layer}", style=layer_style(layer))
            lines = delta_lines(self.trace, entry)
            if not lines:
                head.append("  no change", style=DIM)
            yield head
            for line in lines:
                yield Text("   ") + line
