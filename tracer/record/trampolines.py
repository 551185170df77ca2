"""Call-level recording without a trace function: every function in scope gets a trampoline.

A trace function set with ``sys.settrace`` makes the interpreter take its slow path for every
instruction of every frame (ours and webob's alike): a no-op one alone costs several times the request.
Call-level recording needs none of that. While a call-level session is active, every function in scope
gets a *trampoline*: its ``__code__`` is swapped for a short body with the very same parameters, which
notes the call, calls a copy of the original function and notes how it ended, appending to the session's
events itself (see :mod:`tracer.record.templates`). For a function with several ``return`` statements
the copy's code says which one it left by (see :mod:`tracer.record.returns`). Swapping the code in place (rather than
rebinding names to wrappers) keeps every reference the application already holds working (bound methods
stored at start-up, ``webob.dec.wsgify`` objects, closures, ``functools.wraps`` chains), keeps the
function's attributes (``wsgi_action``, ``wsgi_extends``, ``__wrapped__``) and its ``__class__`` cell (the
copy shares the closure, so zero-argument ``super()`` works). When the last call-level session ends the
original code is put back, so an unrecorded process runs exactly the code it imported.

Not trampolined (so not recorded at call level): generator and coroutine functions (their frames resume
many times and ``inspect.isgeneratorfunction`` must stay true), comprehensions, lambdas and nested
functions that are not reachable from a module, a class or a closure at the time recording starts.
"""

from __future__ import annotations

import contextvars
import inspect
import sys
import threading
import time
import types
from collections.abc import Collection, Iterator, Sequence
from types import CodeType

from tracer.record import templates
from tracer.record.returns import ambiguous_returns, marking_returns, return_line


def current_greenlet():
    """The running greenlet, when greenlet is in use at all (eventlet imports it)."""
    greenlet = sys.modules.get("greenlet")
    if greenlet is None:
        return None
    return greenlet.getcurrent()


RAISED = object()
_perf_ns = time.perf_counter_ns
#: the call-level session recording in this context. Each thread, and each greenlet (eventlet's green
#: threads), runs in a context of its own, so one lookup finds the request's session under either server.
_session: contextvars.ContextVar = contextvars.ContextVar("tracer_call_session", default=None)

# What a session's ``events`` hold while trampolines note them: a flat list of entries, read back by
# :func:`read_events`. A tuple made per event costs more than the appends, so only the call makes one:
#   (hop, *arguments), t           a call: its parameters in the order of co_varnames; t from perf_counter_ns
#   ~hop, t, value[, line]         a return; the line only for hops whose return line the call tells
#                                  (``TRAMPOLINES.return_lines[hop]``), else the function's one return line
#   RAISED, (hop, line, t)         the hop's frame was left by an exception raised or passing at ``line``
#   None, (hop, line, t, exc)      an exception arriving in the hop's frame at ``line``


def attach(session: object) -> contextvars.Token:
    """Send the hops of this thread or green thread to ``session`` until :func:`detach`."""
    return _session.set(session)


def detach(token: contextvars.Token) -> None:
    """Stop sending this context's hops to the session :func:`attach` gave ``token`` for."""
    _session.reset(token)


_NO_TRAMPOLINE_FLAGS = inspect.CO_GENERATOR | inspect.CO_COROUTINE | inspect.CO_ASYNC_GENERATOR


def _enter(hop: int, values: tuple):
    """The slow path, for functions whose return line only their frame can tell: note the call.

    Returns the session, or None when nothing records here. ``values`` are the frame's parameters as they
    arrived, in the order of ``co_varnames``. The common case does the same inline
    (see :mod:`tracer.record.templates`).
    """
    session = _session.get()
    if session is None:
        return None
    events = session.events
    if len(events) >= session.limit:
        session.truncated = True
        return None
    events.append((hop, *values))
    events.append(_perf_ns())
    if session.grab is not None:
        # a profile function set just for the callee's ``call`` event takes its frame and removes itself
        # at once; the frame tells the line it left from when the call is over
        sys.setprofile(session.grab)
    return session


