"""The hop note: what the viewed hop is for and where the same code lives in Nova."""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widgets import Static

from tracer.labels import Labels, load_labels
from tracer.replay import Position
from tracer.trace import Trace
from tracer.tui.theme import layer_style


class HopNote(Static):
    """Layer, what it does, the Nova location and today's difference, from the recorder's labels."""

    position: reactive[Position] = reactive(Position(0, -1), repaint=False)

    def __init__(self, trace: Trace, labels: Labels | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.trace = trace
        self.labels = labels or load_labels()
        self._shown_code = -2

    def watch_position(self, position: Position) -> None:
        code_id = self.trace.code_ids[position.frame] if position.frame >= 0 else -1
        if code_id == self._shown_code:  # the note only changes with the function
            return
        self._shown_code = code_id
        self.update(self.describe(code_id), layout=False)  # its height is fixed in the CSS: no layout pass

    def describe(self, code_id: int) -> Text:
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
