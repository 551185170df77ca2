"""A small query language over traces: how lessons state answers without hard-coding them.

A question's answer, or a check's expectation, is a TOML table such as
``{query = "next_call", after = "Resource.dispatch", layer = "controller"}``. It is evaluated
on a trace recorded at check time, so the answer follows sample_api when its code changes.

Hops are named by pattern: ``"Resource.dispatch"`` (a qualname, or its dotted tail),
``"sample_api.api.openstack.wsgi:Resource.dispatch"`` (module and qualname) or a shell-style
wildcard such as ``"sample_api_extensions.*"``. Hops in answers are qualnames
(``"ServersController.detail"``); values are the one-line summaries the trace stores, with the
quotes of strings removed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any

from tracer.course.answers import op_body_text, op_header, op_json, op_status
from tracer.model.trace import EXCEPTION, CodeInfo, Trace, Value


class QueryError(ValueError):
    """A malformed query (a bug in a lesson file), or one that cannot be answered; one line."""


# -- hops ------------------------------------------------------------------------------------------


def hop_matches(code: CodeInfo, pattern: str) -> bool:
    """Whether the function ``code`` is the hop named by ``pattern`` (see the module docstring)."""
    wild = any(ch in pattern for ch in "*?[")
    if ":" in pattern:
        return fnmatchcase(code.key, pattern) if wild else code.key == pattern
    if wild:
        return fnmatchcase(code.qualname, pattern) or fnmatchcase(f"{code.module}.{code.qualname}", pattern)
    return code.qualname == pattern or code.qualname.endswith("." + pattern)


def hop_name(code: CodeInfo) -> str:
    """How a hop is named in answers: its qualname (``ServersController.detail``)."""
    return code.qualname


def plain(value: Value | None) -> str:
    """The summary of a recorded value as a learner would type it (``'detail'`` → ``detail``)."""
    if value is None:
        return ""
    text = value.summary
    if value.type_name == "str" and len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return text[1:-1]
    return text


def value_at(value: Value | None, path: str | None) -> Value | None:
    """Follow ``a.b.0`` through a recorded value's children; None when a step is missing."""
    if not path:
        return value
    for step in path.split("."):
        if value is None:
            return None
        value = dict(value.children).get(step)
    return value


def _shown(value: Value | None, q: Mapping[str, Any]) -> Any:
    """A value as a query answers it: its plain summary, or (``keys = true``) the names of its children."""
    if q.get("keys"):
        return [key for key, _child in value.children] if value is not None else []
    return plain(value)


# -- selecting calls ---------------------------------------------------------------------------------

#: Parameters every call-selecting query understands.
SELECT_PARAMS = ("name", "layer", "module", "after", "after_end", "before", "within", "direct", "inline", "request")


@dataclass(frozen=True)
class Selection:
    """Which calls of a trace a query looks at."""

    name: str | None = None
    layer: tuple[str, ...] = ()
    module: str | None = None
    after: str | None = None
    after_end: bool = False
    before: str | None = None
    within: str | None = None
    direct: bool = False
    inline: bool = False

    @classmethod
    def from_query(cls, q: Mapping[str, Any]) -> Selection:
        layer = q.get("layer") or ()
        return cls(
            name=q.get("name"),
            layer=(layer,) if isinstance(layer, str) else tuple(layer),
            module=q.get("module"),
            after=q.get("after"),
            after_end=bool(q.get("after_end", False)),
            before=q.get("before"),
            within=q.get("within"),
            direct=bool(q.get("direct", False)),
            inline=bool(q.get("inline", False)),
        )

    def calls(self, trace: Trace) -> list[int]:
        """The selected call events, in the order they happened."""
        lo, hi = 0, len(trace) - 1
        if self.after:
            anchor = first_of(trace, self.after)
            if anchor < 0:
                return []
            lo = (trace.end_of.get(anchor, anchor) if self.after_end else anchor) + 1
        if self.before:
            anchor = first_of(trace, self.before)
            if anchor >= 0:
                hi = anchor - 1
        within = first_of(trace, self.within) if self.within else -1
        if self.within:
            if within < 0:
                return []
            lo, hi = max(lo, within + 1), min(hi, trace.end_of.get(within, hi))
        found = []
        for call in trace.calls:
            if call < lo or call > hi:
                continue
            code = trace.code(call)
            if code.is_inline and not self.inline:
                continue
            if self.direct and within >= 0 and visible_parent(trace, call) != within:
                continue
            if self.name and not hop_matches(code, self.name):
                continue
            if self.layer and code.layer not in self.layer:
                continue
            if self.module and not (code.module == self.module or code.module.startswith(self.module + ".")):
                continue
            found.append(call)
        return found


