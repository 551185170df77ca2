"""Call-level recording without a trace function: every function in scope gets a trampoline.

A trace function set with ``sys.settrace`` makes the interpreter take its slow path for every
instruction of every frame (ours and webob's alike): a no-op one alone costs several times the request.
Call-level recording needs none of that. While a call-level session is active, every function in scope
gets a *trampoline*: its ``__code__`` is swapped for a tiny ``(*args, **kwargs)`` body that hands the call
to :func:`_hop` together with a copy of the original function. Swapping the code in place (rather than
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

import _thread
import dis
import inspect
import sys
import threading
import time
import types
import warnings
from collections.abc import Sequence
from types import CodeType

from tracer.trace import CALL, RETURN


def current_greenlet():
    """The running greenlet, when greenlet is in use at all (eventlet imports it)."""
    greenlet = sys.modules.get("greenlet")
    if greenlet is None:
        return None
    return greenlet.getcurrent()


RAISED = object()
_perf_ns = time.perf_counter_ns
_get_ident = _thread.get_ident
#: thread ident or greenlet -> the call-level Session recording there
hop_sessions: dict[object, object] = {}
#: greenlets among the keys of ``hop_sessions`` (then ``_hop`` also asks greenlet which one runs)
_green_hops = 0
_attach_lock = threading.Lock()


def attach(session: object, greenlet: object = None) -> None:
    """Send the hops of this thread (or of ``greenlet``, a green thread) to ``session`` from now on."""
    global _green_hops
    if greenlet is not None:
        with _attach_lock:
            _green_hops += 1
            hop_sessions[greenlet] = session
    else:
        hop_sessions[_get_ident()] = session


def detach(greenlet: object = None) -> None:
    """Stop sending this thread's (or ``greenlet``'s) hops anywhere."""
    global _green_hops
    if greenlet is not None:
        with _attach_lock:
            _green_hops -= 1
            hop_sessions.pop(greenlet, None)
    else:
        hop_sessions.pop(_get_ident(), None)


_NO_TRAMPOLINE_FLAGS = inspect.CO_GENERATOR | inspect.CO_COROUTINE | inspect.CO_ASYNC_GENERATOR
_TRAMPOLINE_FILE = "<tracer: recorded call>"


def _hop(target, args, kwargs):
    """What every trampoline calls: run ``target``, and record the call when this thread is being recorded."""
    if not hop_sessions:
        return target(*args, **kwargs)
    session = hop_sessions.get(_get_ident())
    if session is None and _green_hops:
        session = hop_sessions.get(current_greenlet())
    if session is None or session.truncated:
        return target(*args, **kwargs)
    code = target.__code__
    cid = session.code_ids.get(code)
    if cid is None:
        cid = session.hop_code(target)
    if cid < 0:
        return target(*args, **kwargs)
    events = session.events
    events.append((CALL, cid, target, _perf_ns(), args, kwargs))
    if len(events) >= session.max_events:
        session.truncated = True
    if code in ambiguous_returns and session.grab is not None:
        return _hop_grabbing(session, cid, code, target, args, kwargs)
    try:
        result = target(*args, **kwargs)
    except BaseException as exc:
        if not session.truncated:
            session.hop_raised(cid, code, exc)
        del session, events  # the traceback keeps this frame: it must not keep the session too
        raise
    if not session.truncated:
        events.append((RETURN, cid, code, _perf_ns(), result))
        if len(events) >= session.max_events:
            session.truncated = True
    return result


def _hop_grabbing(session, cid, code, target, args, kwargs):
    """A hop into a function with several ``return`` lines: catch its frame to read the line it returned from.

    A profile function set just for the callee's ``call`` event takes its frame and removes itself at once;
    the frame object outlives the call and tells the line it left from, read as soon as the call is over.
    """
    grabbed = session.grabbed
    sys.setprofile(session.grab)
    try:
        result = target(*args, **kwargs)
    except BaseException as exc:
        if sys.getprofile() is session.grab:
            sys.setprofile(None)
        if grabbed and grabbed[-1].f_code is code:
            grabbed.pop()
        if not session.truncated:
            session.hop_raised(cid, code, exc)
        del session, grabbed  # the traceback keeps this frame: it must not keep the session too
        raise
    # the line the frame returned from, read now: a frame kept would keep its callers' frames, and the session
    where = grabbed.pop().f_lineno if grabbed and grabbed[-1].f_code is code else code
    if not session.truncated:
        session.events.append((RETURN, cid, where, _perf_ns(), result))
        if len(session.events) >= session.max_events:
            session.truncated = True
    return result


class Trampolines:
    """Finds the functions in scope and swaps their code for trampolines while call-level sessions run."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.users = 0
        self.prefixes: tuple[str, ...] = ()
        #: id(function) -> (function, original code, trampoline code)
        self.entries: dict[int, tuple[types.FunctionType, CodeType, CodeType]] = {}
        self.codes: set[CodeType] = set()  # every trampoline code (never recorded by the settrace path)
        self._modules: dict[str, object] = {}
        self._namespaces: dict[int, dict] = {}
        self._modules_seen = -1
        self._templates: dict[tuple[str, ...], CodeType] = {}
        self._seen: dict[int, object] = {}  # id -> object (held, so an id is never reused while kept)

    def acquire(self, prefixes: Sequence[str], roots: Sequence[object] = ()) -> None:
        """Install the trampolines (first user) after finding new functions in scope.

        Functions are found from the modules in ``sys.modules`` and from the namespaces of ``roots`` (the app
        being recorded, whose module may have been imported without being registered).
        """
        with self.lock:
            wanted = tuple(p for p in prefixes if p not in self.prefixes)
            if wanted:
                self.prefixes += wanted
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
            if self.users == 0:
                for func, _original, trampoline in self.entries.values():
                    func.__code__ = trampoline
            self.users += 1

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
        if depth > 6:
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
        if code in self.codes:
            return
        # what a decorator wraps: functools.wraps' __wrapped__ and functions held in the closure
        wrapped = func.__dict__.get("__wrapped__")
        if wrapped is not None:
            self._visit(wrapped, depth + 1)
        for cell in func.__closure__ or ():
            try:
                inner = cell.cell_contents
            except ValueError:
                continue
            if type(inner) is types.FunctionType or isinstance(inner, type):
                self._visit(inner, depth + 1)
        if code.co_flags & _NO_TRAMPOLINE_FLAGS or not self._in_scope(func.__globals__.get("__name__")):
            return
        trampoline = self._trampoline(func)
        if trampoline is None:
            return
        self.entries[id(func)] = (func, code, trampoline)
        self.codes.add(trampoline)
        if self.users:
            func.__code__ = trampoline

    def _trampoline(self, func: types.FunctionType) -> CodeType | None:
        code = func.__code__
        template = self._template(code.co_freevars)
        if template is None:
            return None
        target = types.FunctionType(code, func.__globals__, func.__name__, func.__defaults__, func.__closure__)
        target.__kwdefaults__ = func.__kwdefaults__
        target.__qualname__ = func.__qualname__
        target.__module__ = func.__module__
        consts = tuple(
            _hop if c == "__tracer_hop__" else target if c == "__tracer_target__" else c for c in template.co_consts
        )
        return template.replace(co_consts=consts, co_name=code.co_name, co_qualname=code.co_qualname)

    def _template(self, freevars: tuple[str, ...]) -> CodeType | None:
        """``def f(*args, **kwargs): return _hop(<target>, args, kwargs)`` with exactly ``freevars``."""
        if freevars in self._templates:
            return self._templates[freevars]
        found = None
        if all(name.isidentifier() for name in freevars):
            cells = "".join(f"    {name} = None\n" for name in freevars)
            refs = "".join(f"        {name}\n" for name in freevars)
            source = (
                "def _outer():\n" + cells + "    def _trampoline(*args, **kwargs):\n" + refs
                + "        return '__tracer_hop__'('__tracer_target__', args, kwargs)\n    return _trampoline\n"
            )
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    space: dict = {}
                    exec(compile(source, _TRAMPOLINE_FILE, "exec"), space)
                code = space["_outer"]().__code__
                if code.co_freevars == freevars:
                    found = code
            except SyntaxError:
                found = None
        self._templates[freevars] = found
        return found


