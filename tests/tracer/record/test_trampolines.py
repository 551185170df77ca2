"""The call-level machinery on its own: binding arguments as a frame would, return lines, code swapping."""

from __future__ import annotations

import inspect
import types
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from tracer.model.trace import CALL, RETURN, Trace
from tracer.record import trampolines
from tracer.record.recorder import Recorder


def sample(a, b=2, *rest, c, d=4, **extra):
    return a


def two_exits(flag):
    if flag:
        return "yes"
    return "no"


SIGNATURE_SOURCE = """
def every_kind(a, b=2, /, c=3, *rest, d, e=5, **extra):
    return (a, b, c, rest, d, e, extra)
"""


class Recording:
    trace: Trace


@contextmanager
def recording(recorder: Recorder, root: object) -> Iterator[Recording]:
    """Records what runs inside the block; the trace is on the yielded object once the block is over."""
    done = Recording()
    session = recorder.start({}, root)
    try:
        yield done
    finally:
        recorder.stop(session)
        done.trace = Trace.from_dict(session.finish({}, b"", "200 OK", [], b""))


def test_a_trampoline_has_the_signature_and_records_the_arguments_as_the_frame_saw_them(fake_module):
    func = fake_module("tracerfake.signatures", SIGNATURE_SOURCE).every_kind
    original = inspect.signature(func)
    expected = func(1, 20, 30, 40, d=4, z=9)
    with recording(Recorder(include=("tracerfake",), detail="call"), func) as done:
        assert trampolines.is_trampoline(func.__code__)
        assert inspect.signature(func) == original  # same parameters, defaults from the function itself
        assert func(1, 20, 30, 40, d=4, z=9) == expected
        assert func(1, d=4) == (1, 2, 3, (), 4, 5, {})
        with pytest.raises(TypeError):
            func(1, 2, 3)  # d is keyword-only and has no default: the same error as without tracing
    trace = done.trace
    first, second = trace.find_calls("every_kind")
    shown = {name: value.summary for name, value in trace.locals_at(first, first)}
    assert shown == {"a": "1", "b": "20", "c": "30", "d": "4", "e": "5",
                     "rest": "tuple of 1 item", "extra": "dict of 1 item"}
    assert dict(trace.locals_at(second, second))["b"].summary == "2"  # a default, as the frame sees it
    assert trace.outcome(first).kind == "returned"


SHADOWING_SOURCE = """
len = None  # a module may shadow the builtins a trampoline uses: it must not notice
BaseException = None


def fails(x):
    raise ValueError(x)


def catches(x):
    try:
        fails(x)
    except ValueError:
        return "caught"


def pick(flag):
    if flag:
        return "yes"
    return "no"
"""


def test_inline_trampolines_record_raises_catches_and_return_lines_in_a_module_that_shadows_builtins(fake_module):
    module = fake_module("tracerfake.shadowing", SHADOWING_SOURCE)
    with recording(Recorder(include=("tracerfake",), detail="call"), module.catches) as done:
        assert module.catches(7) == "caught"
        assert (module.pick(True), module.pick(False)) == ("yes", "no")
    trace = done.trace
    (catches,) = trace.find_calls("catches")
    (fails,) = trace.find_calls("fails")
    assert trace.outcome(fails).kind == "raised"
    assert trace.outcome(catches).kind == "returned"
    first_line = module.pick.__code__.co_firstlineno
    yes, no = trace.find_calls("pick")
    assert trace.lines[trace.outcome(yes).event] == first_line + 2  # the line it really returned from
    assert trace.lines[trace.outcome(no).event] == first_line + 3


FLAT_SOURCE = """
def no_parameters():
    return (7, "seven")  # a tuple result: a trampoline's entries must not mistake it for a call


def gives_none():
    return None


def both():
    first = no_parameters()
    gives_none()
    return first
"""


def test_calls_without_parameters_and_tuple_or_none_results_read_back_in_order(fake_module):
    module = fake_module("tracerfake.flat", FLAT_SOURCE)
    with recording(Recorder(include=("tracerfake",), detail="call"), module.both) as done:
        assert module.both() == (7, "seven")
    trace = done.trace
    assert [trace.code(c).qualname for c in trace.calls] == ["both", "no_parameters", "gives_none"]
    (both,) = trace.find_calls("both")
    (no_parameters,) = trace.find_calls("no_parameters")
    (gives_none,) = trace.find_calls("gives_none")
    assert trace.depth[no_parameters] == trace.depth[gives_none] == trace.depth[both] + 1
    assert trace.outcome(no_parameters).value.summary == trace.outcome(both).value.summary
    items = [value.summary for _, value in trace.outcome(no_parameters).value.children]
    assert items == ["7", "'seven'"]
    assert trace.outcome(gives_none).value.summary == "None"
    assert trace.end_of[both] == len(trace) - 1