def first_of(trace: Trace, pattern: str) -> int:
    """The first call of the hop ``pattern``, or -1."""
    for call in trace.calls:
        if hop_matches(trace.code(call), pattern):
            return call
    return -1


def visible_parent(trace: Trace, call: int) -> int:
    """The caller of ``call``, looking through comprehension frames (they read as part of their parent)."""
    parent = trace.parent.get(call, -1)
    while parent >= 0 and trace.code(parent).is_inline:
        parent = trace.parent.get(parent, -1)
    return parent


def visible_children(trace: Trace, call: int) -> list[int]:
    """Calls made by ``call``, looking through comprehension frames."""
    found = []
    for child in trace.children(call):
        if trace.code(child).is_inline:
            found.extend(visible_children(trace, child))
        else:
            found.append(child)
    return found


def _nth(items: list, q: Mapping[str, Any]) -> Any:
    n = int(q.get("nth", 0))
    try:
        return items[n]
    except IndexError:
        return None


def _the_call(trace: Trace, q: Mapping[str, Any]) -> int:
    calls = Selection.from_query(q).calls(trace)
    call = _nth(calls, q)
    return -1 if call is None else call


def _distinct(names: list[str]) -> list[str]:
    return list(dict.fromkeys(names))


# -- the operations ----------------------------------------------------------------------------------


def op_first_call(trace: Trace, q: Mapping[str, Any], others: Mapping[str, Trace]) -> str:
    """The first selected hop (with ``nth``: the nth one)."""
    call = _the_call(trace, q)
    return "" if call < 0 else hop_name(trace.code(call))


def op_last_call(trace: Trace, q: Mapping[str, Any], others: Mapping[str, Trace]) -> str:
    calls = Selection.from_query(q).calls(trace)
    return hop_name(trace.code(calls[-1])) if calls else ""


def op_calls(trace: Trace, q: Mapping[str, Any], others: Mapping[str, Trace]) -> list[str]:
    """Every selected hop in order (``distinct = true``: each once)."""
    names = [hop_name(trace.code(c)) for c in Selection.from_query(q).calls(trace)]
    return _distinct(names) if q.get("distinct") else names


def op_count(trace: Trace, q: Mapping[str, Any], others: Mapping[str, Trace]) -> int:
    """How many selected calls ran (``distinct = true``: how many different hops)."""
    calls = Selection.from_query(q).calls(trace)
    if q.get("distinct"):
        return len({trace.code(c).key for c in calls})
    return len(calls)


def op_reached(trace: Trace, q: Mapping[str, Any], others: Mapping[str, Trace]) -> bool:
    return bool(Selection.from_query(q).calls(trace))


def op_caller(trace: Trace, q: Mapping[str, Any], others: Mapping[str, Trace]) -> str:
    """Which hop called the selected one."""
    call = _the_call(trace, q)
    parent = visible_parent(trace, call) if call >= 0 else -1
    return "" if parent < 0 else hop_name(trace.code(parent))


def op_callees(trace: Trace, q: Mapping[str, Any], others: Mapping[str, Trace]) -> list[str]:
    """The hops the selected one called directly, each once, in order."""
    call = _the_call(trace, q)
    if call < 0:
        return []
    return _distinct([hop_name(trace.code(c)) for c in visible_children(trace, call)])


def op_arg(trace: Trace, q: Mapping[str, Any], others: Mapping[str, Trace]) -> str:
    """An argument of the selected call, e.g. ``{query = "arg", name = "Resource.dispatch", arg = "action_args"}``."""
    call = _the_call(trace, q)
    if call < 0:
        return ""
    args = dict(trace.scope(trace.data[call]))
    return _shown(value_at(args.get(q["arg"]), q.get("path")), q)


def op_returns(trace: Trace, q: Mapping[str, Any], others: Mapping[str, Trace]) -> str:
    """What the selected call returned (empty when it raised)."""
    call = _the_call(trace, q)
    if call < 0:
        return ""
    outcome = trace.outcome(call)
    if outcome.kind != "returned":
        return ""
    return _shown(value_at(outcome.value, q.get("path")), q)


