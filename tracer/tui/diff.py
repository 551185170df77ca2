"""Two traces side by side (``tracer diff A B --tui``): both hop lists aligned, a key to the next divergence.

Each row is one hop of A beside the same hop of B; where the runs went different ways, a hop has an empty
partner and the row is coloured for the side that ran it. ``n`` and ``p`` jump to the next and previous
place where the runs part; the note under the table says where and why they first parted, and which
calls the highlighted row pairs.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Footer, Static

from tracer.render.diff import DiffReport
from tracer.render.theme import format_duration, layer_style
from tracer.replay.diff import TraceDiff

ONLY_A = "on dark_red"
ONLY_B = "on dark_green"


class DiffApp(App):
    """The side-by-side comparison of two traces."""

    TITLE = "tracer diff"
    CSS = """
    #sides { height: 2; padding: 0 1; }
    DataTable { height: 1fr; }
    #note { height: auto; max-height: 40%; padding: 0 1; border-top: solid $accent; overflow-y: auto; }
    """
    BINDINGS = [
        Binding("n", "next_divergence", "next divergence"),
        Binding("p", "previous_divergence", "previous"),
        Binding("q", "quit", "quit"),
    ]

    def __init__(self, diff: TraceDiff) -> None:
        super().__init__()
        self.diff = diff
        self.starts = diff.divergent_rows()

    def compose(self) -> ComposeResult:
        yield Static(self._sides(), id="sides")
        yield DataTable(cursor_type="row", zebra_stripes=False, id="hops")
        yield Static(id="note")
        yield Footer()

    def _sides(self) -> Text:
        text = Text()
        for side, trace in (("A", self.diff.a), ("B", self.diff.b)):
            who = f"{trace.request.get('user_id')}:{trace.request.get('project_id')}"
            text.append(f"{side} ({who}): {trace.status} {trace.request_line}  ")
            hops = sum(1 for call in trace.calls if not trace.code(call).is_inline)
            text.append(f"{hops} hops\n" if side == "A" else f"{hops} hops")
        return text

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_column("", key="mark")
        table.add_column("A", key="a")
        table.add_column("B", key="b")
        for n, (ca, cb) in enumerate(self.diff.rows):
            mark = "≠" if ca is None or cb is None else ""
            table.add_row(mark, self._cell(self.diff.a, ca, ONLY_A if cb is None else ""),
                          self._cell(self.diff.b, cb, ONLY_B if ca is None else ""), key=str(n))
        table.focus()
        self._show_note(0)
        if self.starts:  # once the table has its size, so that the row is scrolled into view
            self.call_after_refresh(table.move_cursor, row=self.starts[0], scroll=True)

    def _cell(self, trace, call: int | None, style: str) -> Text:
        if call is None:
            return Text("")
        code = trace.code(call)
        text = Text("  " * trace.depth[call], style=style)
        text.append(code.qualname, style=f"bold {style}".strip())
        text.append(f"  {code.layer}", style=f"{layer_style(code.layer)} {style}".strip())
        text.append(f"  {format_duration(trace.duration_of(call))}", style=f"dim {style}".strip())
        return text

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_note(event.cursor_row)

    def _show_note(self, row: int) -> None:
        note = self.query_one("#note", Static)
        if not self.diff.rows:
            note.update("Neither trace has a hop.")
            return
        ca, cb = self.diff.rows[row]
        here = Text()
        if ca is None or cb is None:
            side, trace, call = ("B", self.diff.b, cb) if ca is None else ("A", self.diff.a, ca)
            code = trace.code(call)
            here.append(f"Only {side} ran {code.qualname} here ({code.filename}:{code.firstlineno}).\n",
                        style="bold")
        else:
            code = self.diff.a.code(ca)
            here.append(f"Both ran {code.qualname} ({code.filename}:{code.firstlineno}).\n")
        position = sum(1 for start in self.starts if start <= row)
        here.append(f"Divergence {position} of {len(self.starts)}; n / p jump between them.\n", style="dim")
        from rich.console import Group

        note.update(Group(here, DiffReport(self.diff, summary=False)))

    def action_next_divergence(self) -> None:
        table = self.query_one(DataTable)
        later = [start for start in self.starts if start > table.cursor_row]
        if later:
            table.move_cursor(row=later[0])
        else:
            self.notify("No divergence after this row.", timeout=2)

    def action_previous_divergence(self) -> None:
        table = self.query_one(DataTable)
        earlier = [start for start in self.starts if start < table.cursor_row]
        if earlier:
            table.move_cursor(row=earlier[-1])
        else:
            self.notify("No divergence before this row.", timeout=2)


def run_diff_tui(diff: TraceDiff, **options: object) -> int:
    """Open the side-by-side comparison; returns the exit code."""
    result = DiffApp(diff).run(**options)  # type: ignore[arg-type]
    return int(result or 0)
