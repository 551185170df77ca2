"""Pictures of a trace for other tools: Chrome trace-event JSON (Perfetto), a Mermaid sequence diagram, an SVG.

A learner shows a request to a class on slides, in Markdown or in ui.perfetto.dev, not in a terminal. Each
exporter reads the recorded trace only, so every slice, arrow and node is a call that really happened, with
the values as recorded (already redacted when the trace was made).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

from tracer.model.trace import Trace
from tracer.render.theme import format_duration

#: The picture formats ``tracer export`` writes.
EXPORT_FORMATS = ("perfetto", "mermaid", "svg")

#: Arguments of one slice: enough to recognise the call, bounded so the file stays small.
MAX_ARGS = 8


def hops(trace: Trace) -> list[int]:
    """Every call a learner reads as a hop: comprehension frames are part of their parent."""
    return [call for call in trace.calls if not trace.code(call).is_inline]


# -- Perfetto / chrome://tracing ------------------------------------------------------------------------


def perfetto_events(trace: Trace) -> dict:
    """The trace as a Chrome trace-event document: one complete ("X") slice per hop on one thread.

    ``ts`` and ``dur`` are microseconds from the request's start, as recorded, so nested slices sit
    inside their callers the way the frames did. The slice's category is its layer, so the viewer can
    colour and filter by layer; its arguments are where the function lives and what it was called with.
    """
    events: list[dict] = [
        {"ph": "M", "name": "process_name", "pid": 1, "tid": 1, "args": {"name": f"tracer: {trace.request_line}"}},
        {"ph": "M", "name": "thread_name", "pid": 1, "tid": 1, "args": {"name": "request"}},
    ]
    for call in hops(trace):
        code = trace.code(call)
        args: dict[str, object] = {
            "module": code.module,
            "file": code.filename,
            "line": code.firstlineno,
        }
        for name, value in trace.scope(trace.data[call])[:MAX_ARGS]:
            args[f"arg {name}"] = value.summary
        outcome = trace.outcome(call)
        if outcome.kind == "raised" and outcome.value is not None:
            args["raised"] = _exception_text(outcome.value)
        elif outcome.kind == "returned" and outcome.value is not None:
            args["returned"] = outcome.value.summary
        events.append({
            "ph": "X",
            "name": code.qualname,
            "cat": code.layer,
            "ts": trace.times[call],
            "dur": trace.duration_of(call),
            "pid": 1,
            "tid": 1,
            "args": args,
        })
    return {
        "traceEvents": events,
        "displayTimeUnit": "ms",
        "otherData": {
            "request": trace.request_line,
            "status": trace.status,
            "recorded_at": str(trace.meta.get("recorded_at", "")),
        },
    }


def perfetto_json(trace: Trace) -> str:
    return json.dumps(perfetto_events(trace), ensure_ascii=False, indent=1) + "\n"


# -- Mermaid --------------------------------------------------------------------------------------------

#: Calls of one function among one caller's calls that get an arrow each before the rest become one note.
MERMAID_GROUP_AFTER = 1


def _mermaid_text(text: str) -> str:
    """Message text Mermaid reads literally: no line breaks, no ``;`` or ``#`` (its statement and entity marks)."""
    text = re.sub(r"[\r\n]+", " ", text)
    return text.replace("#", "#35;").replace(";", "#59;")


