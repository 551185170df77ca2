"""Screens over the replay: the help and the response, reachable at any step."""

from __future__ import annotations

import json

from rich.syntax import Syntax
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Markdown, Static

from tracer.model.trace import Trace
from tracer.render.theme import LAYER_STYLES
from tracer.tui.theme import layer_style, status_style
from tracer.tui.widgets.source import CURRENT_LINE

HELP = """\
# Replaying a request

Nothing runs during a replay: the request was recorded, so every move goes **backward** as
well as forward. The keys are pdb's; the capital letter is the same move backward in time.

| key | forward | key | backward |
|---|---|---|---|
| `s` | step into: the next event | `S` | the previous event |
| `n` | next line of this frame, stepping over calls | `N` | previous line, stepping back over calls |
| `r` | run until this frame returns | `R` | back to where this frame was called |
| `c` | continue to the next breakpoint (or the end) | `C` | back to the previous breakpoint (or the start) |
| `]` | next hop: the next call handing the request on (helpers skipped) | `[` | previous hop |
| `end` | the end of the request | `home` | the start |

| key | |
|---|---|
| `u` / `d` | view the caller / the callee frame (pdb's up and down); time does not move |
| `t` `i` `v` | show or hide the hop tree, the hop note, the variables (narrow terminals start without the first two) |
| `*` | show or hide comprehension and generator-expression frames in the hop tree (hidden, as in `tracer show`) |
| `b` | breakpoint on the viewed function; with focus in the source, on its cursor's line (it starts on the line run) |
| `:` | pdb's prompt: `b FILE:LINE`, `b LINE`, `b FUNCTION` (each `if COND`), `b`, `cl N`, `p EXPR`, `w`, `help` |
| `p` `w` `l` `L` | print (opens the prompt with `p `), where, list, longlist |
| `/` | search function names, files and recorded values; the status line says what matched, of how many |
| `g` | go to a hop by name (the command palette) |
| `o` | the response: status, headers and body |
| `tab` | move focus between panes; in the hop tree `enter` jumps, `space` folds; `up`/`down` move in a pane |
| `space` | in the variables: expand or fold the value under the cursor (or click it) |
| `?` | this help; `q` quits |

The **stack** reads like pdb's `where`: `> file(line)Class.method()` marks the frame you view.
Each pane's title says how many of its rows are out of sight (`▲ 3 above  ▼ 40 below`).
**Variables** are those of the viewed frame at this step; values shown as 🔒 were redacted when
recorded (passwords and tokens never reach a trace). Text too long for its pane ends in `…`.
"""


def legend() -> Text:
    """What the colours and marks mean: each layer's badge as the hop note draws it, and the marks."""
    text = Text()
    text.append("Colours\n", style="bold underline")
    text.append("A function is coloured by its layer of the request path (the hop note shows it as a badge):\n")
    for layer in LAYER_STYLES:
        text.append(f" {layer} ", style=layer_style(layer, reverse=True, bold=True))
        text.append(" ")
    text.append("\n\n")
    marks = [
        ("▶", "in the hop tree and the source: the hop and the line being run", "bold"),
        ("line", "the line being run, in the source", CURRENT_LINE),
        ("●", "a breakpoint (a function in the hop tree, a line in the source)", "bold red"),
        ("▾ ▸", "a hop with calls inside, unfolded / folded", ""),
        ("raised", "the hop ended with an exception", "red"),
        ("🔒", "a value redacted when recorded", "bold red italic"),
        ("…", "text cut short: widen the terminal or hide a pane", "dim"),
    ]
    for mark, meaning, style in marks:
        text.append(f" {mark} ", style=style)
        text.append(f"  {meaning}\n")
    return text


class HelpScreen(ModalScreen[None]):
    """The keys and how to read the panes."""

    BINDINGS = [
        Binding("escape", "dismiss", "close"),
        Binding("question_mark", "dismiss", "close"),
        Binding("q", "dismiss", "close"),
    ]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-body"):
            yield Markdown(HELP)
            yield Static(legend(), id="legend")

    def on_mount(self) -> None:
        self.query_one("#help-body").focus()  # the arrow keys, page keys, home and end scroll it


class ResponseScreen(ModalScreen[None]):
    """What the client got back: status line, headers and the (pretty-printed) body."""

    BINDINGS = [
        Binding("escape", "dismiss", "close"),
        Binding("o", "dismiss", "close"),
        Binding("q", "dismiss", "close"),
    ]

    def __init__(self, trace: Trace) -> None:
        super().__init__()
        self.trace = trace

    def compose(self) -> ComposeResult:
        response = self.trace.response
        status = Text(f"HTTP {self.trace.status} {response.get('reason', '')}", style=status_style(self.trace.status))
        headers = Text()
        for name, value in (response.get("headers") or {}).items():
            headers.append(f"{name}: ", style="bold")
            headers.append(f"{value}\n")
        if response.get("error"):
            headers.append(f"error: {response['error']}\n", style="bold red")
        self.body = self.pretty_body(response.get("body") or "")
        with Vertical(id="response") as box:
            box.border_title = "response"
            box.border_subtitle = "escape closes"
            yield Static(status, id="response-status")
            yield Static(headers, id="response-headers")
            with VerticalScroll(id="response-body"):
                yield Static(Syntax(self.body, "json", theme="monokai", word_wrap=True, background_color="default"))

    @staticmethod
    def pretty_body(body: str) -> str:
        try:
            return json.dumps(json.loads(body), indent=2, ensure_ascii=False)
        except ValueError:
            return body
