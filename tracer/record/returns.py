"""The line a recorded call returned from, known without looking at the callee's frame.

A trampoline (see :mod:`tracer.record.trampolines`) only sees its callee's return value, not the frame it came
from. For a function with one ``return`` the line is known before the call. For one with several,
the trampoline calls a copy whose every ``return`` hands back ``(value, line)``: each ``RETURN_VALUE``
becomes a jump to a three-instruction tail that pairs the value with its line. The alternative, a
one-shot profile function that catches the callee's frame, costs the request noticeably more
(benchmarks/overhead.py measures recording).

The copy is made from CPython 3.11's bytecode; elsewhere, or when a ``return`` is too far from the end
of the code for a one-byte jump, :func:`marking_returns` gives None and the frame is caught instead.
"""

from __future__ import annotations

import dis
import sys
from types import CodeType

#: id(code) -> (code, the line its ``return`` event is reported on). Keyed by id, because a code object's
#: hash is recomputed from its bytecode and constants on every look-up.
_return_lines: dict[int, tuple[CodeType, int]] = {}
#: ids of the codes that return from more than one line
ambiguous_returns: set[int] = set()
#: id(copy made by ``marking_returns``) -> the copy (held, so the id stays its own)
marked_codes: dict[int, CodeType] = {}

_RETURN_VALUE = dis.opmap["RETURN_VALUE"]
_JUMP_FORWARD = dis.opmap["JUMP_FORWARD"]
_LOAD_CONST = dis.opmap["LOAD_CONST"]
_BUILD_TUPLE = dis.opmap["BUILD_TUPLE"]
_EXTENDED_ARG = dis.opmap["EXTENDED_ARG"]
_RETURN_OPCODES = frozenset(dis.opmap[name] for name in ("RETURN_VALUE", "RETURN_CONST") if name in dis.opmap)
#: a line-table entry with a line and no columns (PEP 626's format as 3.11 writes it): 0x80 | code << 3 | units - 1
_LINE_ONLY = 0x80 | 13 << 3


def return_line(code: CodeType) -> int:
    """The line of the function's return statement, when it has one (else its last)."""
    known = _return_lines.get(id(code))
    if known is not None:
        return known[1]
    found = {line for _offset, line in _returns(code) if line}
    line = max(found) if found else code.co_firstlineno
    _return_lines[id(code)] = (code, line)
    if len(found) > 1:
        ambiguous_returns.add(id(code))
    return line


def _returns(code: CodeType) -> list[tuple[int, int | None]]:
    """``(offset, line)`` of each return instruction, read from the raw bytecode.

    Every instruction (and every inline cache entry, whose opcode byte is 0) is one two-byte code unit with its
    opcode at the even offset, and ``co_lines`` gives the line of each range of them: reading both directly finds
    the same returns ``dis.get_instructions`` would, without building an ``Instruction`` for every instruction
    of every function in scope.
    """
    raw = code.co_code
    found = [offset for offset in range(0, len(raw), 2) if raw[offset] in _RETURN_OPCODES]
    if not found:
        return []
    lines: list[tuple[int, int | None]] = []
    ranges = code.co_lines()
    start, end, line = next(ranges, (0, 0, None))
    for offset in found:
        while offset >= end:
            start, end, line = next(ranges, (end, len(raw), None))
        lines.append((offset, line if offset >= start else None))
    return lines


def marking_returns(code: CodeType) -> CodeType | None:
    """A copy of ``code`` that returns ``(value, line of the return)`` instead of ``value``; None if it can't."""
    if sys.version_info[:2] != (3, 11):
        return None
    raw = bytearray(code.co_code)
    consts = list(code.co_consts)
    table = bytearray(code.co_linetable)
    line_now = _last_line(code)
    for offset, line in _returns(code):
        if raw[offset] != _RETURN_VALUE:
            return None
        tail_at = len(raw)
        jump = (tail_at - offset - 2) // 2
        if jump > 255:
            return None
        raw[offset : offset + 2] = bytes((_JUMP_FORWARD, jump))
        index = len(consts)
        consts.append(line)
        tail = bytearray()
        for shift in (24, 16, 8):
            if index >> shift:
                tail += bytes((_EXTENDED_ARG, (index >> shift) & 0xFF))
        tail += bytes((_LOAD_CONST, index & 0xFF, _BUILD_TUPLE, 2, _RETURN_VALUE, 0))
        raw += tail
        # the tail reports the return's own line (a traceback or a line tracer looking at it sees that)
        delta = (line or line_now) - line_now
        line_now += delta
        table.append(_LINE_ONLY | (len(tail) // 2 - 1))
        table += _signed_varint(delta)
    copy = code.replace(co_code=bytes(raw), co_consts=tuple(consts), co_linetable=bytes(table),
                        co_stacksize=code.co_stacksize + 1)
    marked_codes[id(copy)] = copy
    return copy


def _last_line(code: CodeType) -> int:
    """The line the line table ends on: where the next entry's line delta starts from."""
    line = code.co_firstlineno
    for _start, _end, found in code.co_lines():
        if found is not None:
            line = found
    return line


def _signed_varint(value: int) -> bytes:
    number = (-value << 1) | 1 if value < 0 else value << 1
    out = bytearray()
    while number >= 64:
        out.append(0x40 | (number & 0x3F))
        number >>= 6
    out.append(number)
    return bytes(out)