def _returned(session, hop: int, result: object) -> object:
    """The call noted by ``_enter`` returned ``result``."""
    code = TRAMPOLINES.hops[hop].__code__
    grabbed = session.grabbed
    # the line the frame returned from, read now: a frame kept would keep its callers' frames, and the session
    where = grabbed.pop().f_lineno if grabbed and grabbed[-1].f_code is code else None
    events = session.events
    events.append(~hop)
    events.append(_perf_ns())
    events.append(result)
    events.append(where)
    return result


def _raised(session, hop: int, exc: BaseException) -> None:
    """A recorded call raised ``exc`` (the trampoline re-raises it)."""
    code = TRAMPOLINES.hops[hop].__code__
    if session.grab is not None and sys.getprofile() is session.grab:
        sys.setprofile(None)
    grabbed = session.grabbed
    if grabbed and grabbed[-1].f_code is code:
        grabbed.pop()
    session.hop_raised(hop, code, exc)


#: how many levels of holders (class, method, decorator closure) are looked through to find a function: Nova 34
#: stacks about twenty validation decorators on one controller method
MAX_WRAPPING_DEPTH = 48

class Trampolines:
    """Finds the functions in scope and swaps their code for trampolines while call-level sessions run."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.users = 0
        self.prefixes: tuple[str, ...] = ()
        #: id(function) -> (function, original code, trampoline code)
        self.entries: dict[int, tuple[types.FunctionType, CodeType, CodeType]] = {}
        #: ids of every trampoline code (never recorded by the settrace path); ``entries`` holds the codes
        self.codes: set[int] = set()
        self._modules: dict[str, object] = {}
        self._namespaces: dict[int, dict] = {}
        self._modules_seen = -1
        self._seen: dict[int, object] = {}  # id -> object (held, so an id is never reused while kept)
        #: hop number (a constant inside its trampoline) -> the copy of the function it calls
        self.hops: list[types.FunctionType] = []
        #: hop number -> whether its return entries carry the line returned from (see ``read_events``)
        self.return_lines: list[bool] = []
        #: id(original code) -> its hop number, to tell a caller's hop from its frame
        self.hop_of_code: dict[int, int] = {}
        #: id(function) -> function in scope, found but not given a trampoline yet: no session asked for all of
        #: them, and the ones asked for (``reached``) did not include its code
        self.deferred: dict[int, types.FunctionType] = {}
        #: while finding functions: ids of the code objects to prepare now (None: every one)
        self._wanted: set[int] | None = None

    def acquire(self, prefixes: Sequence[str], roots: Sequence[object] = (),
                reached: Collection[CodeType] | None = None) -> None:
        """Install the trampolines (first user) after finding new functions in scope.

        Functions are found from the modules in ``sys.modules`` and from the namespaces of ``roots`` (the app
        being recorded, whose module may have been imported without being registered). With ``reached`` (the
        code objects a request like the one to record ran, see ``tracer.record.rerun.reached_codes``) only
        those functions are given a trampoline now: preparing one costs reading and copying its bytecode, and
        Nova has thousands in scope of which a request runs a few hundred. The others wait for a session
        that asks for them.
        """
        with self.lock:
            self._wanted = None if reached is None else {id(code) for code in reached}
            try:
                self._find(prefixes, roots)
            finally:
                self._wanted = None
            if self.users == 0:
                for func, _original, trampoline in self.entries.values():
                    func.__code__ = trampoline
            self.users += 1

    def _find(self, prefixes: Sequence[str], roots: Sequence[object]) -> None:
        """Prepare the deferred functions now wanted, then find (and prepare, or defer) the new ones."""
        if self.deferred:
            wanted = self._wanted
            for key, func in list(self.deferred.items()):
                if wanted is None or id(func.__code__) in wanted:
                    del self.deferred[key]
                    self._prepare(func)
        new_prefixes = tuple(p for p in prefixes if p not in self.prefixes)
        if new_prefixes:
            self.prefixes += new_prefixes
            self._modules_seen = -1
        if self._modules_seen != len(sys.modules) or any(
            sys.modules.get(name) is not module for name, module in self._modules.items()
        ):
            self._scan()
        for root in roots:
            func = getattr(root, "__func__", root)
            namespace = getattr(func, "__globals__", None)
            if type(namespace) is dict and self._namespaces.get(id(namespace)) is not namespace:
                if self._in_scope(namespace.get("__name__")):
                    self._namespaces[id(namespace)] = namespace
                    for value in list(namespace.values()):
                        self._visit(value, 0)

    def release(self) -> None:
        with self.lock:
            self.users -= 1
            if self.users == 0:
                for func, original, _trampoline in self.entries.values():
                    func.__code__ = original

    # -- finding the functions ---------------------------------------------------------------------

    def _in_scope(self, module: object) -> bool:
        return isinstance(module, str) and any(
            module == prefix or module.startswith(prefix + ".") for prefix in self.prefixes
        )

    def _scan(self) -> None:
        # a module seen before may have been dropped and imported again: forget what it held
        live = {name: module for name, module in list(sys.modules.items()) if self._in_scope(name)}
        self._modules_seen = len(sys.modules)
        for name, module in live.items():
            if self._modules.get(name) is module:
                continue
            self._modules[name] = module
            for value in list(getattr(module, "__dict__", {}).values()):
                self._visit(value, 0)
        for name in [n for n in self._modules if n not in live]:
            del self._modules[name]

    def _visit(self, value: object, depth: int) -> None:
        if depth > MAX_WRAPPING_DEPTH:
            return
        kind = type(value)
        if kind is types.FunctionType:
            self._function(value, depth)  # type: ignore[arg-type]
        elif kind is staticmethod or kind is classmethod:
            self._visit(value.__func__, depth + 1)  # type: ignore[union-attr]
        elif kind is property:
            for accessor in (value.fget, value.fset, value.fdel):  # type: ignore[union-attr]
                if accessor is not None:
                    self._visit(accessor, depth + 1)
        elif isinstance(value, type):
            if self._seen.get(id(value)) is value or not self._in_scope(getattr(value, "__module__", None)):
                return
            self._seen[id(value)] = value
            for item in list(vars(value).values()):
                self._visit(item, depth + 1)
        elif kind.__module__ == "webob.dec":  # @webob.dec.wsgify: the decorated function is its .func
            func = getattr(value, "func", None)
            if func is not None:
                self._visit(func, depth + 1)

    def _function(self, func: types.FunctionType, depth: int) -> None:
        if self._seen.get(id(func)) is func:
            return
        self._seen[id(func)] = func
        code = func.__code__
        if id(code) in self.codes:
            return
        # what a decorator wraps: functools.wraps' __wrapped__ and functions held in the closure, through any
        # number of decorators (the depth is that of the definition, not of the wrapping; ``_seen`` ends cycles)
        wrapped = func.__dict__.get("__wrapped__")
        if wrapped is not None:
            self._visit(wrapped, depth)
        for cell in func.__closure__ or ():
            try:
                inner = cell.cell_contents
            except ValueError:
                continue
            if type(inner) is types.FunctionType:
                self._visit(inner, depth)
            elif isinstance(inner, type):
                self._visit(inner, depth + 1)
        if code.co_flags & _NO_TRAMPOLINE_FLAGS or not self._in_scope(func.__globals__.get("__name__")):
            return
        if self._wanted is not None and id(code) not in self._wanted:
            self.deferred[id(func)] = func
            return
        self._prepare(func)

    def _prepare(self, func: types.FunctionType) -> None:
        """Make the function's trampoline (put in place at once while sessions run)."""
        code = func.__code__
        if id(code) in self.codes:  # given a trampoline meanwhile
            return
        trampoline = self._trampoline(func)
        if trampoline is None:
            return
        self.entries[id(func)] = (func, code, trampoline)
        self.codes.add(id(trampoline))
        if self.users:
            func.__code__ = trampoline

    def _trampoline(self, func: types.FunctionType) -> CodeType | None:
        code = func.__code__
        return_line(code)  # tells whether the return line is known before the call (the inline fast path)
        runs = code
        mode = "inline"
        if id(code) in ambiguous_returns:
            marked = marking_returns(code)
            runs, mode = (code, "grab") if marked is None else (marked, "marked")
        template = templates.template(code, mode)
        if template is None:
            return None
        target = types.FunctionType(runs, func.__globals__, func.__name__, func.__defaults__, func.__closure__)
        target.__kwdefaults__ = func.__kwdefaults__
        target.__qualname__ = func.__qualname__
        target.__module__ = func.__module__
        hop = len(self.hops)
        self.hops.append(target)
        self.return_lines.append(mode != "inline")
        self.hop_of_code[id(code)] = hop
        self.hop_of_code[id(runs)] = hop  # a caller's frame runs the marked copy, when there is one
        meaning = {**_PLACEHOLDERS, "__tracer_target__": target, "__tracer_hop__": hop, "__tracer_return__": ~hop}
        consts = tuple(_meant(c, meaning) for c in template.co_consts)
        return template.replace(co_consts=consts, co_name=code.co_name, co_qualname=code.co_qualname)


