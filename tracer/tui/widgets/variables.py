"""The variables pane: the viewed frame's arguments, locals and outcome at this step, expandable.

A line ``ScrollView`` like the hop tree (see :mod:`tracer.tui.widgets.rows`): the pane keeps a flat
list of the lines the groups and the expanded values make (:class:`VariableLine`) and draws the few on
screen. A step swaps that list for the new step's and repaints only the lines that differ (a step
usually changes one local), and a line drawn before is taken from the strip cache.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding
from textual.cache import LRUCache
from textual.events import Click
from textual.reactive import reactive
from textual.strip import Strip

from tracer.model.trace import CALL, EXCEPTION, LINE, RETURN, Trace, Value
from tracer.replay.cursor import Position
from tracer.tui.widgets.rows import RowsView, fit

Path = tuple[str, ...]
Sections = dict[str, list[tuple[str, Value]]]

EXPANDED, COLLAPSED = "▼ ", "▶ "
BRANCH, LAST_BRANCH, PIPE, SPACE = "├ ", "└ ", "│ ", "  "
#: groups always shown, even empty, so that the pane's shape is the same from step to step
ALWAYS_SHOWN = ("arguments", "locals")

GROUP_STYLE = Style(bold=True, underline=True)
NAME_STYLES = {"": Style(bold=True), "arguments": Style(bold=True, color="cyan")}
REDACTED_STYLE = Style(bold=True, color="red", italic=True)
TYPE_STYLE = Style(dim=True)
NOT_RECORDED_STYLE = Style(dim=True, italic=True)


def value_label(name: str, value: Value, group: str = "") -> list[Segment]:
    """``name = summary  type``; a redacted value is shown as such, never as its text."""
    segments = [Segment(name, NAME_STYLES.get(group, NAME_STYLES[""])), Segment(" = ")]
    if value.is_redacted:
        segments.append(Segment(f"🔒 {value.summary}", REDACTED_STYLE))
        return segments
    segments += [Segment(value.summary), Segment(f"  {value.type_name}", TYPE_STYLE)]
    if value.more:
        segments.append(Segment(f" (+{value.more} not recorded)", NOT_RECORDED_STYLE))
    return segments


@dataclass(frozen=True, slots=True)
class VariableLine:
    """One line of the pane: a group's title (``value`` is None) or a value, with its tree guides."""

    path: Path  # (group, name, key, ...): what stays expanded across steps
    guides: str
    value: Value | None
    expanded: bool
    group: str = ""  # the group a top-level value is in: arguments' names stand out

    @property
    def name(self) -> str:
        return self.path[-1]

    @property
    def expandable(self) -> bool:
        return self.value is None or self.value.has_children

    def shows(self) -> tuple:
        """What the line's drawing depends on (values are interned: one row id, one value)."""
        return (self.path, self.guides, self.value.row_id if self.value is not None else -1, self.expanded)


