"""The text of pdb's ``where``, ``list``, ``longlist`` and ``p`` at a replay position, as pdb prints it.

Faces (the replay's command line, ``tracer show --locals``) print these lines; they are built here, from the
trace alone, so that every face says the same thing.
"""

from __future__ import annotations

import inspect

from tracer.replay.cursor import Cursor
from tracer.replay.evaluate import EvaluationError, describe, evaluate

#: pdb's ``list`` shows 11 lines around the current one
LIST_LINES = 11


def where(cursor: Cursor) -> list[str]:
    """pdb's ``w``: each frame, outermost first, ``>`` at the one in view, with its current source line."""
    trace = cursor.trace
    lines = []
    for entry in cursor.where():
        viewed = entry.frame == cursor.frame
        lines.append(f"{'>' if viewed else ' '} {entry.filename}({entry.line}){entry.function}()")
        source = trace.source_lines(entry.filename)
        if 0 < entry.line <= len(source):
            lines.append(f"-> {source[entry.line - 1].strip()}")
    return lines


def _numbered(cursor: Cursor, first: int, last: int) -> list[str]:
    trace = cursor.trace
    code = trace.code(cursor.frame)
    source = trace.source_lines(code.filename)
    current = cursor.viewed_line()
    marks = {line for file, line in cursor.breakpoints.lines if file == code.filename}
    out = []
    for lineno in range(max(first, 1), min(last, len(source)) + 1):
        mark = ("B" if lineno in marks else " ") + ("->" if lineno == current else "  ")
        out.append(f"{lineno:4d} {mark} {source[lineno - 1].rstrip()}")
    return out


def list_lines(cursor: Cursor) -> list[str]:
    """pdb's ``l``: eleven lines of the viewed frame's file around its current line."""
    current = cursor.viewed_line()
    half = LIST_LINES // 2
    return _numbered(cursor, current - half, current + half)


def longlist(cursor: Cursor) -> list[str]:
    """pdb's ``ll``: the whole source of the viewed frame's function."""
    trace = cursor.trace
    code = trace.code(cursor.frame)
    source = trace.source_lines(code.filename)
    first = code.firstlineno
    try:
        block = inspect.getblock([line + "\n" for line in source[first - 1:]])
    except (IndexError, SyntaxError, inspect.EndOfBlock):
        block = source[first - 1:first]
    return _numbered(cursor, first, first + len(block) - 1)


def print_expression(cursor: Cursor, expression: str) -> list[str]:
    """pdb's ``p EXPR`` over the viewed frame's recorded locals; an error is one ``***`` line, as in pdb."""
    trace = cursor.trace
    names = dict(trace.locals_at(cursor.index, cursor.frame))
    try:
        return describe(evaluate(expression, names))
    except EvaluationError as exc:
        return [str(exc)]