def test_a_session_with_a_narrower_scope_leaves_out_the_other_hops(fake_module):
    wide = fake_module("tracerfake.wide", "def outer(x):\n    return x + 1\n")
    narrow = fake_module("tracerwide.narrow", "def inner(x):\n    return x * 2\n")
    with recording(Recorder(include=("tracerfake", "tracerwide"), detail="call"), wide.outer):
        pass  # the trampolines now stand for both packages' functions
    with recording(Recorder(include=("tracerwide",), detail="call"), narrow.inner) as done:
        assert trampolines.is_trampoline(wide.outer.__code__)
        assert (wide.outer(1), narrow.inner(3)) == (2, 6)
    trace = done.trace
    assert [code.qualname for code in trace.codes] == ["inner"]
    assert len(trace.find_calls("inner")) == 1 and trace.find_calls("outer") == []


def test_return_line_and_functions_with_several_exits():
    code = two_exits.__code__
    assert trampolines.return_line(code) == code.co_firstlineno + 3
    assert id(code) in trampolines.ambiguous_returns
    assert trampolines.return_line(sample.__code__) == sample.__code__.co_firstlineno + 1
    assert id(sample.__code__) not in trampolines.ambiguous_returns


def test_a_trampoline_keeps_the_function_working_and_is_put_back():
    namespace: dict = {"__name__": "tracerfake.tramp"}
    exec("def add(x, y=1):\n    return x + y\n", namespace)
    add = namespace["add"]
    original = add.__code__
    box = trampolines.Trampolines()
    box.acquire(("tracerfake",), (add,))
    try:
        assert add.__code__ is not original and id(add.__code__) in box.codes
        assert add(2) == 3 and add(2, y=5) == 7  # no session attached: the call just runs
    finally:
        box.release()
    assert add.__code__ is original
    assert isinstance(add, types.FunctionType)


def test_reading_stops_at_an_event_noted_only_in_part(fake_module):
    """A signal handler's exception between two appends of one call leaves a call without its time."""
    module = fake_module("tracerfake.partial", "def once(x):\n    return x\n")
    original = module.once.__code__
    with recording(Recorder(include=("tracerfake",), detail="call"), module.once):
        assert module.once(1) == 1
    hop = trampolines.TRAMPOLINES.hop_of_code[id(original)]
    assert not trampolines.TRAMPOLINES.return_lines[hop]  # one return line: its returns carry no line
    read = list(trampolines.read_events([(hop, "arg"), 1_000, ~hop, 2_000, "value"]))
    assert [(kind, at) for kind, _hop, at, _line, _value in read] == [(CALL, 1_000), (RETURN, 2_000)]
    assert read[0][4] == ("arg",) and read[1][4] == "value"
    assert [event[0] for event in trampolines.read_events([(hop, "arg"), 1_000, (hop, "x")])] == [CALL]
    assert list(trampolines.read_events([(hop, "arg"), (hop, "x"), 5])) == []


DECORATED_SOURCE = """
import functools


def checked(func):
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        return func(*args, **kwargs)
    return wrapper


class Controller:
    def create(self, body):
        return {"created": body}


for _ in range(20):  # a controller method under twenty validation decorators, deeper than Nova stacks them
    Controller.create = checked(Controller.create)
"""


def test_a_function_wrapped_twenty_times_is_recorded_with_every_wrapper(fake_module):
    module = fake_module("tracerfake.decorated", DECORATED_SOURCE)
    with recording(Recorder(include=("tracerfake",), detail="call"), module.Controller) as done:
        assert module.Controller().create("b") == {"created": "b"}
    trace = done.trace
    (create,) = trace.find_calls("Controller.create")
    assert dict(trace.locals_at(create, create))["body"].summary == "'b'"
    assert trace.outcome(create).kind == "returned"
    assert len(trace.find_calls("checked.<locals>.wrapper")) == 20
    # the innermost wrapper called the method itself
    assert trace.code(trace.parent[create]).qualname == "checked.<locals>.wrapper"


REACHED_SOURCE = """
def asked(n):
    return helper(n) + 1


def helper(n):
    return n * 2


def never_run(n):
    return n
"""


def test_only_the_functions_a_request_reached_are_made_ready_the_others_when_a_session_asks_for_all(fake_module):
    from tracer.record.rerun import reached_codes

    module = fake_module("tracerfake.reached", REACHED_SOURCE)
    originals = {name: getattr(module, name).__code__ for name in ("asked", "helper", "never_run")}
    reached = reached_codes(lambda: module.asked(1))
    assert {originals["asked"], originals["helper"]} <= reached and originals["never_run"] not in reached
    with recording(Recorder(include=("tracerfake",), detail="call", reached=reached), module.asked) as done:
        assert trampolines.is_trampoline(module.asked.__code__)
        assert trampolines.is_trampoline(module.helper.__code__)
        assert module.never_run.__code__ is originals["never_run"]  # found, and left as it is for now
        assert module.asked(2) == 5 and module.never_run(3) == 3
    assert [done.trace.codes[done.trace.code_ids[e]].qualname for e in done.trace.find_calls("asked")] == ["asked"]
    assert done.trace.find_calls("helper") and not done.trace.find_calls("never_run")
    with recording(Recorder(include=("tracerfake",), detail="call"), module.asked) as everything:
        assert trampolines.is_trampoline(module.never_run.__code__)  # a session asking for every function
        module.never_run(3)
    assert everything.trace.find_calls("never_run")
    assert all(getattr(module, name).__code__ is code for name, code in originals.items())  # all put back