def mermaid_lines(trace: Trace) -> Iterator[str]:
    """A sequence diagram of the layers: an arrow each time a call crosses from one layer into another.

    Calls inside one layer are that layer's own work and draw no arrow. The answer goes back as a dashed
    arrow labelled with what came back (or what was raised). When one caller crosses into the same
    function many times (the view builder's ``show`` once per server), the first gets arrows and the
    rest one note, so the diagram stays readable on a slide.
    """
    top = [call for call in hops(trace) if trace.parent[call] < 0]
    layers: list[str] = ["client"]
    body: list[str] = []
    status = f"{trace.status} {trace.response.get('reason', '')}".strip()

    def visible_children(call: int) -> list[int]:
        out = []
        for child in trace.children(call):
            out.extend(visible_children(child) if trace.code(child).is_inline else [child])
        return out

    def crossings(call: int, layer: str) -> list[int]:
        """The calls below ``call`` (in order) that are in another layer than ``layer``, first ones only."""
        found = []
        for child in visible_children(call):
            if trace.code(child).layer != layer:
                found.append(child)
            else:
                found.extend(crossings(child, layer))
        return found

    def walk(calls: list[int], caller_layer: str, indent: str) -> None:
        seen: dict[int, list[int]] = {}
        for call in calls:
            seen.setdefault(trace.code_ids[call], []).append(call)
        noted: set[int] = set()
        for call in calls:
            code_id = trace.code_ids[call]
            group = seen[code_id]
            code = trace.code(call)
            if call not in group[:MERMAID_GROUP_AFTER]:
                if code_id not in noted:
                    noted.add(code_id)
                    rest = group[MERMAID_GROUP_AFTER:]
                    total = format_duration(sum(trace.duration_of(c) for c in rest))
                    word = "call" if len(rest) == 1 else "calls"
                    body.append(f"{indent}Note over {caller_layer},{code.layer}: "
                                f"{_mermaid_text(f'… {len(rest)} more {word} of {code.qualname} ({total})')}")
                continue
            if code.layer not in layers:
                layers.append(code.layer)
            body.append(f"{indent}{caller_layer}->>+{code.layer}: "
                        f"{_mermaid_text(f'{code.qualname} ({format_duration(trace.duration_of(call))})')}")
            walk(crossings(call, code.layer), code.layer, indent)
            outcome = trace.outcome(call)
            if outcome.kind == "raised":
                answer = f"raised {_exception_text(outcome.value)}"
            elif outcome.kind == "returned":
                answer = f"returned {outcome.value.type_name if outcome.value else 'None'}"
            else:
                answer = "did not finish (the trace stops here)"
            body.append(f"{indent}{code.layer}-->>-{caller_layer}: {_mermaid_text(answer)}")

    walk(top, "client", "    ")
    yield "sequenceDiagram"
    yield f"    title {_mermaid_text(trace.request_line + ' → ' + status)}"
    for layer in layers:
        yield f"    participant {layer}"
    yield from body


def _exception_text(value) -> str:
    """``InstanceNotFound('Instance nope could not be found.')``, or the type alone when its repr said nothing."""
    if value is None:
        return "an exception"
    summary = value.summary
    return summary if summary.startswith(value.type_name) else value.type_name


def mermaid_text(trace: Trace) -> str:
    return "\n".join(mermaid_lines(trace)) + "\n"


# -- SVG ------------------------------------------------------------------------------------------------


#: The SVG is as wide as the longest line of the tree, within these columns.
SVG_MIN_WIDTH, SVG_MAX_WIDTH = 100, 320


def svg_text(trace: Trace, width: int | None = None) -> str:
    """The hop tree (with the status line) as an SVG picture, drawn by rich's own SVG export.

    Each node stays on one line as in a pipe, and the picture is as wide as the longest one (up to
    ``SVG_MAX_WIDTH`` columns), so that nothing is cut off or wrapped under the tree's guides.
    """
    from rich.console import Console

    from tracer.render.response import status_line
    from tracer.render.tree import HopTree

    if width is None:
        longest = max((len(line) for line in HopTree(trace, wrap=False).lines()), default=0)
        width = min(max(longest + 1, SVG_MIN_WIDTH), SVG_MAX_WIDTH)
    console = Console(record=True, width=width, file=_Discard(), color_system="truecolor", force_terminal=True)
    console.print(status_line(trace), soft_wrap=False)
    console.print(HopTree(trace, wrap=False), soft_wrap=False, crop=False)
    return console.export_svg(title=f"tracer: {trace.request_line}")


class _Discard:
    """A file that drops what is written: the recorded console only keeps it for the SVG."""

    def write(self, text: str) -> int:
        return len(text)

    def flush(self) -> None:
        pass


def export(trace: Trace, fmt: str) -> str:
    """The picture of ``trace`` in ``fmt`` (one of :data:`EXPORT_FORMATS`) as text."""
    if fmt == "perfetto":
        return perfetto_json(trace)
    if fmt == "mermaid":
        return mermaid_text(trace)
    if fmt == "svg":
        return svg_text(trace)
    raise ValueError(f"unknown export format {fmt!r}")
