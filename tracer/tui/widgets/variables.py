"""The variables pane: the viewed frame's arguments, locals and outcome at this step, expandable."""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text
from textual.cache import LRUCache
from textual.geometry import Size
from textual.reactive import Reactive, reactive
from textual.strip import Strip
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from tracer.replay import Position
from tracer.trace import CALL, EXCEPTION, LINE, RETURN, Trace, Value
from tracer.tui.widgets.memo import KeptComponentStyles, MemoStylesCache, OncePerRender, StillLines
from tracer.tui.widgets.scrollbars import QuietScrollBars

Path = tuple[str, ...]


def value_label(name: str, value: Value, style: str = "") -> Text:
    """``name = summary  type``; a redacted value is shown as such, never as its text."""
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append(name, style=style or "bold")
    text.append(" = ")
    if value.is_redacted:
        text.append(f"🔒 {value.summary}", style="bold red italic")
        return text
    text.append(value.summary)
    text.append(f"  {value.type_name}", style="dim")
    if value.more:
        text.append(f" (+{value.more} not recorded)", style="dim italic")
    return text


def _style(title: str) -> str:
    return "bold cyan" if title == "arguments" else ""


class VariablesView(KeptComponentStyles, OncePerRender, StillLines, QuietScrollBars, Tree[Value]):
    """Groups (arguments, locals, return value or exception) of values; children load on expand.

    Its size is fixed by the CSS (with a scrollbar always there), so content changes repaint it
    without a layout pass of the whole screen: a step stays cheap (issue 4: <= 10 ms a key).

    Tree forgets every drawn line whenever a node comes or goes, and a step usually rebuilds the
    tree (a new local appears, another frame is shown): this pane keeps its drawn lines by what
    they show instead (:meth:`_line_key`), so the lines a step leaves as they were, and the frames
    a replay goes back to, are not drawn again.
    """

    virtual_size: Reactive[Size] = Reactive(Size(0, 0), repaint=False, layout=False)
    position: reactive[Position] = reactive(Position(0, -1), repaint=False)
    _rebuilding = False  # inside _rebuild: one repaint at its end (Tree's own __init__ invalidates too)

    def __init__(self, trace: Trace, **kwargs) -> None:
        super().__init__("variables", **kwargs)
        self.show_root = False
        self.guide_depth = 2
        self.trace = trace
        self._shown: tuple = ()
        self._expanded: set[Path] = {("arguments",), ("locals",), ("return value",), ("exception",), ("raised",)}
        self.rows: dict[str, list[tuple[str, Value]]] = {}
        self._drawn: LRUCache[tuple, Strip] = LRUCache(256)  # drawn lines, by what they show
        self._styles_cache = MemoStylesCache()

    def _invalidate(self) -> None:
        """Tree asks for a layout pass on every change, in case its size follows its content: a repaint
        is enough here, and one for a whole rebuild (Tree asks again for every node added)."""
        self._clear_line_cache()
        self._updates += 1
        self.root._reset()
        if not self._rebuilding:
            self.refresh()

    def read_per_render(self) -> tuple:
        scroll_x, scroll_y = self.scroll_offset
        return (scroll_x, scroll_y, self.size.width, self.rich_style, self.virtual_size.width,
                self._pseudo_class_state, self.has_focus, self.cursor_line, self.hover_line, self.show_guides,
                self.guide_depth)

    def render_line(self, y: int) -> Strip:
        """Tree's, with a line drawn before reused."""
        state = self.per_render()
        scroll_x, scroll_y, width, style = state[:4]
        y += scroll_y
        lines = self._tree_lines
        if y >= len(lines):  # below the tree: the same blank line each time, so its finished line is kept too
            key: tuple = ("blank", width, style)
        else:
            key = self._line_key(y, lines[y], state)
        strip = self._drawn.get(key)
        if strip is None:
            strip = self._drawn[key] = self._render_line(y, scroll_x, scroll_x + width, style)
        return strip

    def _line_key(self, y: int, line, state: tuple) -> tuple:
        """Everything Tree draws line ``y`` from: its place, the pane's state, and each node on its
        path (label, guides, expansion, hover and cursor marks)."""
        path = tuple(
            (node._label.plain, tuple(node._label.spans), node._label.style, node.is_last, node.allow_expand,
             node.is_expanded, node._hover, node._selected)
            for node in line.path
        )
        scroll_x, _scroll_y, width, style, virtual_width, pseudo_classes, focused, cursor_line, *rest = state
        return (y, scroll_x, width, style, virtual_width, pseudo_classes, focused, cursor_line == y, *rest,
                line.last, path)

    def notify_style_update(self) -> None:
        self._drawn.clear()
        super().notify_style_update()

    def get_label_width(self, node: TreeNode[Value]) -> int:
        """What Tree's own measure (the cells of :meth:`render_label`) comes to, without rendering the
        label: Tree measures every node on each rebuild, that is on most steps."""
        icon = (self.ICON_NODE_EXPANDED if node.is_expanded else self.ICON_NODE) if node.allow_expand else ""
        return cell_len(icon) + node.label.cell_len

    def watch_virtual_size(self, old: Size, size: Size) -> None:
        # What a layout pass would do for the scrollbars. Only the height matters (overflow-x is hidden):
        # a longer or shorter label alone does not redraw the scrollbar.
        if old.height != size.height or not self.vertical_scrollbar.window_size:
            self._scroll_update(size)

    def sections(self, position: Position) -> dict[str, list[tuple[str, Value]]]:
        """What the pane shows at ``position``, as plain data (the tests read this too)."""
        trace, (index, frame) = self.trace, position
        if frame < 0:
            return {}
        event = trace.frame_event_at(index, frame)
        scope = trace.locals_at(index, frame)
        argument_names = {name for name, _ in trace.scope(trace.data[frame])} if trace.kinds[frame] == CALL else set()
        sections: dict[str, list[tuple[str, Value]]] = {}
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
        if not self._relabel(self.rows):
            self._rebuild(self.rows)
        self._tree_lines  # noqa: B018 (build the lines now, not in the first render: one render, not two)

    def _shown_groups(self, rows: dict[str, list[tuple[str, Value]]]) -> list[tuple[str, list[tuple[str, Value]]]]:
        return [(title, pairs) for title, pairs in rows.items() if pairs or title not in ("arguments", "locals")]

    def _rebuild(self, rows: dict[str, list[tuple[str, Value]]]) -> None:
        """Nodes the learner had expanded are added expanded (``expand()`` would post a message each,
        handled only to record what is already recorded)."""
        self.clear()
        self._rebuilding = True
        try:
            for title, pairs in self._shown_groups(rows):
                group = self.root.add(Text(title, style="bold underline"), expand=(title,) in self._expanded)
                group.data = None
                for name, value in pairs:
                    self._add_value(group, (title,), name, value, _style(title))
        finally:
            self._rebuilding = False
        self.refresh()

    def _relabel(self, rows: dict[str, list[tuple[str, Value]]]) -> bool:
        """Show ``rows`` by relabelling the nodes on screen, when only values of unexpanded variables
        changed (a step usually changes one local): only their lines are repainted. False when the
        shape changed (a variable came or went, a group, an expanded value): then the tree is rebuilt."""
        groups = self.root.children
        shown = self._shown_groups(rows)
        if len(groups) != len(shown):
            return False
        changes = []
        for group, (title, pairs) in zip(groups, shown, strict=True):
            if group.label.plain != title or len(group.children) != len(pairs):
                return False
            for node, (name, value) in zip(group.children, pairs, strict=True):
                old = node.data
                if old is None or node.label.plain.split(" = ", 1)[0] != name:
                    return False
                if old.row_id == value.row_id:
                    continue
                if node.children or node.is_expanded or (value.has_children and (title, name) in self._expanded):
                    return False
                changes.append((node, name, value, _style(title)))
        for node, name, value, style in changes:
            node.data = value
            node.allow_expand = value.has_children
            node.set_label(value_label(name, value, style))
        return True

    def _add_value(self, parent: TreeNode, path: Path, name: str, value: Value, style: str = "") -> None:
        here = (*path, name)
        expand = value.has_children and here in self._expanded
        node = parent.add(value_label(name, value, style), data=value, allow_expand=value.has_children, expand=expand)
        if expand:
            self._populate(node, here)

    def _populate(self, node: TreeNode[Value], path: Path) -> None:
        if node.children or node.data is None:
            return
        for key, child in node.data.children:
            self._add_value(node, path, key, child)

    def _path(self, node: TreeNode) -> Path:
        names = []
        while node.parent is not None:
            label = node.label.plain
            names.append(label.split(" = ", 1)[0])
            node = node.parent
        return tuple(reversed(names))

    def on_tree_node_expanded(self, event: Tree.NodeExpanded) -> None:
        event.stop()
        path = self._path(event.node)
        if event.node.data is not None:
            self._populate(event.node, path)
        self._expanded.add(path)

    def on_tree_node_collapsed(self, event: Tree.NodeCollapsed) -> None:
        event.stop()
        self._expanded.discard(self._path(event.node))