def op_local(trace: Trace, q: Mapping[str, Any], others: Mapping[str, Trace]) -> str:
    """A local variable of the selected frame as it was at the frame's last line."""
    call = _the_call(trace, q)
    if call < 0:
        return ""
    end = trace.end_of.get(call, call)
    variables = dict(trace.locals_at(end, call))
    return _shown(value_at(variables.get(q["var"]), q.get("path")), q)


def op_outcome(trace: Trace, q: Mapping[str, Any], others: Mapping[str, Trace]) -> str:
    """``returned``, ``raised`` or ``unfinished`` for the selected call."""
    call = _the_call(trace, q)
    return "" if call < 0 else trace.outcome(call).kind


def _exception_events(trace: Trace, q: Mapping[str, Any]) -> list[int]:
    wanted = q.get("exception")
    name = q.get("name")
    events = []
    for i in trace.exception_events():
        value = trace.value(trace.data[i])
        if wanted and (value is None or value.type_name != wanted):
            continue
        if name and not hop_matches(trace.code(i), name):
            continue
        events.append(i)
    return events


def op_exception(trace: Trace, q: Mapping[str, Any], others: Mapping[str, Trace]) -> str:
    """The type of the first exception raised (in the hop ``name`` when given)."""
    events = _exception_events(trace, q)
    if not events:
        return ""
    value = trace.value(trace.data[_nth(events, q) or events[0]])
    return value.type_name if value is not None else ""


def op_raised_in(trace: Trace, q: Mapping[str, Any], others: Mapping[str, Trace]) -> str:
    """The hop where the first exception (of type ``exception`` when given) was raised."""
    events = _exception_events(trace, q)
    return hop_name(trace.code(events[0])) if events else ""


def op_caught_in(trace: Trace, q: Mapping[str, Any], others: Mapping[str, Trace]) -> str:
    """The hop that stopped the first exception (of type ``exception``) from travelling further up.

    Follow the exception outwards frame by frame while each frame ends by raising that same
    exception; the first frame that returns instead, or raises a different exception (as
    ``ResourceExceptionHandler`` turns errors into a ``Fault``), is the one that handled it.
    """
    events = _exception_events(trace, q)
    if not events:
        return ""
    event = events[0]
    while True:
        frame = trace.frame_of[event]
        outcome = trace.outcome(frame)
        if outcome.kind != "raised" or trace.data[outcome.event] != trace.data[event]:
            return hop_name(trace.code(frame))
        parent = trace.parent.get(frame, -1)
        if parent < 0:
            return ""  # it escaped every recorded frame
        end = trace.end_of.get(frame, frame)
        later = [e for e in trace.own_events(parent) if e > end and trace.kinds[e] == EXCEPTION]
        if not later:
            return hop_name(trace.code(parent))
        event = later[0]


def op_deepest(trace: Trace, q: Mapping[str, Any], others: Mapping[str, Trace]) -> str:
    """The call with the most frames above it: where the pdb walkthrough of Nova's API stops."""
    call = trace.deepest_call()
    return "" if call < 0 else hop_name(trace.code(call))


def op_layers(trace: Trace, q: Mapping[str, Any], others: Mapping[str, Trace]) -> list[str]:
    """The layers the selected calls belong to, each once, in the order first met."""
    return _distinct([trace.code(c).layer for c in Selection.from_query(q).calls(trace)])


def op_layer_of(trace: Trace, q: Mapping[str, Any], others: Mapping[str, Trace]) -> str:
    call = _the_call(trace, q)
    return "" if call < 0 else trace.code(call).layer


def op_order(trace: Trace, q: Mapping[str, Any], others: Mapping[str, Trace]) -> bool:
    """True when every hop of ``hops`` ran, each one's first call after the previous one's."""
    last = -1
    for pattern in q["hops"]:
        calls = [c for c in trace.calls if c > last and hop_matches(trace.code(c), pattern)]
        if not calls:
            return False
        last = calls[0]
    return True


def op_first_difference(trace: Trace, q: Mapping[str, Any], others: Mapping[str, Trace]) -> str:
    """The first hop of this trace where its path of calls leaves the path of the trace ``other``."""
    other = others.get(q["other"])
    if other is None:
        raise QueryError(f"no recorded request named {q['other']!r} to compare with")

    def path(t: Trace) -> list[str]:
        return [t.code(c).key for c in t.calls if not t.code(c).is_inline]

    mine, theirs = path(trace), path(other)
    calls = [c for c in trace.calls if not trace.code(c).is_inline]
    for i, key in enumerate(mine):
        if i >= len(theirs) or key != theirs[i]:
            return hop_name(trace.code(calls[i]))
    return ""


