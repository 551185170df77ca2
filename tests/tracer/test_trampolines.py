"""The call-level machinery on its own: binding arguments as a frame would, return lines, code swapping."""

from __future__ import annotations

import types

from tracer import trampolines


def sample(a, b=2, *rest, c, d=4, **extra):
    return a


def two_exits(flag):
    if flag:
        return "yes"
    return "no"


def test_arguments_bind_as_the_frame_would_see_them():
    pairs = trampolines.bind_arguments(sample, (1, 5, 6), {"c": 3, "z": 9})
    assert pairs == [("a", 1), ("b", 5), ("c", 3), ("d", 4), ("rest", (6,)), ("extra", {"z": 9})]
    defaults = trampolines.bind_arguments(sample, (1,), {"c": 3})
    assert defaults[:4] == [("a", 1), ("b", 2), ("c", 3), ("d", 4)]


def test_return_line_and_functions_with_several_exits():
    code = two_exits.__code__
    assert trampolines.return_line(code) == code.co_firstlineno + 3
    assert code in trampolines.ambiguous_returns
    assert trampolines.return_line(sample.__code__) == sample.__code__.co_firstlineno + 1
    assert sample.__code__ not in trampolines.ambiguous_returns


def test_a_trampoline_keeps_the_function_working_and_is_put_back():
    namespace: dict = {"__name__": "tracerfake.tramp"}
    exec("def add(x, y=1):\n    return x + y\n", namespace)
    add = namespace["add"]
    original = add.__code__
    box = trampolines.Trampolines()
    box.acquire(("tracerfake",), (add,))
    try:
        assert add.__code__ is not original and add.__code__ in box.codes
        assert add(2) == 3 and add(2, y=5) == 7  # no session attached: the call just runs
    finally:
        box.release()
    assert add.__code__ is original
    assert isinstance(add, types.FunctionType)
