"""The source of a trampoline: a body with exactly a function's parameters, compiled once per shape.

:mod:`tracer.record.trampolines` swaps a recorded function's code for one of these templates, its string
placeholders (``'__tracer_target__'`` and the rest) replaced by the objects they stand for.
"""

from __future__ import annotations

import inspect
import warnings
from types import CodeType

TRAMPOLINE_FILE = "<tracer: recorded call>"

#: parameter shape -> compiled trampoline template (None: this shape cannot have one)
_templates: dict[tuple, CodeType | None] = {}


def template(code: CodeType, mode: str = "inline") -> CodeType | None:
    """A trampoline body with exactly the parameters (and free variables) of ``code``.

    Same parameters, so the function's own ``__defaults__`` and ``__kwdefaults__`` apply and the call into the
    target is a plain call (no ``*args``/``**kwargs`` packing). For ``def show(self, request, instance)`` it
    reads, with the session table, the copy of the function and its hop number held as constants::

        def show(self, request, instance):
            session = current_session.get()       # a context variable: per thread and per greenlet
            if session is None:
                return <target>(self, request, instance)
            events = session.events
            if len(events) >= session.limit:      # the event limit (or a recorder error) stops new calls
                session.truncated = True
                return <target>(self, request, instance)
            events.append((<hop>, self, request, instance))
            events.append(now())
            try:
                result = <target>(self, request, instance)
            except BaseException as exc:
                _raised(session, <hop>, exc)
                session = events = None  # the traceback keeps this frame: it must not keep the session too
                raise
            events.append(<~hop>)
            events.append(now())
            events.append(result)
            return result

    No call into Python on the way but the target's own: a recorded hop costs a few hundred nanoseconds.
    For a function with several return lines, ``mode`` ``"marked"`` calls a copy that returns ``(value, line)``
    (see :mod:`tracer.record.returns`); ``"grab"``, where no such copy could be made, goes through :func:`_enter` and
    :func:`_returned`, which catch the callee's frame to read the line it returned from.
    """
    varargs = bool(code.co_flags & inspect.CO_VARARGS)
    varkw = bool(code.co_flags & inspect.CO_VARKEYWORDS)
    argc, posonly, kwonly = code.co_argcount, code.co_posonlyargcount, code.co_kwonlyargcount
    names = code.co_varnames[: argc + kwonly + varargs + varkw]
    freevars = code.co_freevars
    shape = (names, argc, posonly, kwonly, varargs, varkw, freevars, mode)
    if shape in _templates:
        return _templates[shape]
    found = None
    if all(name.isidentifier() and not name.startswith("_tracer_") for name in names + freevars):
        positional = list(names[:argc])
        keyword_only = list(names[argc: argc + kwonly])
        star = names[argc + kwonly] if varargs else None
        starstar = names[argc + kwonly + varargs] if varkw else None
        params = positional[:posonly] + (["/"] if posonly else []) + positional[posonly:]
        params += [f"*{star}"] if star else (["*"] if keyword_only else [])
        params += keyword_only + ([f"**{starstar}"] if starstar else [])
        passed = positional + ([f"*{star}"] if star else []) + [f"{k}={k}" for k in keyword_only]
        passed += [f"**{starstar}"] if starstar else []
        values = "(" + "".join(f"{name}, " for name in names) + ")"
        arguments = "".join(f"{name}, " for name in names)
        call = f"'__tracer_target__'({', '.join(passed)})"
        head = "".join(f"    {name} = None\n" for name in freevars) + f"    def _trampoline({', '.join(params)}):\n"
        if freevars:
            head += "        if False:\n" + "".join(f"            {name}\n" for name in freevars)
        body = _BODIES[mode].format(call=call, values=values, arguments=arguments)
        source = "def _outer():\n" + head + body + "    return _trampoline\n"
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                space: dict = {}
                exec(compile(source, TRAMPOLINE_FILE, "exec"), space)
            compiled = space["_outer"]().__code__
            if compiled.co_freevars == freevars and compiled.co_varnames[: len(names)] == names:
                found = compiled
        except SyntaxError:
            found = None
    _templates[shape] = found
    return found


# Names the application's module could shadow (``len``, ``BaseException``) are constants here too.
# The event limit is checked as calls open; every call noted gets its return, so returns may pass the
# limit by as many frames as are open.
_INLINE_BODY = """\
        _tracer_session = '__tracer_session__'()
        if _tracer_session is None:
            return {call}
        _tracer_events = _tracer_session.events
        if '__tracer_len__'(_tracer_events) >= _tracer_session.limit:
            _tracer_session.truncated = True
            return {call}
        _tracer_events.append(('__tracer_hop__', {arguments}))
        _tracer_events.append('__tracer_now__'())
        try:
            _tracer_result = {call}
        except '__tracer_base_exception__' as _tracer_exc:
            '__tracer_raised__'(_tracer_session, '__tracer_hop__', _tracer_exc)
            _tracer_session = _tracer_events = None
            raise
        _tracer_events.append('__tracer_return__')
        _tracer_events.append('__tracer_now__'())
        _tracer_events.append(_tracer_result)
        return _tracer_result
"""
_MARKED_BODY = (
    _INLINE_BODY.replace("return {call}\n", "return {call}[0]\n")
    .replace("_tracer_result = {call}", "_tracer_result, _tracer_line = {call}")
    .replace("_tracer_events.append(_tracer_result)\n", "_tracer_events.append(_tracer_result)\n"
             "        _tracer_events.append(_tracer_line)\n")
)
_GRABBING_BODY = """\
        _tracer_session = '__tracer_enter__'('__tracer_hop__', {values})
        if _tracer_session is None:
            return {call}
        try:
            _tracer_result = {call}
        except '__tracer_base_exception__' as _tracer_exc:
            '__tracer_raised__'(_tracer_session, '__tracer_hop__', _tracer_exc)
            _tracer_session = None
            raise
        return '__tracer_returned__'(_tracer_session, '__tracer_hop__', _tracer_result)
"""

_BODIES = {"inline": _INLINE_BODY, "marked": _MARKED_BODY, "grab": _GRABBING_BODY}
