"""What a search match is: the function, the file or the recorded value that contains the text.

The cursor finds the events (``Cursor.matches``); this says, for the one landed on, why it matched, in
words a status line can show: ``value instance['display_name'] = 'db-01' in ViewBuilder.show``.
"""

from __future__ import annotations

from tracer.model.trace import CALL, EXCEPTION, LINE, RETURN, Trace, Value


def explain(trace: Trace, index: int, text: str) -> str:
    """Why event ``index`` matches ``text``."""
    needle = text.strip().casefold()
    code = trace.code(index)
    kind, data = trace.kinds[index], trace.data[index]
    if kind == CALL and needle in code.qualname.casefold():
        return f"function {code.qualname} ({code.filename}:{code.firstlineno})"
    if kind == CALL and needle in code.filename.casefold():
        return f"file {code.filename}: a call of {code.qualname}"
    if kind in (CALL, LINE):
        for name, value in trace.scope(data):
            found = _path(value, needle, name)
            if found:
                return f"value {found} in {code.qualname}"
    if kind in (RETURN, EXCEPTION) and data >= 0:
        value = trace.value(data)
        found = _path(value, needle, "return value" if kind == RETURN else "exception") if value else None
        if found:
            return f"{found} of {code.qualname}"
    return f"{code.qualname}"


def _path(value: Value, needle: str, path: str, depth: int = 8) -> str | None:
    if needle in value.summary.casefold() and not value.has_children:
        return f"{path} = {value.summary}"
    if depth and value.has_children:
        for key, child in value.children:
            found = _path(child, needle, f"{path}[{key!r}]" if value.type_name in ("dict", "list", "tuple")
                          else f"{path}.{key}", depth - 1)
            if found:
                return found
    if needle in value.summary.casefold():
        return f"{path} = {value.summary}"
    return None
