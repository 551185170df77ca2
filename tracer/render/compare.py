"""``tracer compare``'s picture: two request paths side by side, shared frames across both columns."""

from __future__ import annotations

from rich.console import Console, ConsoleOptions, RenderResult
from rich.table import Table
from rich.text import Text

from tracer.model.trace import Trace
from tracer.render.theme import NAME, format_duration, layer_style, status_style
from tracer.replay.compare import Hop, Step


def _side(hops: list[Hop]) -> Text:
    text = Text()
    for n, hop in enumerate(hops):
        if n:
            text.append("\n")
        text.append("  + " if not hop.on_path else "  ↓ ", style="dim")
        text.append(hop.qualname)
        if hop.repeated > 1:
            text.append(f" ×{hop.repeated}", style="bold")
        text.append(f"  {hop.layer}", style=layer_style(hop.layer))
        if not hop.on_path and hop.calls_below:
            text.append(f"  {hop.calls_below} call{'s' if hop.calls_below != 1 else ''}", style="dim")
    return text


def _shared(hop: Hop) -> Text:
    text = Text()
    text.append(hop.qualname, style=NAME)
    text.append(f"  {hop.layer}", style=layer_style(hop.layer))
    text.append(f"\n{hop.filename}:{hop.line}", style="dim")
    return text


class ComparedPaths:
    """A two-column table: a shared frame on one row in both columns; between them, what each side adds
    (``↓`` a frame of its own on the path, ``+`` a call beside the path that had finished)."""

    def __init__(self, left: Trace, right: Trace, steps: list[Step]) -> None:
        self.left, self.right, self.steps = left, right, steps

    def _heading(self, trace: Trace) -> Text:
        target = trace.meta.get("target") or {}
        versions = ", ".join(f"{name} {version}" for name, version in (target.get("versions") or {}).items())
        text = Text(str(target.get("name", "?")), style="bold")
        if versions:
            text.append(f" ({versions})", style="dim")
        text.append(f"\nHTTP {trace.status}", style=status_style(trace.status))
        text.append(f"  {format_duration(trace.duration_us)}  {len(trace.calls)} calls", style="dim")
        return text

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        table = Table(show_lines=False, expand=True, padding=(0, 1))
        table.add_column(self._heading(self.left), ratio=1)
        table.add_column(self._heading(self.right), ratio=1)
        for step in self.steps:
            if step.shared:
                table.add_row(_shared(step.left[0]), _shared(step.right[0]), end_section=False)
            else:
                table.add_row(_side(step.left), _side(step.right))
        yield Text(f"{self.left.request_line}: the path to the walkthrough's stop, aligned on "
                   f"{sum(1 for s in self.steps if s.shared)} shared frames (bold)", style="bold")
        yield table
