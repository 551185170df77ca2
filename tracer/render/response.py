"""The response face: one status line, then the response body, pretty and short."""

from __future__ import annotations

import json

from rich.console import Console, ConsoleOptions, RenderResult
from rich.highlighter import JSONHighlighter
from rich.text import Text

from tracer.model.trace import Trace
from tracer.render.theme import DIM, format_duration, status_style

MAX_BODY_LINES = 30


def status_line(trace: Trace) -> Text:
    """``HTTP 200 OK  GET /v2.1/servers/detail  as admin:admin  12.3 ms  412 hops``."""
    response, request = trace.response, trace.request
    status = trace.status
    text = Text()
    text.append(f"HTTP {status} {response.get('reason', '')}".rstrip(), style=status_style(status))
    text.append(f"  {trace.request_line}")
    user, project = request.get("user_id"), request.get("project_id")
    if user:
        text.append(f"  as {user}:{project or user}")
    text.append(f"  {format_duration(trace.duration_us)}  {len(trace.calls)} hops", style=DIM)
    if trace.truncated:
        text.append("  (trace truncated)", style="bold red")
    return text


def body_lines(body: str | None) -> list[str]:
    """The body as lines: JSON indented by two, anything else as it came."""
    if not body:
        return []
    try:
        parsed = json.loads(body)
    except ValueError:
        return body.splitlines()
    return json.dumps(parsed, indent=2, ensure_ascii=False).splitlines()


class ResponseSummary:
    """Status line, the crash (if the app crashed) and at most ``max_lines`` lines of body."""

    def __init__(self, trace: Trace, max_lines: int = MAX_BODY_LINES) -> None:
        self.trace = trace
        self.max_lines = max_lines

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield status_line(self.trace)
        error = self.trace.response.get("error")
        if error:
            yield Text(f"the app crashed: {error}", style="bold red")
        lines = body_lines(self.trace.response.get("body"))
        if not lines:
            return
        shown = lines[: self.max_lines]
        yield JSONHighlighter()(Text("\n".join(shown)))
        left = len(lines) - len(shown)
        if left > 0:
            yield Text(f"… {left} more lines of body (see them all with --format json or --save)", style=DIM)
