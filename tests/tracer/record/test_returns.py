"""Copies of code that say which ``return`` they left by: what call-level hops use instead of the frame."""

from __future__ import annotations

import sys
import threading
import traceback
import types

import pytest

from tracer.model.trace import Trace
from tracer.record import returns, trampolines
from tracer.record.recorder import Recorder

only_311 = pytest.mark.skipif(sys.version_info[:2] != (3, 11), reason="the copy is made from 3.11's bytecode")

SOURCE = """
import contextlib

def branches(n):
    if n == 0:
        return "zero"
    elif n < 0:
        return "negative"
    return "positive"

def in_blocks(n, log):
    try:
        with contextlib.suppress(KeyError):
            if n:
                return {1: "one"}[n]
            log.append("with")
    finally:
        log.append("finally")
    return None

def fails(n):
    if n:
        return n
    raise ValueError("no n")
"""


def copies(source: str) -> dict[str, types.FunctionType]:
    """Each function of ``source`` run on its marked copy."""
    namespace: dict = {"__name__": "tracerfake.returns"}
    exec(compile(source, "<returns test>", "exec"), namespace)
    made = {}
    for name, func in namespace.items():
        if isinstance(func, types.FunctionType):
            marked = returns.marking_returns(func.__code__)
            assert marked is not None and id(marked) in returns.marked_codes
            made[name] = types.FunctionType(marked, namespace, name, func.__defaults__, func.__closure__)
            made[name].first = func.__code__.co_firstlineno
    return made


@only_311
def test_every_return_hands_back_its_value_and_its_own_line():
    branches = copies(SOURCE)["branches"]
    first = branches.first
    assert branches(0) == ("zero", first + 2)
    assert branches(-3) == ("negative", first + 4)
    assert branches(5) == ("positive", first + 5)


def interpreter_return_line(source: str, name: str, *args: object) -> tuple[object, int]:
    """What the original function returns, and the line the interpreter reports its ``return`` event on."""
    namespace: dict = {"__name__": "tracerfake.returns"}
    exec(compile(source, "<returns test>", "exec"), namespace)
    func = namespace[name]
    seen: list[int] = []

    def tracer(frame, event, arg):
        if frame.f_code is func.__code__:
            if event == "return":
                seen.append(frame.f_lineno)
            return tracer
        return None

    sys.settrace(tracer)
    try:
        value = func(*args)
    finally:
        sys.settrace(None)
    return value, seen[-1]


@only_311
def test_returns_inside_with_and_finally_blocks_run_the_blocks_and_report_the_interpreters_line():
    in_blocks = copies(SOURCE)["in_blocks"]
    for n, value, log_after in ((1, "one", ["finally"]), (2, None, ["finally"]), (0, None, ["with", "finally"])):
        log: list[str] = []
        assert in_blocks(n, log) == interpreter_return_line(SOURCE, "in_blocks", n, []) and log == log_after
        assert in_blocks(n, [])[0] == value
    # a return inside try/finally reports the line of the finally body the interpreter ran last
    assert in_blocks(1, [])[1] == in_blocks.first + 7


@only_311
def test_an_exception_leaves_the_copy_as_it_left_the_original():
    fails = copies(SOURCE)["fails"]
    assert fails(2) == (2, fails.first + 2)
    with pytest.raises(ValueError, match="no n") as caught:
        fails(0)
    assert traceback.extract_tb(caught.value.__traceback__)[-1].lineno == fails.first + 3


@only_311
def test_a_function_with_several_returns_is_trampolined_on_its_marked_copy(fake_module):
    module = fake_module("tracerfake.marked", SOURCE)
    recorder = Recorder(include=("tracerfake",), detail="call")
    session = recorder.start({}, module.branches)
    try:
        assert [module.branches(n) for n in (0, -1, 1)] == ["zero", "negative", "positive"]
        original = trampolines.TRAMPOLINES.entries[id(module.branches)][1]
        hop = trampolines.TRAMPOLINES.hop_of_code[id(original)]
        assert id(trampolines.TRAMPOLINES.hops[hop].__code__) in returns.marked_codes
        elsewhere: list[str] = []  # a thread with no session runs the trampoline's untraced path
        worker = threading.Thread(target=lambda: elsewhere.append(module.branches(-2)))
        worker.start()
        worker.join()
        assert elsewhere == ["negative"]
    finally:
        recorder.stop(session)
    trace = Trace.from_dict(session.finish({}, b"", "200 OK", [], b""))
    first = module.branches.__code__.co_firstlineno
    calls = trace.find_calls("branches")
    assert [trace.lines[trace.outcome(c).event] for c in calls] == [first + 2, first + 4, first + 5]
    assert [trace.outcome(c).value.to_python() for c in calls] == ["'zero'", "'negative'", "'positive'"]


@only_311
def test_a_line_level_session_beside_a_call_level_one_sees_plain_return_values(fake_module):
    module = fake_module("tracerfake.beside", SOURCE)
    call_level = Recorder(include=("tracerfake",), detail="call")
    outer = call_level.start({}, module.branches)  # the trampolines (and their marked copies) are in place
    traces: list[Trace] = []

    def line_level() -> None:
        recorder = Recorder(include=("tracerfake",), detail="line")
        session = recorder.start({}, module.branches)
        try:
            module.branches(0)
        finally:
            recorder.stop(session)
        traces.append(Trace.from_dict(session.finish({}, b"", "200 OK", [], b"")))

    try:
        worker = threading.Thread(target=line_level)
        worker.start()
        worker.join()
    finally:
        call_level.stop(outer)
    (trace,) = traces
    returned = [trace.outcome(c).value.to_python() for c in trace.find_calls("branches")]
    assert returned == ["'zero'"]  # the string's repr, not a (value, line) pair


@only_311
def test_a_copy_of_code_with_hundreds_of_constants_reaches_its_lines_past_one_byte_of_index():
    body = "".join(f"    x = {i}.5\n" for i in range(300))
    many = copies(f"def many(n):\n{body}    if n:\n        return x\n    return -x\n")["many"]
    assert len(many.__code__.co_consts) > 256
    assert (many(1), many(0)) == ((299.5, many.first + 302), (-299.5, many.first + 303))


@only_311
def test_a_return_too_far_from_the_end_for_a_one_byte_jump_is_left_to_the_frame():
    body = "".join(f"    n = n + {i}\n" for i in range(200))
    namespace: dict = {}
    exec(f"def far(n):\n    if n < 0:\n        return n\n{body}    return n\n", namespace)
    assert returns.marking_returns(namespace["far"].__code__) is None


def test_the_returns_found_from_raw_bytecode_are_the_ones_dis_finds():
    """Every return instruction of thousands of real functions, with its line, as ``dis`` reads them."""
    import dis
    import email.message
    import json.decoder
    import logging
    import unittest.case

    def by_dis(code: types.CodeType) -> list:
        return [(inst.offset, inst.positions.lineno if inst.positions else None)
                for inst in dis.get_instructions(code) if inst.opname in ("RETURN_VALUE", "RETURN_CONST")]

    codes = []
    for module in (logging, unittest.case, email.message, json.decoder, traceback, threading):
        for value in vars(module).values():
            for item in [value, *vars(value).values()] if isinstance(value, type) else [value]:
                if type(item) is types.FunctionType:
                    codes.append(item.__code__)
                    codes.extend(c for c in item.__code__.co_consts if type(c) is types.CodeType)
    assert len(codes) > 500
    several = [code for code in codes if len(by_dis(code)) > 1]
    assert several, "some of them return from more than one place"
    for code in codes:
        assert returns._returns(code) == by_dis(code), code.co_qualname