TRAMPOLINES = Trampolines()

#: code -> the line its ``return`` event is reported on (a hop does not see the frame it returns from)
_return_lines: dict[CodeType, int] = {}
#: codes that return from more than one line: their hops catch the frame to know which (``_hop_grabbing``)
ambiguous_returns: set[CodeType] = set()


def return_line(code: CodeType) -> int:
    """The line of the function's return statement, when it has one (else its last)."""
    line = _return_lines.get(code)
    if line is None:
        found = {
            inst.positions.lineno for inst in dis.get_instructions(code)
            if inst.opname in ("RETURN_VALUE", "RETURN_CONST") and inst.positions and inst.positions.lineno
        }
        if len(found) > 1:
            ambiguous_returns.add(code)
        line = max(found) if found else code.co_firstlineno
        _return_lines[code] = line
    return line


def bind_arguments(target: types.FunctionType, args: tuple, kwargs: dict) -> list[tuple[str, object]]:
    """The frame's locals at its ``call`` event: parameters in order (defaults applied), then free variables."""
    code = target.__code__
    names = code.co_varnames
    argc = code.co_argcount
    kwc = code.co_kwonlyargcount
    pairs: list[tuple[str, object]] = []
    defaults = target.__defaults__ or ()
    first_default = argc - len(defaults)
    given = len(args)
    for i in range(argc):
        name = names[i]
        if i < given:
            pairs.append((name, args[i]))
        elif name in kwargs:
            pairs.append((name, kwargs[name]))
        elif i >= first_default:
            pairs.append((name, defaults[i - first_default]))
    kwdefaults = target.__kwdefaults__ or {}
    for name in names[argc:argc + kwc]:
        if name in kwargs:
            pairs.append((name, kwargs[name]))
        elif name in kwdefaults:
            pairs.append((name, kwdefaults[name]))
    position = argc + kwc
    if code.co_flags & inspect.CO_VARARGS:
        pairs.append((names[position], args[argc:]))
        position += 1
    if code.co_flags & inspect.CO_VARKEYWORDS:
        named = set(names[:argc + kwc])
        pairs.append((names[position], {k: v for k, v in kwargs.items() if k not in named}))
    if code.co_freevars and target.__closure__:
        for name, cell in zip(code.co_freevars, target.__closure__, strict=False):
            try:
                pairs.append((name, cell.cell_contents))
            except ValueError:
                pass
    return pairs
