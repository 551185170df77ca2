"""The hop note: what the viewed hop is for and where the same code lives in Nova."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from rich.text import Text
from textual.cache import LRUCache
from textual.geometry import Region
from textual.reactive import reactive
from textual.strip import Strip
from textual.visual import Visual, visualize
from textual.widget import Widget

from tracer.model.labels import Labels, load_labels
from tracer.model.trace import Trace
from tracer.replay.cursor import Position
from tracer.tui.hop_extras import hop_extras
from tracer.tui.theme import layer_style
from tracer.tui.widgets.kept import KeptScreen, StillLines
from tracer.tui.widgets.memo import MemoStylesCache, whole_lines


class HopNote(KeptScreen, StillLines, Widget):
    """Layer, what it does, the Nova location and today's difference, from the recorder's labels.

    ``render`` is the note's text, as a ``Static`` holding it would show it; a step only says which
    function's note it is (no text laid out on the step), and the lines come from those kept.
    """

    position: reactive[Position] = reactive(Position(0, -1), repaint=False)

    def __init__(self, trace: Trace, labels: Labels | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.trace = trace
        self.labels = labels or load_labels()
        self._shown_code = -2
        self._drawn: LRUCache[tuple, list[Strip]] = LRUCache(64)  # whole pane renders, by function
        self._strips: LRUCache[tuple, Strip] = LRUCache(1024)  # content lines, by their segments
        self._notes: LRUCache[tuple, list[Strip]] = LRUCache(256)  # content lines, by function and size
        self._styles_cache = MemoStylesCache()

    def watch_position(self, position: Position) -> None:
        code_id = self.trace.code_ids[position.frame] if position.frame >= 0 else -1
        if code_id == self._shown_code:  # the note only changes with the function
            return
        self._shown_code = code_id
        self.refresh()  # its height is fixed in the CSS: no layout pass

    def render(self) -> Text:
        return self.describe(self._shown_code) if self._shown_code != -2 else Text()

    def draw_lines(self, crop: Region) -> list[Strip]:
        """The pane as drawn for this function before, when nothing else it depends on changed.

        A replay goes back and forth between the same few functions: drawing the note again (its
        text, wrapping, border) costs about a millisecond a hop; the same strips also let Textual
        reuse what it cut them into.
        """
        if self._shown_code == -2:
            return super().draw_lines(crop)
        return whole_lines(self, self._drawn, (self._shown_code, self.size, self.text_selection), crop,
                           super().draw_lines)

    def render_line(self, y: int) -> Strip:
        """The note's line as Textual draws ``render``, from the lines kept for its function (drawn
        ahead, or the last time it was shown); while text is selected, Textual's own."""
        if self._shown_code == -2 or self.text_selection is not None:
            return super().render_line(y)
        lines = self._note_lines(self._shown_code)
        return lines[y] if y < len(lines) else super().render_line(y)  # (never, but for a size change)

    def _note_lines(self, code_id: int) -> list[Strip]:
        """The content lines of ``code_id``'s note at the pane's size, drawn as Textual draws them; a
        line drawn before (most are blank, and hops share text) is the very same strip, so the styles
        cache hands back the finished line it made for it, with padding and border."""
        width, height = self.size
        style = self.visual_style
        key = (code_id, width, height, style)
        lines = self._notes.get(key)
        if lines is None:
            visual = visualize(self, self.describe(code_id), markup=False)
            lines = Visual.to_strips(self, visual, width, height, style)
            lines += [Strip.blank(width, style.rich_style)] * (height - len(lines))  # as Widget pads them
            lines = self._notes[key] = [self._kept(line) for line in lines]
        return lines

    def _kept(self, line: Strip) -> Strip:
        key = tuple(line)
        kept = self._strips.get(key)
        if kept is None:
            kept = self._strips[key] = line
        return kept

    def work_ahead(self) -> Iterator[None]:
        """Draw and finish the note of every function of the trace, the most called first: one a step,
        for the app to run while it is idle."""
        calls = Counter(self.trace.code_ids[call] for call in self.trace.calls)
        for code_id, _count in calls.most_common():
            if not self.size:
                return
            self._styles_cache.prime(self._note_lines(code_id))
            yield

    def notify_style_update(self) -> None:
        self._drawn.clear()
        self._strips.clear()
        self._notes.clear()
        super().notify_style_update()

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
