"""The hop note: what the viewed hop is for and where the same code lives in Nova.

A line ``ScrollView``: the note of a function is wrapped to the pane's width once (rich's own
wrapping) and its lines drawn from the strip cache; a note longer than the pane scrolls instead of
being cut. A step only says which function's note it is, so the note is redrawn when the function changes.
"""

from __future__ import annotations

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.cache import LRUCache
from textual.reactive import reactive
from textual.strip import Strip

from tracer.model.labels import Labels, load_labels
from tracer.model.trace import Trace
from tracer.replay.cursor import Position
from tracer.tui.hop_extras import hop_extras
from tracer.tui.theme import layer_style
from tracer.tui.widgets.rows import RowsView


class HopNote(RowsView):
    """Layer, what it does, the Nova location and today's difference, from the recorder's labels."""

    DEFAULT_CSS = """
    HopNote { background: $surface; }
    """

    position: reactive[Position] = reactive(Position(0, -1), repaint=False)
    row_quantum = 16

    def __init__(self, trace: Trace, labels: Labels | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.trace = trace
        self.labels = labels or load_labels()
        self.shown_code = -2  # the function whose note is shown (-1: the trace has none; -2: not yet)
        self._wrapped: LRUCache[tuple[int, int], list[list[Segment]]] = LRUCache(256)  # lines by function, width

    def watch_position(self, position: Position) -> None:
        code_id = self.trace.code_ids[position.frame] if position.frame >= 0 else -1
        if code_id == self.shown_code:  # the note only changes with the function
            return
        old = self.note_lines() if self.is_mounted else []
        self.shown_code = code_id
        new = self.note_lines() if self.is_mounted else []
        self.scroll_to(y=0, animate=False, immediate=True)
        self.set_row_count(len(new))
        for row in range(max(len(old), len(new))):  # the rows below both notes stay blank
            if row >= len(old) or row >= len(new) or old[row] != new[row]:
                self.refresh_line(row)

    def note_lines(self) -> list[list[Segment]]:
        """The note wrapped to the pane's width, as segments a line."""
        width = max(self.scrollable_content_region.width, 1)
        key = (self.shown_code, width)
        lines = self._wrapped.get(key)
        if lines is None:
            text = self.describe(self.shown_code) if self.shown_code != -2 else Text()
            console = self.app.console
            lines = [list(line.render(console)) for line in text.wrap(console, width)]
            self._wrapped[key] = lines
        return lines

    def row_count(self) -> int:
        return len(self.note_lines()) if self.is_mounted else 0

    def row_key(self, row: int) -> tuple:
        return (self.shown_code, row)

    def draw_row(self, row: int, width: int, style: Style) -> Strip:
        return Strip(self.note_lines()[row]).extend_cell_length(width).apply_style(style)

    def text(self) -> str:
        """The note as plain text (for tests)."""
        return "\n".join("".join(segment.text for segment in line).rstrip() for line in self.note_lines())

    def describe(self, code_id: int) -> Text:
        text = self._describe_label(code_id)
        extra = hop_extras(self.trace, self.trace.codes[code_id]) if code_id >= 0 else None
        return text if extra is None else Text("\n").join([text, extra])

    def _describe_label(self, code_id: int) -> Text:
        if code_id < 0:
            return Text("No hop: the trace has no events.", style="dim")
        code = self.trace.codes[code_id]
        label = self.labels.lookup(code.module, code.qualname)
        text = Text()
        text.append(f" {code.layer} ", style=layer_style(code.layer, reverse=True, bold=True))
        text.append(f" {code.qualname}\n", style="bold")
        if label is None or not label.does:
            text.append("No note for this hop yet.", style="dim")
            return text
        text.append(label.does)
        if label.nova:
            text.append("\nNova: ", style="bold")
            text.append(label.nova)
        if label.today:
            text.append("\nToday: ", style="bold")
            text.append(label.today, style="italic")
        return text
