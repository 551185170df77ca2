"""The hop tree: every call of the request as a node, nested the way the frames were.

Each node reads ``Resource._process_stack  resource  1.2 ms  sample_api/api/openstack/wsgi.py:305``
followed, the first time a sentence comes up, by what the hop does (from the labels). The exception
path is marked on the nodes it touches: where an exception was raised, each frame it went through,
and where it was caught. Comprehension frames are folded into their parent, and long runs of calls
of the same function (the view builder's ``show`` once per server) are grouped after the first few.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.console import Console, ConsoleOptions, RenderResult
from rich.segment import Segment
from rich.text import Text

from tracer.model.labels import Labels, load_labels
from tracer.model.trace import CALL, Trace
from tracer.render.deltas import delta_calls, delta_lines
from tracer.render.theme import CAUGHT, DIM, NAME, PROPAGATED, RAISED, format_duration, layer_style
from tracer.replay.exception_path import ExceptionMark, exception_marks, exception_path
from tracer.replay.folds import decorator_chain, shown_calls, summarize

#: Calls of one function among siblings shown before the rest are grouped into one line.
GROUP_AFTER = 2


def describe_marks(marks: list[ExceptionMark]) -> Text:
    """``✗ raised KeyError('x')``, ``↑ KeyError passed through``, ``✓ caught KeyError`` and the like."""
    text = Text()
    for mark in marks:
        if text:
            text.append("  ")
        if mark.origin == "raised":
            text.append(f"✗ raised {mark.summary}", style=RAISED)
            if mark.caught:
                text.append(f"  ✓ caught {mark.type_name}", style=CAUGHT)
        elif mark.caught:
            text.append(f"✓ caught {mark.type_name}", style=CAUGHT)
            if mark.origin == "thrown":
                text.append(" (thrown in at the yield)", style=CAUGHT)
        elif mark.origin == "thrown":
            text.append(f"↑ {mark.type_name} thrown in at the yield, passed on", style=PROPAGATED)
        else:
            text.append(f"↑ {mark.type_name} passed through", style=PROPAGATED)
    return text


@dataclass(frozen=True)
class Row:
    """One node of the drawn tree: the guides before it (first line, continuation lines) and its label."""

    guide: str
    continuation: str
    label: Text


#: Tree guides: (branch, last branch, pipe, blank); three columns per level keeps deep stacks on screen.
GUIDES = ("├─ ", "└─ ", "│  ", "   ")
ASCII_GUIDES = ("|- ", "`- ", "|  ", "   ")


class HopTree:
    """A rich renderable of the whole call tree of a trace.

    ``max_depth`` limits how many levels of calls are drawn (None: all); ``group_after`` is how
    many calls of one function a node lists before grouping the rest; ``labels`` gives the
    one-line explanations (tracer's own labels by default). With ``wrap=False`` each node stays
    on one line however long (for pipes and grep); otherwise long labels wrap under their guide.
    ``fold_decorators`` draws a chain of decorator frames (Nova's twenty validation wrappers between
    ``dispatch`` and the controller method) as one node, unless an exception touched it.
    """

    def __init__(
        self,
        trace: Trace,
        max_depth: int | None = None,
        group_after: int = GROUP_AFTER,
        labels: Labels | None = None,
        wrap: bool = True,
        deltas: bool = False,
        fold_decorators: bool = True,
    ) -> None:
        self.trace = trace
        self.deltas = deltas  # under each WSGI layer's node, what it changed (recorded by tracer run)
        self.fold_decorators = fold_decorators
        self.max_depth = max_depth
        self.group_after = group_after
        self.labels = labels if labels is not None else load_labels()
        self.wrap = wrap

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        guides = ASCII_GUIDES if options.ascii_only else GUIDES
        yield Text(self.trace.request_line, style=NAME)
        new_line = Segment.line()
        guide_style = console.get_style(DIM)
        for row in self.rows(guides):
            if not self.wrap or options.no_wrap:
                line = Text(row.guide, style=DIM) + row.label
                line.no_wrap = True
                line.overflow = "ignore"
                yield line
                continue
            width = max(options.max_width - len(row.guide), 20)
            lines = console.render_lines(row.label, options.update(width=width, height=None), pad=False)
            for n, segments in enumerate(lines):
                yield Segment(row.guide if n == 0 else row.continuation, guide_style)
                yield from segments
                yield new_line

    # -- building --------------------------------------------------------------------------------

    def rows(self, guides: tuple[str, str, str, str] = GUIDES) -> list[Row]:
        """Every drawn node in order, built fresh each time so a render never depends on an earlier one."""
        trace = self.trace
        self._guides = guides
        self._marks = exception_marks(trace)
        self._hot = exception_path(trace, self._marks)
        self._said: set[str] = set()
        self._rows: list[Row] = []
        self._delta_of = delta_calls(trace) if self.deltas else {}
        top = [call for call in trace.calls if trace.parent[call] < 0]
        self._add_children(self._visible(top), 1, "")
        return self._rows

    def lines(self) -> list[str]:
        """The tree as plain one-line-per-node text (for tests and for scripts)."""
        return [self.trace.request_line] + [row.guide + row.label.plain for row in self.rows()]

    def _visible(self, calls: list[int]) -> list[int]:
        """Calls with comprehension frames replaced by the calls made inside them."""
        return shown_calls(self.trace, calls)

    def _grouped(self, calls: list[int]) -> list[int | Text]:
        """Siblings to draw: calls, with a note in place of the calls of a function past ``group_after``."""
        trace = self.trace
        seen: dict[int, int] = {}
        hidden: dict[int, list[int]] = {}
        items: list[int | tuple[int]] = []
        for call in calls:
            code_id = trace.code_ids[call]
            seen[code_id] = seen.get(code_id, 0) + 1
            if seen[code_id] > self.group_after and call not in self._hot:
                if code_id not in hidden:
                    items.append((code_id,))  # the note goes where the first hidden call was
                hidden.setdefault(code_id, []).append(call)
            else:
                items.append(call)
        out: list[int | Text] = []
        for item in items:
            if isinstance(item, int):
                out.append(item)
                continue
            group = hidden[item[0]]
            total = sum(trace.duration_of(call) for call in group)
            word = "call" if len(group) == 1 else "calls"
            qualname = trace.codes[item[0]].qualname
            out.append(Text(f"… {len(group)} more {word} of {qualname} ({format_duration(total)})", style=DIM))
        return out

    def _add_children(self, calls: list[int], level: int, prefix: str) -> None:
        branch, last_branch, pipe, blank = self._guides
        items = self._grouped(calls)
        for n, item in enumerate(items):
            last = n == len(items) - 1
            guide = prefix + (last_branch if last else branch)
            inner = prefix + (blank if last else pipe)
            if isinstance(item, Text):
                self._rows.append(Row(guide, inner, item))
                continue
            chain = decorator_chain(self.trace, item, self._hot) if self.fold_decorators else [item]
            if len(chain) > 1:
                self._rows.append(Row(guide, inner, self._chain_label(chain)))
                self._add_below(chain[-1], level, inner)
            else:
                self._rows.append(Row(guide, inner, self.label(item)))
                self._add_deltas(item, inner)
                self._add_below(item, level, inner)

    def _add_deltas(self, call: int, prefix: str) -> None:
        entry = self._delta_of.get(call)
        if entry is None:
            return
        lead = prefix + (self._guides[2] if self._visible(self.trace.children(call)) else self._guides[3])
        for line in delta_lines(self.trace, entry):
            self._rows.append(Row(lead + "Δ ", lead + "  ", line))

    def _chain_label(self, chain: list[int]) -> Text:
        """One node for a folded decorator chain: how many frames, of which decorators, and their checks."""
        trace = self.trace
        summary = summarize(trace, chain)
        text = Text()
        text.append(f"{len(chain)} decorator frames", style=NAME)
        text.append("  validation", style=layer_style("validation"))
        text.append(f"  {format_duration(trace.duration_of(chain[0]))}", style=DIM)
        text.append("  " + summary.names(), style=DIM)
        text.append(f"  — folded with {summary.checks} calls beside them (--unfold shows each)", style="italic")
        return text

    def _add_below(self, call: int, level: int, prefix: str) -> None:
        below = self._visible(self.trace.children(call))
        if not below:
            return
        if self.max_depth is not None and level >= self.max_depth:
            count = self._count_below(call)
            hot = any(c in self._hot for c in below)
            note = f"… {count} more {'call' if count == 1 else 'calls'} below"
            text = Text(note + (" (on the exception path)" if hot else ""), style=PROPAGATED if hot else DIM)
            self._rows.append(Row(prefix + self._guides[1], prefix + self._guides[3], text))
            return
        self._add_children(below, level + 1, prefix)

    def _count_below(self, call: int) -> int:
        trace = self.trace
        end = trace.end_of.get(call, len(trace) - 1)
        return sum(1 for i in range(call + 1, end + 1) if trace.kinds[i] == CALL and not trace.code(i).is_inline)

    # -- one node ---------------------------------------------------------------------------------

    def label(self, call: int) -> Text:
        """``name  layer  duration  file:line  does  exception marks`` for one call."""
        trace = self.trace
        code = trace.code(call)
        text = Text()
        escaped = call in self._marks and trace.outcome(call).kind == "raised"
        text.append(code.qualname, style=f"{NAME} {PROPAGATED}" if escaped else NAME)
        text.append(f"  {code.layer}", style=layer_style(code.layer))
        text.append(f"  {format_duration(trace.duration_of(call))}", style=DIM)
        text.append(f"  {code.filename}:{code.firstlineno}", style=DIM)
        label = self.labels.lookup(code.module, code.qualname)
        if label is not None and label.does and label.does not in self._said:
            self._said.add(label.does)
            text.append(f"  — {label.does}", style="italic")
        marks = self._marks.get(call)
        if marks:
            text.append("  ")
            text.append_text(describe_marks(marks))
        return text
