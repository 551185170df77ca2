"""Two traces side by side with one cursor: the shared frames of two paths (see ``tracer.replay.compare``).

``tracer compare ... --tui`` opens it. Each column shows its trace's stack down to the shared frame under the
cursor and that frame's source at the line it was on when the walkthrough stopped; ``n``/``p`` move both
columns together to the next or previous shared frame, so the two apps are always read at the same point.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.reactive import reactive
from textual.widgets import Footer, Header, Static

from tracer.model.trace import Trace
from tracer.render.theme import layer_style
from tracer.replay.compare import Step, path_of
from tracer.replay.walkthrough import walkthrough_point

#: source lines shown around the current one
CONTEXT = 6


class Column(Static):
    """One trace at the shared frame the cursor is on: its stack down to it, then its source."""

    def __init__(self, trace: Trace, frames: list[int], **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.trace = trace
        self.frames = frames  # the call of each shared frame in this trace, in order
        self.path = path_of(trace)
        self.stop = walkthrough_point(trace)

    def show(self, position: int) -> None:
        self.update(self.describe(position))

    def describe(self, position: int) -> Text:
        trace = self.trace
        target = (trace.meta.get("target") or {}).get("name", "?")
        frame = self.frames[position]
        text = Text()
        text.append(f"{target}\n", style="bold")
        for call in self.path[: self.path.index(frame) + 1]:
            code = trace.code(call)
            current = call == frame
            text.append("> " if current else "  ", style="bold" if current else "dim")
            text.append(code.qualname, style=f"bold {layer_style(code.layer)}" if current else layer_style(code.layer))
            text.append(f"  {code.filename}\n", style="dim")
        code = trace.code(frame)
        line = trace.line_at(self.stop, frame)
        source = trace.source_lines(code.filename)
        text.append(f"\n{code.filename}:{line}\n", style="bold")
        for number in range(max(1, line - CONTEXT), min(len(source), line + CONTEXT) + 1):
            marker = "->" if number == line else "  "
            text.append(f"{number:5} {marker} {source[number - 1].rstrip()}\n",
                        style="reverse" if number == line else "")
        return text


class CompareApp(App[None]):
    """Left and right traces, one cursor on their shared frames."""

    CSS = """
    Horizontal { height: 1fr; }
    Column { width: 1fr; height: 1fr; overflow-y: auto; padding: 0 1; border: round $primary; }
    """
    BINDINGS = [
        Binding("n,down,j", "move(1)", "next shared frame"),
        Binding("p,up,k", "move(-1)", "previous shared frame"),
        Binding("q", "quit", "quit"),
    ]
    position: reactive[int] = reactive(0)

    def __init__(self, left: Trace, right: Trace, steps: list[Step]) -> None:
        super().__init__()
        self.title = f"tracer compare: {left.request_line}"
        shared = [step for step in steps if step.shared]
        if not shared:
            raise ValueError("the two paths share no frame")
        self.left, self.right = left, right
        left_path, right_path = path_of(left), path_of(right)
        self.names = [step.shared or "" for step in shared]
        self.left_frames = _frames(left, left_path, shared, 0)
        self.right_frames = _frames(right, right_path, shared, 1)

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal():
            yield Column(self.left, self.left_frames, id="left")
            yield Column(self.right, self.right_frames, id="right")
        yield Footer()

    def on_mount(self) -> None:
        self._show()

    def action_move(self, delta: int) -> None:
        self.position = max(0, min(len(self.names) - 1, self.position + delta))

    def watch_position(self) -> None:
        if self.is_mounted:
            self._show()

    def _show(self) -> None:
        self.sub_title = f"shared frame {self.position + 1}/{len(self.names)}: {self.names[self.position]}"
        self.query_one("#left", Column).show(self.position)
        self.query_one("#right", Column).show(self.position)


def _frames(trace: Trace, path: list[int], shared: list[Step], side: int) -> list[int]:
    """The call of each shared frame on this side's path, matched in order by function and file."""
    calls, start = [], 0
    for step in shared:
        hop = (step.left if side == 0 else step.right)[0]
        for index in range(start, len(path)):
            code = trace.code(path[index])
            if code.qualname == hop.qualname and code.filename == hop.filename:
                calls.append(path[index])
                start = index + 1
                break
    return calls