#: what the template's string placeholders stand for, once compiled (and, per function, ``__tracer_target__``:
#: the copy, ``__tracer_hop__``: its hop number, ``__tracer_return__``: the number its returns are noted by)
_PLACEHOLDERS: dict[str, object] = {
    "__tracer_enter__": _enter, "__tracer_returned__": _returned, "__tracer_raised__": _raised,
    "__tracer_session__": _session.get, "__tracer_now__": _perf_ns, "__tracer_len__": len,
    "__tracer_base_exception__": BaseException,
}
def _meant(constant: object, meaning: dict[str, object]) -> object:
    """A template's constant with its placeholders replaced (a function without parameters notes a folded tuple)."""
    if type(constant) is str:
        return meaning.get(constant, constant)
    if type(constant) is tuple:
        return tuple(_meant(item, meaning) for item in constant)
    return constant


TRAMPOLINES = Trampolines()

def is_trampoline(code: CodeType) -> bool:
    """Whether ``code`` is one of the trampolines (whose frames the recorder never records)."""
    return id(code) in TRAMPOLINES.codes


def read_events(events: list) -> Iterator[tuple]:
    """The entries trampolines noted, as ``(kind, hop, t, line, value)`` events (kind: CALL, RETURN, EXCEPTION).

    A call's ``value`` is its parameters (see :func:`frame_arguments`) and its line None; a return's line is
    None when it is the function's one return line, and its value RAISED when an exception left the frame.
    Reading stops at an event noted only in part.
    """
    from tracer.model.trace import CALL, EXCEPTION, RETURN

    return_lines = TRAMPOLINES.return_lines
    entries = iter(events)
    try:
        for entry in entries:
            if type(entry) is tuple:
                event = CALL, entry[0], next(entries), None, entry[1:]
            elif entry is None:
                hop, line, t, exc = next(entries)
                event = EXCEPTION, hop, t, line, exc
            elif entry is RAISED:
                hop, line, t = next(entries)
                event = RETURN, hop, t, line, RAISED
            else:
                hop = ~entry
                t = next(entries)
                value = next(entries)
                event = RETURN, hop, t, next(entries) if return_lines[hop] else None, value
            if type(event[2]) is not int:
                return
            yield event
    except (StopIteration, TypeError, ValueError, IndexError):
        # an exception raised asynchronously (a signal handler's) between two appends of one event leaves
        # it half noted: what follows cannot be read, and the request it belongs to is failing anyway
        return


def frame_arguments(target: types.FunctionType, values: tuple) -> list[tuple[str, object]]:
    """The frame's locals at its ``call`` event: its parameters (as ``_enter`` got them), then free variables."""
    code = target.__code__
    pairs = list(zip(code.co_varnames, values, strict=False))
    if code.co_freevars and target.__closure__:
        for name, cell in zip(code.co_freevars, target.__closure__, strict=False):
            try:
                pairs.append((name, cell.cell_contents))
            except ValueError:
                pass
    return pairs