class VariablesView(RowsView):
    """Groups (arguments, locals, return value or exception) of values; a value's children are listed
    when it is expanded, and what the learner expanded stays expanded as the replay moves."""

    BINDINGS = [
        Binding("enter,space", "toggle", "expand", show=False),
        Binding("left", "fold(True)", "collapse", show=False),
        Binding("right", "fold(False)", "expand", show=False),
    ]
    COMPONENT_CLASSES = {"variables--cursor", "variables--guides"}
    DEFAULT_CSS = """
    VariablesView { background: $surface; }
    VariablesView > .variables--cursor { background: $block-cursor-background; color: $block-cursor-foreground; }
    VariablesView > .variables--guides { color: $surface-lighten-3; }
    """

    position: reactive[Position] = reactive(Position(0, -1), repaint=False)
    row_quantum = 16

    def __init__(self, trace: Trace, **kwargs) -> None:
        super().__init__(**kwargs)
        self.trace = trace
        self.rows: Sections = {}
        self.lines: list[VariableLine] = []
        self._shown: tuple = ()
        self._expanded: set[Path] = {(group,) for group in ("arguments", "locals", "return value", "exception",
                                                            "raised")}
        self._labels: LRUCache[tuple, list[Segment]] = LRUCache(1024)  # a value's label, by name and value

    # -- what the pane shows ---------------------------------------------------------------------

    def sections(self, position: Position) -> Sections:
        """What the pane shows at ``position``, as plain data (the tests read this too)."""
        trace, (index, frame) = self.trace, position
        if frame < 0:
            return {}
        event = trace.frame_event_at(index, frame)
        scope = trace.locals_at(index, frame)
        argument_names = {name for name, _ in trace.scope(trace.data[frame])} if trace.kinds[frame] == CALL else set()
        sections: Sections = {}
        kind = trace.kinds[event]
        if kind == RETURN:
            outcome = trace.outcome(frame)
            if outcome.kind == "raised" and outcome.value is not None:
                sections["raised"] = [("exception", outcome.value)]
            elif outcome.value is not None:
                sections["return value"] = [("return", outcome.value)]
        elif kind == EXCEPTION:
            value = trace.value(trace.data[event])
            if value is not None:
                sections["exception"] = [("exception", value)]
        sections["arguments"] = [(n, v) for n, v in scope if n in argument_names]
        sections["locals"] = [(n, v) for n, v in scope if n not in argument_names]
        return sections

    def layout_lines(self, sections: Sections) -> list[VariableLine]:
        """The lines ``sections`` make with what the learner has expanded."""
        lines: list[VariableLine] = []
        for group, pairs in sections.items():
            if not pairs and group not in ALWAYS_SHOWN:
                continue
            expanded = (group,) in self._expanded
            lines.append(VariableLine((group,), "", None, expanded))
            if expanded:
                self._add_values(lines, (group,), pairs, "", group)
        return lines

    def _add_values(self, lines: list[VariableLine], path: Path, pairs: list[tuple[str, Value]], indent: str,
                    group: str) -> None:
        for n, (name, value) in enumerate(pairs):
            last = n == len(pairs) - 1
            here = (*path, name)
            expanded = here in self._expanded and value.has_children
            lines.append(VariableLine(here, indent + (LAST_BRANCH if last else BRANCH), value, expanded, group))
            if expanded:
                self._add_values(lines, here, value.children, indent + (SPACE if last else PIPE), "")

    def watch_position(self, position: Position) -> None:
        trace = self.trace
        if position.frame < 0:
            return
        event = trace.frame_event_at(position.index, position.frame)
        kind = trace.kinds[event]
        scope = trace.data[event] if kind in (CALL, LINE) else (kind, event)
        key = (position.frame, scope)
        if key == self._shown:  # the same (interned) scope: the same values, nothing to redraw
            return
        self._shown = key
        self.rows = self.sections(position)
        self._show(self.layout_lines(self.rows))

    def _show(self, lines: list[VariableLine]) -> None:
        """Swap in ``lines``, repainting only the ones that differ from what is on screen."""
        old, self.lines = self.lines, lines
        if len(old) != len(lines):
            self.set_row_count(len(lines))
            self.cursor_row = min(self.cursor_row, max(len(lines) - 1, 0))
        for y in range(max(len(old), len(lines))):  # the rows below both lists stay blank
            if y >= len(old) or y >= len(lines) or old[y].shows() != lines[y].shows():
                self.refresh_line(y)

    # -- keys and mouse ----------------------------------------------------------------------------

    def row_count(self) -> int:
        return len(self.lines)

    def action_toggle(self) -> None:
        if self.lines:
            line = self.lines[self.cursor_row]
            self.set_expanded(line.path, not line.expanded)

    def action_fold(self, collapse: bool) -> None:
        if self.lines:
            self.set_expanded(self.lines[self.cursor_row].path, not collapse)

    def on_click(self, event: Click) -> None:
        at = self.clicked(event)
        if at is not None:
            self.cursor_row = at.y
            self.action_toggle()

    def set_expanded(self, path: Path, expand: bool) -> None:
        """Expand or collapse the line at ``path``; it stays so at the steps that show it."""
        line = next((line for line in self.lines if line.path == path), None)
        if line is None or not line.expandable or line.expanded == expand:
            return
        if expand:
            self._expanded.add(path)
        else:
            self._expanded.discard(path)
        self._show(self.layout_lines(self.rows))

    # -- drawing -----------------------------------------------------------------------------------

    def _label(self, line: VariableLine) -> list[Segment]:
        """The line's segments after its guides and icon (kept: a value's label never changes)."""
        key = (line.path[-1], line.value.row_id if line.value is not None else -1, line.group)
        segments = self._labels.get(key)
        if segments is None:
            if line.value is None:
                segments = [Segment(line.name, GROUP_STYLE)]
            else:
                segments = value_label(line.name, line.value, line.group)
            self._labels[key] = segments
        return segments

    def row_key(self, row: int) -> tuple:
        return (*self.lines[row].shows(), row == self.cursor_row and self.has_focus)

    def draw_row(self, row: int, width: int, style: Style) -> Strip:
        line = self.lines[row]
        if row == self.cursor_row and self.has_focus:
            style = style + self.get_component_rich_style("variables--cursor")
        head = self._head(line)
        segments = [Segment(line.guides, self.get_component_rich_style("variables--guides")),
                    Segment(head[len(line.guides):]), *self._label(line)]
        return fit(Strip(segments), width, Style(dim=True)).apply_style(style)

    def notify_style_update(self) -> None:
        self._labels.clear()
        super().notify_style_update()

    def shown_text(self) -> list[str]:
        """The pane's lines as plain text, guides and icons included (for tests and the curious)."""
        return [self._head(line) + "".join(segment.text for segment in self._label(line)) for line in self.lines]

    @staticmethod
    def _head(line: VariableLine) -> str:
        """What goes before the label: the guides and, on a line that expands, its icon."""
        if not line.expandable:
            return line.guides
        return line.guides + (EXPANDED if line.expanded else COLLAPSED)
