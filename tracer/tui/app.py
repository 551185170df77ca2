"""The replay app: pdb's keys over a recorded request, forward and backward.

The App owns one :class:`~tracer.replay.cursor.Cursor` and mirrors its place in one reactive,
``position``; every pane is data-bound to it and redraws itself in its own ``watch_position``.
Key handlers only ask the cursor for a move and assign the result.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Iterator

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.reactive import reactive
from textual.widgets import Footer, Input

from tracer.model.labels import Labels
from tracer.model.trace import BIG_TRACE_EVENTS, Trace
from tracer.replay import commands as pdb_commands
from tracer.replay.cursor import Cursor, Position
from tracer.replay.search import explain
from tracer.tui.commands import HopProvider
from tracer.tui.pdbline import PdbLine
from tracer.tui.screens import HelpScreen, ResponseScreen
from tracer.tui.widgets import HopList, HopNote, SourceView, StackView, TraceHeader, VariablesView
from tracer.tui.widgets.rows import RowsView

#: Drawing ahead (see :meth:`TraceApp.draw_ahead`) starts this long after the first frame and works in
#: slices of at most this much CPU, this far apart.
AHEAD_DELAY = 0.3  # seconds
AHEAD_SLICE = 0.004  # seconds
AHEAD_PAUSE = 0.008  # seconds
YOUNG_OBJECTS_BEFORE_GC = 10_000  # the garbage collector's first threshold while a big trace is shown

#: Cursor moves bound to keys: (key, cursor method, footer label, shown in the footer).
MOVES: list[tuple[str, str, str, bool]] = [
    ("s", "step", "step", True),
    ("n", "next", "next", True),
    ("r", "return_", "return", True),
    ("c", "cont", "cont", True),
    ("S", "step_back", "back", True),
    ("N", "next_back", "back", False),
    ("R", "return_back", "back", False),
    ("C", "cont_back", "back", False),
    ("u", "up", "up/down", False),  # in the help: the footer has room for the keys shown only
    ("d", "down", "down", False),
    ("left_square_bracket", "hop_prev", "hop", True),
    ("right_square_bracket", "hop_next", "hop", False),
    ("home", "home", "start/end", False),  # in the help screen: the footer has no room for it
    ("end", "end", "end", False),
]

#: How the footer names a pair of keys: one entry for a move and its twin.
KEY_DISPLAY = {"S": "SNRC", "left_square_bracket": "[ ]", "home": "home end", "u": "u d"}

#: Panes a key shows or hides: (key, pane id, what the help calls it). The footer shows the first, for all.
PANE_KEYS: list[tuple[str, str, str]] = [
    ("t", "hops", "hop tree"),
    ("i", "note", "hop note"),
    ("v", "variables", "variables"),
]
#: Below this many columns the hop tree and note start hidden (``t``/``i`` bring them back).
NARROW = 96


class TraceApp(App[int]):
    """Replays one :class:`Trace`; ``position`` is the single source of truth for every pane."""

    TITLE = "tracer"
    CSS_PATH = "app.tcss"
    COMMANDS = {HopProvider}
    COMMAND_PALETTE_BINDING = "ctrl+p"
    AUTO_FOCUS = None  # on_mount focuses the hop tree, or the source when the tree is hidden
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (NARROW, "-wide")]
    BINDINGS = [
        # first, so that an 80-column terminal, which cuts the footer short, still shows where the rest is
        Binding("question_mark", "help", "help"),
        Binding("q", "quit", "quit"),
        *(
            Binding(
                key,
                f"move('{method}')",
                label,
                show=show,
                key_display=KEY_DISPLAY.get(key),
                priority=key in ("home", "end"),
            )
            for key, method, label, show in MOVES
        ),
        Binding("t", "toggle_pane('hops')", "pane", key_display="t i v"),
        Binding("i", "toggle_pane('note')", "note", show=False),
        Binding("v", "toggle_pane('variables')", "variables", show=False),
        Binding("b", "breakpoint", "break"),
        Binding("colon", "pdb('')", "pdb", key_display=":", show=False),
        # in the help: an 80-column footer has room for the keys above only
        Binding("p", "pdb('p ')", "print", show=False),
        Binding("w", "pdb_command('w')", "where", show=False),
        Binding("l", "pdb_command('l')", "list", show=False),
        Binding("L", "pdb_command('ll')", "longlist", show=False),
        Binding("slash", "search", "search", show=False),
        Binding("g", "command_palette", "go to", show=False),
        Binding("o", "response", "response", show=False),
        Binding("asterisk", "toggle_inline", "comprehensions", show=False),
    ]

    position: reactive[Position] = reactive(Position(0, -1), init=False, repaint=False)
    breakpoints: reactive[frozenset] = reactive(frozenset(), init=False, repaint=False)

    def __init__(self, trace: Trace, start: int = 0, labels: Labels | None = None) -> None:
        super().__init__()
        self.trace = trace
        self.cursor = Cursor(trace, start)
        self.labels = labels
        self._frozen = False
        self._gc_thresholds: tuple[int, ...] | None = None
        self._ahead: Iterator[None] | None = None
        self.drawn_ahead = False
        self.pane_choices: dict[str, bool] = {}  # panes the learner showed or hid with a key
        self.set_reactive(TraceApp.position, self.cursor.position)

    def compose(self) -> ComposeResult:
        trace, cursor = self.trace, self.cursor
        yield TraceHeader(trace, id="header").data_bind(TraceApp.position)
        with Horizontal(id="main"):
            with Vertical(id="left"):
                yield HopList(trace, id="hops").data_bind(TraceApp.position, TraceApp.breakpoints)
                yield HopNote(trace, self.labels, id="note").data_bind(TraceApp.position)
            with Vertical(id="center"):
                yield SourceView(trace, cursor, id="source").data_bind(
                    TraceApp.position, TraceApp.breakpoints
                )
                yield StackView(trace, cursor, id="stack").data_bind(TraceApp.position)
                yield VariablesView(trace, id="variables").data_bind(TraceApp.position)
        yield Input(placeholder="search function names, files and recorded values", id="search")
        yield PdbLine(id="pdb")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        for pane, title in (("hops", "hops"), ("note", "hop note"), ("variables", "variables")):
            widget = self.query_one(f"#{pane}", RowsView)
            widget.pane_title = title
            widget.show_signs()
        self.show_panes()
        if len(self.trace) >= BIG_TRACE_EVENTS:
            self.call_after_refresh(self._freeze_objects)
            self.call_after_refresh(self.set_timer, AHEAD_DELAY, self.draw_ahead)

    # -- drawing ahead while the learner reads -----------------------------------------------------

    def draw_ahead(self) -> None:
        """Have the source pane highlight every file of the trace, in slices while idle.

        A step that lands in a file not shown before would pay for highlighting it whole. Each slice
        takes at most ``AHEAD_SLICE`` of CPU (past one file), so a key pressed meanwhile waits about
        that long at most; ``drawn_ahead`` is set when every file is done.
        """
        sources = self.query(SourceView)  # none when the app is already closing
        if self._ahead is None and not self.drawn_ahead and sources:
            self._ahead = iter(sources.first().work_ahead())
            self._draw_some_ahead()

    def _draw_some_ahead(self) -> None:
        work = self._ahead
        if work is None:
            return
        deadline = time.process_time() + AHEAD_SLICE
        for _ in work:
            if time.process_time() >= deadline:
                self.set_timer(AHEAD_PAUSE, self._draw_some_ahead)
                return
        self._ahead = None
        self.drawn_ahead = True
        if self._frozen:
            gc.freeze()  # what was drawn lives as long as the app too

    def _freeze_objects(self) -> None:
        """Once the first frame is drawn, keep the garbage collector from walking the objects made so far.

        The panes, their caches and the trace's indexes live as long as the app: with a big trace a
        full collection walking them costs tens of ms, paid by whichever step it falls in.
        Frozen objects are still freed when nothing refers to them; :meth:`on_unmount` unfreezes.

        A step makes thousands of short-lived objects (strips, segments, styles), most freed as soon
        as the step ends: with Python's default threshold (700) the collector runs two or three times
        a step and walks them while they are still alive. Collecting every 10,000 new objects instead
        walks them less often; the thresholds are put back on unmount.
        """
        gc.freeze()
        self._frozen = True
        thresholds = self._gc_thresholds = gc.get_threshold()
        gc.set_threshold(max(thresholds[0], YOUNG_OBJECTS_BEFORE_GC), *thresholds[1:])

    def on_unmount(self) -> None:
        if self._frozen:
            gc.unfreeze()
            self._frozen = False
        if self._gc_thresholds is not None:
            gc.set_threshold(*self._gc_thresholds)
            self._gc_thresholds = None

    # -- which panes are shown ---------------------------------------------------------------------

    def on_resize(self) -> None:
        self.show_panes()

    def shows(self, pane: str) -> bool:
        """Whether ``pane`` is shown: as the learner chose with its key, else by the terminal's width
        (the hop tree and note start hidden on a narrow terminal; the variables are always shown)."""
        choice = self.pane_choices.get(pane)
        if choice is not None:
            return choice
        return pane == "variables" or self.size.width >= NARROW

    def show_panes(self) -> None:
        """Show and hide the panes as :meth:`shows` says; focus leaves a pane that is hidden."""
        for _key, pane, _name in PANE_KEYS:
            self.query_one(f"#{pane}").display = self.shows(pane)
        left = self.query_one("#left")
        left.display = self.shows("hops") or self.shows("note")
        left.styles.width = self.left_width()
        focused = self.focused
        if focused is None or (focused.id in ("hops", "note", "variables") and not self.shows(focused.id)):
            (self.query_one(HopList) if self.shows("hops") else self.query_one(SourceView)).focus()

    def left_width(self) -> int:
        """The hop tree's column: as wide as its names and times need (border and scrollbar included),
        at most 45% of the terminal, at least 24 columns."""
        width = self.size.width
        need = self.query_one(HopList).widest() + 3
        most = int(width * 0.45)
        return max(min(need, most), min(24, width))

    def action_toggle_pane(self, pane: str) -> None:
        """``t``, ``i``, ``v``: show or hide the hop tree, the hop note, the variables."""
        self.pane_choices[pane] = not self.shows(pane)
        self.show_panes()
        if pane == "hops" and self.shows("hops"):
            self.query_one(HopList).focus()

    def action_toggle_inline(self) -> None:
        """``*``: show or hide comprehension and generator-expression frames in the hop tree."""
        hops = self.query_one(HopList)
        hops.show_inline = not hops.show_inline
        self.notify(f"comprehension frames {'shown' if hops.show_inline else 'hidden'} in the hop tree", timeout=2)

    # -- actions: ask the cursor, assign the position ----------------------------------------------

    def action_move(self, method: str) -> None:
        before = self.cursor.position
        self.position = getattr(self.cursor, method)()
        self.say("" if self.position != before else pdb_commands.why_not(self.cursor, method))

    def say(self, text: str) -> None:
        """The status line under the panes: what a key did, or why it could not act."""
        self.query_one(PdbLine).say(text)

    def action_pdb(self, prefill: str) -> None:
        """``:`` opens pdb's prompt (``p`` opens it with ``p `` typed)."""
        self.query_one(PdbLine).open(prefill)

    def action_pdb_command(self, command: str) -> None:
        """``w``, ``l``, ``L``: run pdb's where, list or longlist and show the answer."""
        line = self.query_one(PdbLine)
        line.open()
        self.on_pdb_line_command(PdbLine.Command(command))

    def on_pdb_line_command(self, message: PdbLine.Command) -> None:
        outcome = pdb_commands.run(self.cursor, message.text)
        line = self.query_one(PdbLine)
        line.show(message.text, outcome.lines)
        if outcome.breakpoints_changed:
            self._sync_breakpoints()
        if outcome.moved is not None:
            self.position = outcome.moved
        if outcome.lines and outcome.lines[0].startswith("***"):
            self.say(outcome.lines[0].removeprefix("*** "))

    def on_pdb_line_closed(self, message: PdbLine.Closed) -> None:
        self.query_one(HopList).focus()

    def _sync_breakpoints(self) -> None:
        self.breakpoints = frozenset(
            [("function", c) for c in self.cursor.breakpoints.functions]
            + [("line", place) for place in self.cursor.breakpoints.lines]
        )

    def goto(self, index: int) -> None:
        self.position = self.cursor.goto(index)

    def goto_function(self, code_id: int) -> None:
        """The palette's choice: the function's next call after the current event."""
        self.position = self.cursor.goto_function(code_id)

    def action_breakpoint(self) -> None:
        """``b``: on the viewed function; on the source cursor's line when the source has focus."""
        if self.position.frame < 0:
            self.say("no frame here to set a breakpoint in (the trace has no events)")
            return
        source = self.query_one(SourceView)
        if self.focused is source and source.filename:
            place = (source.filename, source.selected_line)
            is_set = self.cursor.toggle_line_breakpoint(*place)
            where = f"{place[0]}:{place[1]}"
        else:
            code_id = self.trace.code_ids[self.position.frame]
            is_set = self.cursor.toggle_function_breakpoint(code_id)
            where = self.trace.codes[code_id].qualname
        self._sync_breakpoints()
        hits = len(self.cursor.breakpoint_hits())
        self.notify(f"breakpoint {'set' if is_set else 'cleared'}: {where} ({hits} stops in all)", timeout=3)
        self.say(f"breakpoint {'set' if is_set else 'cleared'}: {where} ({hits} stops in all; : then b lists them,"
                 " b FILE:LINE if COND sets one)")

    def action_search(self) -> None:
        search = self.query_one("#search", Input)
        search.display = True
        search.focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        found = self.cursor.search(event.value)
        self._close_search()
        if found is None:
            self.notify(f"nothing matches {event.value!r}", severity="warning", timeout=3)
            self.say(f"nothing matches {event.value!r} (function names, files and recorded values are searched)")
            return
        self.position = found
        matches = self.cursor.matches(event.value)
        number = matches.index(found.index) + 1
        self.say(f"match {number} of {len(matches)}: {explain(self.trace, found.index, event.value)}")

    def on_key(self, event) -> None:
        if event.key == "escape" and self.focused is self.query_one("#search"):
            self._close_search()

    def _close_search(self) -> None:
        search = self.query_one("#search", Input)
        search.display = False
        (self.query_one(HopList) if self.shows("hops") else self.query_one(SourceView)).focus()

    def action_response(self) -> None:
        self.push_screen(ResponseScreen(self.trace))

    def action_help(self) -> None:
        self.push_screen(HelpScreen())

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Keys mean moves, except while typing a search or reading the help or the response."""
        if action == "quit":
            return True
        if len(self.screen_stack) > 1 or isinstance(self.focused, Input):
            return False
        return True

    # -- messages from the panes -------------------------------------------------------------------

    def on_hop_list_selected(self, message: HopList.Selected) -> None:
        self.goto(message.call)

    def on_hop_list_chain_opened(self, message: HopList.ChainOpened) -> None:
        """An opened chain of decorator frames: ``]`` and ``[`` stop at each of its frames until it is folded."""
        self.cursor.hop_walk.walk_into_chain(message.first, message.opened)
        frames = len(self.cursor.hop_walk.chains().get(message.first, []))
        self.say(f"] and [ now stop at each of the {frames} decorator frames" if message.opened
                 else f"] and [ step over the {frames} decorator frames again")

    def on_stack_view_frame_chosen(self, message: StackView.FrameChosen) -> None:
        self.position = self.cursor.view(message.frame)
