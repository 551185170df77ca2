"""pdb's command line in the replay: type ``b``, ``p``, ``w``, ``l``, ``ll``, ``cl`` as in pdb, read the answer.

One line of status shows under the panes when there is something to say (what a key did, or why it could
not act); ``:`` (or the pdb
keys ``p``, ``w``, ``l``, ``L``) opens a prompt and the answers above it. The widget only reads and writes
text: the app runs each command against its cursor (see ``TraceApp.on_pdb_line_command``).
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Input, RichLog, Static

PROMPT_HELP = "(Pdb) b FILE:LINE|FUNCTION [if COND] · b · cl N · p EXPR · w · l · ll · help · esc closes"


class PdbLine(Vertical):
    """A status line, and pdb's prompt with its answers when open."""

    DEFAULT_CSS = """
    PdbLine {
        height: auto;
        max-height: 16;
    }
    PdbLine #pdb-status {
        height: 1;
        padding: 0 1;
        color: $text-muted;
        display: none;
    }
    PdbLine #pdb-output {
        height: auto;
        max-height: 12;
        display: none;
        border-top: solid $primary 40%;
        padding: 0 1;
    }
    PdbLine #pdb-input {
        display: none;
        border: none;
        height: 1;
        padding: 0 1;
    }
    PdbLine.-open #pdb-output, PdbLine.-open #pdb-input {
        display: block;
    }
    """

    class Command(Message):
        """The learner typed a command and pressed enter."""

        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    class Closed(Message):
        """The prompt was closed (escape)."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.status_text = ""  # what the status line says now ("" when it is hidden)

    def compose(self) -> ComposeResult:
        yield Static("", id="pdb-status", markup=False)
        yield RichLog(id="pdb-output", max_lines=400, wrap=False, markup=False, highlight=False)
        yield Input(placeholder=PROMPT_HELP, id="pdb-input")

    @property
    def is_open(self) -> bool:
        return self.has_class("-open")

    def say(self, text: str) -> None:
        """One line of status: what just happened, or why a key could not act (none: the line goes)."""
        if text == self.status_text:
            return  # most steps have nothing to say: changing a Static lays the whole screen out again
        self.status_text = text
        status = self.query_one("#pdb-status", Static)
        status.update(text)
        status.display = bool(text)

    @property
    def status(self) -> str:
        return str(self.query_one("#pdb-status", Static).render())

    def open(self, prefill: str = "") -> None:
        self.add_class("-open")
        prompt = self.query_one("#pdb-input", Input)
        prompt.value = prefill
        prompt.cursor_position = len(prefill)
        prompt.focus()

    def close(self) -> None:
        self.remove_class("-open")
        self.post_message(self.Closed())

    def show(self, command: str, lines: list[str]) -> None:
        """Write the command and its answer, as a pdb session reads."""
        output = self.query_one("#pdb-output", RichLog)
        output.write(f"(Pdb) {command}")
        for line in lines:
            output.write(line)

    @property
    def answers(self) -> list[str]:
        """Every line written so far (for tests and for reading back)."""
        return [strip.text for strip in self.query_one("#pdb-output", RichLog).lines]

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id != "pdb-input":
            return
        event.stop()
        text = event.value.strip()
        event.input.value = ""
        if text:
            self.post_message(self.Command(text))

    def on_key(self, event) -> None:
        if event.key == "escape" and self.is_open:
            event.stop()
            self.close()