@dataclass(frozen=True)
class Op:
    """One query operation: the function and the parameters it accepts (besides the selection)."""

    fn: Callable[[Trace, Mapping[str, Any], Mapping[str, Trace]], Any]
    required: tuple[str, ...] = ()
    optional: tuple[str, ...] = ()
    selects: bool = True
    returns: str = "hop"  # hop, hops, int, bool, text, value


OPS: dict[str, Op] = {
    "first_call": Op(op_first_call, optional=("nth",)),
    "next_call": Op(op_first_call, required=("after",), optional=("nth",)),
    "last_call": Op(op_last_call),
    "calls": Op(op_calls, optional=("distinct",), returns="hops"),
    "count": Op(op_count, optional=("distinct",), returns="int"),
    "reached": Op(op_reached, returns="bool"),
    "caller": Op(op_caller, optional=("nth",)),
    "callees": Op(op_callees, optional=("nth",), returns="hops"),
    "arg": Op(op_arg, required=("arg",), optional=("path", "nth", "keys"), returns="value"),
    "returns": Op(op_returns, optional=("path", "nth", "keys"), returns="value"),
    "local": Op(op_local, required=("var",), optional=("path", "nth", "keys"), returns="value"),
    "outcome": Op(op_outcome, optional=("nth",), returns="text"),
    "layer_of": Op(op_layer_of, optional=("nth",), returns="text"),
    "layers": Op(op_layers, returns="hops"),
    "exception": Op(op_exception, optional=("name", "exception", "nth"), selects=False, returns="text"),
    "raised_in": Op(op_raised_in, optional=("name", "exception"), selects=False),
    "caught_in": Op(op_caught_in, optional=("name", "exception"), selects=False),
    "deepest": Op(op_deepest, selects=False),
    "order": Op(op_order, required=("hops",), selects=False, returns="bool"),
    "first_difference": Op(op_first_difference, required=("other",), selects=False),
    "status": Op(op_status, selects=False, returns="int"),
    "header": Op(op_header, required=("header",), selects=False, returns="text"),
    "json": Op(op_json, optional=("path", "len", "has", "keys", "count", "each", "field"), selects=False,
               returns="value"),
    "body_text": Op(op_body_text, selects=False, returns="text"),
}

#: Keys a query table may carry that belong to whoever uses it (a check's comparison, a message).
FOREIGN_KEYS = (
    "query", "request", "equals", "not_equals", "contains", "at_least", "at_most", "truthy", "same_as", "message"
)


def validate_query(q: object, where: str) -> None:
    """Raise :class:`QueryError` when ``q`` is not a well-formed query; ``where`` names it for the author."""
    if not isinstance(q, Mapping):
        raise QueryError(f"{where}: a query must be a table such as {{query = \"status\"}}")
    op_name = q.get("query")
    op = OPS.get(op_name) if isinstance(op_name, str) else None
    if op is None:
        raise QueryError(f"{where}: unknown query {op_name!r} (known: {', '.join(sorted(OPS))})")
    allowed = set(op.required) | set(op.optional) | set(FOREIGN_KEYS)
    if op.selects:
        allowed |= set(SELECT_PARAMS)
    for key in q:
        if key not in allowed:
            raise QueryError(f"{where}: query {op_name!r} takes no parameter {key!r}")
    for key in op.required:
        if key not in q:
            raise QueryError(f"{where}: query {op_name!r} needs the parameter {key!r}")
    if op_name == "order" and not (isinstance(q["hops"], list) and q["hops"]):
        raise QueryError(f"{where}: query 'order' needs a non-empty list 'hops'")


def evaluate(q: Mapping[str, Any], trace: Trace, others: Mapping[str, Trace] | None = None) -> Any:
    """The answer of query ``q`` on ``trace`` (``others``: further traces by request name)."""
    validate_query(q, "query")
    return OPS[q["query"]].fn(trace, q, others or {})


def returns_kind(q: Mapping[str, Any]) -> str:
    """What kind of answer a query gives (hop, hops, int, bool, text, value): how to grade it."""
    return OPS[q["query"]].returns
