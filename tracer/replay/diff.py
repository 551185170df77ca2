"""Two traces of one request, aligned hop by hop: where they first went different ways, and why.

A debugger shows one run. A learner comparing an admin's request with a member's asks where the two
parted and what decided it. The hops of both traces (every call, comprehension frames folded into their
caller) are aligned by function with :class:`difflib.SequenceMatcher`; the first hop that is not in both
is the divergence. The frame that made that call in both runs is the branch point: its lines are compared
to find the last line both ran before they went on differently, and its locals there, and the results of
the calls both made just before, are compared to show the values that decided it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from tracer.model.trace import CALL, LINE, Trace

#: Functions listed per side in the summary of what only one run did.
SUMMARY_TOP = 8
#: Callers of the branching frame named with it.
CALLERS = 3


@dataclass(frozen=True)
class Differed:
    """One value seen at the branch point in both runs, different in each."""

    what: str  # "local name" or "Function.qualname returned"
    a: str
    b: str


@dataclass(frozen=True)
class Divergence:
    """Where the runs parted: the frame that went on differently and the line both ran last there."""

    frame: str  # qualname of the frame that branched
    file: str
    line: int | None  # the last line both ran in that frame before the paths split (None: no line detail)
    source: str
    a_next: str  # what run A did next: "calls X", "line 12: ...", "returns"
    b_next: str
    a_event: int  # event index of the divergence in each trace (for the replay's jump)
    b_event: int
    values: list[Differed] = field(default_factory=list)
    callers: list[str] = field(default_factory=list)  # the frames above it, nearest last (a few)


@dataclass
class TraceDiff:
    """The comparison of two traces ``a`` and ``b``."""

    a: Trace
    b: Trace
    pairs: list[tuple[int, int]]  # matched hops (call event in a, call event in b), in order
    divergence: Divergence | None
    only_a: list[tuple[str, int]]  # (qualname, calls) done only by a, most first
    only_b: list[tuple[str, int]]
    divergences: list[tuple[int, int]]  # (event in a, event in b) at the start of every differing stretch
    only_a_total: int = 0  # hops only a ran, all functions
    only_b_total: int = 0
    rows: list[tuple[int | None, int | None]] = field(default_factory=list)  # both hop lists aligned, side by side

    def divergent_rows(self) -> list[int]:
        """Indexes into :attr:`rows` where a stretch of hops that differ begins (the replay's jumps)."""
        starts = []
        for n, (ca, cb) in enumerate(self.rows):
            differs = ca is None or cb is None or self.a.code(ca).key != self.b.code(cb).key
            before = n > 0 and (self.rows[n - 1][0] is None or self.rows[n - 1][1] is None
                                or self.a.code(self.rows[n - 1][0]).key != self.b.code(self.rows[n - 1][1]).key)
            if differs and not before:
                starts.append(n)
        return starts

    @property
    def same_path(self) -> bool:
        return self.divergence is None

    def to_dict(self) -> dict:
        """A JSON-ready description (``tracer diff --format json``)."""

        def side(trace: Trace) -> dict:
            return {"request": trace.request_line, "status": trace.status, "user_id": trace.request.get("user_id"),
                    "project_id": trace.request.get("project_id"), "hops": len(_hops(trace))}

        d = self.divergence
        return {
            "a": side(self.a),
            "b": side(self.b),
            "same_path": self.same_path,
            "matched_hops": len(self.pairs),
            "divergence": None if d is None else {
                "frame": d.frame, "file": d.file, "line": d.line, "source": d.source,
                "a_next": d.a_next, "b_next": d.b_next, "a_event": d.a_event, "b_event": d.b_event,
                "values": [{"what": v.what, "a": v.a, "b": v.b} for v in d.values],
                "callers": d.callers,
            },
            "only_a": [{"function": name, "calls": n} for name, n in self.only_a],
            "only_b": [{"function": name, "calls": n} for name, n in self.only_b],
            "only_a_total": self.only_a_total,
            "only_b_total": self.only_b_total,
            "divergences": [{"a_event": ea, "b_event": eb} for ea, eb in self.divergences],
        }


def _hops(trace: Trace) -> list[int]:
    return [call for call in trace.calls if not trace.code(call).is_inline]


def _lines_of(trace: Trace, frame: int) -> list[int]:
    """The frame's own line events, in order."""
    return [e for e in trace.steps(frame) if trace.kinds[e] == LINE]


def _visible_parent(trace: Trace, call: int) -> int:
    """The caller a learner sees: comprehension frames are part of the function they run in."""
    parent = trace.parent[call]
    while parent >= 0 and trace.code(parent).is_inline:
        parent = trace.parent[parent]
    return parent


def _own_children(trace: Trace, frame: int, before: int) -> list[int]:
    """Calls the frame made (itself or in its comprehensions) before event ``before``."""
    end = min(before, trace.end_of.get(frame, len(trace) - 1) + 1)
    return [e for e in range(frame + 1, end) if trace.kinds[e] == CALL and not trace.code(e).is_inline
            and _visible_parent(trace, e) == frame]


def _source(trace: Trace, file: str, line: int | None) -> str:
    if line is None:
        return ""
    lines = trace.source_lines(file)
    return lines[line - 1].strip() if 0 < line <= len(lines) else ""


def _what_next(trace: Trace, frame: int, event: int | None) -> str:
    """How the frame went on at ``event`` (a line, a call, or its end)."""
    if event is None or trace.kinds[event] not in (CALL, LINE) or event == frame:
        return "returns" if event is None or trace.kinds[event] != CALL else "starts"
    if trace.kinds[event] == CALL:
        code = trace.code(event)
        nth = sum(1 for e in _own_children(trace, frame, event) if trace.code_ids[e] == trace.code_ids[event]) + 1
        return f"calls {code.qualname}" + (f" (its call number {nth} from here)" if nth > 1 else "")
    code = trace.code(event)
    return f"goes to line {trace.lines[event]}: {_source(trace, code.filename, trace.lines[event])}"


def _branch(a: Trace, b: Trace, fa: int, fb: int, ea: int | None, eb: int | None) -> Divergence:
    """The branch point in frames ``fa``/``fb`` whose runs went on differently at calls ``ea``/``eb``
    (None: that run made no further call there)."""
    code = a.code(fa)
    end_a = ea if ea is not None else a.end_of.get(fa, len(a) - 1)
    end_b = eb if eb is not None else b.end_of.get(fb, len(b) - 1)
    lines_a = [e for e in _lines_of(a, fa) if e < end_a]
    lines_b = [e for e in _lines_of(b, fb) if e < end_b]
    split = 0
    while split < min(len(lines_a), len(lines_b)) and a.lines[lines_a[split]] == b.lines[lines_b[split]]:
        split += 1
    if split < len(lines_a) and split < len(lines_b):
        # both ran on, but to different lines: the last common line decided (an if, a loop's test)
        at_a, at_b = lines_a[split - 1] if split else fa, lines_b[split - 1] if split else fb
        next_a, next_b = lines_a[split], lines_b[split]
    else:
        # same lines up to here: one run made a call the other did not (a loop that went round once more)
        next_a, next_b = ea, eb
        at_a = lines_a[split - 1] if split and len(lines_a) == split else (lines_a[-1] if lines_a else fa)
        at_b = lines_b[split - 1] if split and len(lines_b) == split else (lines_b[-1] if lines_b else fb)
        if split < len(lines_a):
            next_a = lines_a[split]
        if split < len(lines_b):
            next_b = lines_b[split]
    line = a.lines[at_a] if at_a != fa else (a.lines[fa] if a.kinds[fa] == LINE else None)
    if next_a is not None and a.kinds[next_a] == CALL:
        line = a.line_at(next_a, fa)
    elif next_b is not None and b.kinds[next_b] == CALL:
        line = b.line_at(next_b, fb)
    values: list[Differed] = []
    # the locals as the frame held them where the paths split
    probe_a = next_a if next_a is not None else a.end_of.get(fa, at_a)
    probe_b = next_b if next_b is not None else b.end_of.get(fb, at_b)
    locals_b = dict(b.locals_at(probe_b, fb))
    for name, value in a.locals_at(probe_a, fa):
        other = locals_b.get(name)
        if other is not None and other.summary != value.summary:
            values.append(Differed(name, value.summary, other.summary))
    # what the calls made just before answered: a policy check's True for one and False for the other
    kids_a = _own_children(a, fa, probe_a)
    kids_b = _own_children(b, fb, probe_b)
    for ca, cb in zip(reversed(kids_a), reversed(kids_b), strict=False):
        if a.code(ca).key != b.code(cb).key:
            break
        oa, ob = a.outcome(ca), b.outcome(cb)
        sa = f"{oa.kind} {oa.value.summary if oa.value else ''}".strip()
        sb = f"{ob.kind} {ob.value.summary if ob.value else ''}".strip()
        if sa != sb:
            values.append(Differed(f"{a.code(ca).qualname}(...)", sa, sb))
        if len(values) >= 6:
            break
    return Divergence(
        frame=code.qualname,
        file=code.filename,
        line=line,
        source=_source(a, code.filename, line),
        a_next=_what_next(a, fa, next_a),
        b_next=_what_next(b, fb, next_b),
        a_event=next_a if next_a is not None else a.end_of.get(fa, fa),
        b_event=next_b if next_b is not None else b.end_of.get(fb, fb),
        values=values,
        callers=[a.code(f).qualname for f in a.stack(fa)[:-1] if not a.code(f).is_inline][-CALLERS:],
    )


def diff_traces(a: Trace, b: Trace) -> TraceDiff:
    """Align the hops of ``a`` and ``b`` and find where and why they first differ."""
    hops_a, hops_b = _hops(a), _hops(b)
    keys_a = [a.code(c).key for c in hops_a]
    keys_b = [b.code(c).key for c in hops_b]
    matcher = SequenceMatcher(None, keys_a, keys_b, autojunk=False)
    pairs: list[tuple[int, int]] = []
    only_a: Counter[str] = Counter()
    only_b: Counter[str] = Counter()
    first: tuple[int, int] | None = None
    stretches: list[tuple[int, int]] = []
    rows: list[tuple[int | None, int | None]] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            pairs.extend(zip(hops_a[i1:i2], hops_b[j1:j2], strict=True))
            rows.extend(zip(hops_a[i1:i2], hops_b[j1:j2], strict=True))
            continue
        rows.extend([(ca, None) for ca in hops_a[i1:i2]] + [(None, cb) for cb in hops_b[j1:j2]])
        if first is None:
            first = (i1, j1)
        stretches.append((hops_a[i1] if i1 < len(hops_a) else len(a) - 1,
                          hops_b[j1] if j1 < len(hops_b) else len(b) - 1))
        only_a.update(a.code(c).qualname for c in hops_a[i1:i2])
        only_b.update(b.code(c).qualname for c in hops_b[j1:j2])
    divergence = None
    if first is not None:
        divergence = _divergence_at(a, b, hops_a, hops_b, pairs, *first)
    elif not _same_lines(a, b, pairs):
        divergence = _first_line_difference(a, b, pairs)
    return TraceDiff(a, b, pairs, divergence, only_a.most_common(SUMMARY_TOP), only_b.most_common(SUMMARY_TOP),
                     stretches, only_a.total(), only_b.total(), rows)


def _divergence_at(a: Trace, b: Trace, hops_a: list[int], hops_b: list[int], pairs: list[tuple[int, int]],
                   i: int, j: int) -> Divergence:
    """The branch point when hop ``i`` of ``a`` and hop ``j`` of ``b`` start the first differing stretch."""
    partner_of_a = dict(pairs)
    partner_of_b = {cb: ca for ca, cb in pairs}
    ea = hops_a[i] if i < len(hops_a) else None
    eb = hops_b[j] if j < len(hops_b) else None
    # the frame that made the first differing call, known in both runs
    fa = _visible_parent(a, ea) if ea is not None else -1
    fb = _visible_parent(b, eb) if eb is not None else -1
    while fa >= 0 and fa not in partner_of_a:
        fa = _visible_parent(a, fa)
    while fb >= 0 and fb not in partner_of_b:
        fb = _visible_parent(b, fb)
    # the deeper of the two shared frames is where the runs parted
    if fa >= 0 and (fb < 0 or a.depth[fa] >= b.depth[fb]):
        fb = partner_of_a[fa]
    elif fb >= 0:
        fa = partner_of_b[fb]
    else:  # different first hops: the runs share no frame
        code_a, code_b = a.code(hops_a[0]), b.code(hops_b[0])
        return Divergence(code_a.qualname, code_a.filename, None, "", f"calls {code_a.qualname}",
                          f"calls {code_b.qualname}", hops_a[0], hops_b[0])
    # only the calls made by the branch frame itself count as its next step
    ea = _next_own_call(a, fa, ea)
    eb = _next_own_call(b, fb, eb)
    return _branch(a, b, fa, fb, ea, eb)


def _next_own_call(trace: Trace, frame: int, after: int | None) -> int | None:
    """The call ``frame`` made that contains event ``after`` (None when ``after`` is not inside it)."""
    if after is None:
        return None
    call = after
    while call >= 0 and _visible_parent(trace, call) != frame:
        call = _visible_parent(trace, call)
    return call if call >= 0 else None


def _same_lines(a: Trace, b: Trace, pairs: list[tuple[int, int]]) -> bool:
    return all([a.lines[e] for e in _lines_of(a, ca)] == [b.lines[e] for e in _lines_of(b, cb)] for ca, cb in pairs)


def _first_line_difference(a: Trace, b: Trace, pairs: list[tuple[int, int]]) -> Divergence | None:
    """Same calls, but some frame ran other lines (a branch that called nothing different)."""
    for ca, cb in pairs:
        if [a.lines[e] for e in _lines_of(a, ca)] != [b.lines[e] for e in _lines_of(b, cb)]:
            return _branch(a, b, ca, cb, None, None)
    return None
