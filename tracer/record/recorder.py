"""The recorder: turns the interpreter's trace events of one request into a trace document.

It works like ``bdb``: Python calls our trace function on every ``call``; for a function
in scope (by default every module of ``sample_api``) we keep a local trace function on
that frame, which then sees its ``line``, ``exception`` and ``return`` events. Everything
outside the scope costs one dictionary look-up per call and records nothing.

Each request gets its own :class:`Session`, bound to the thread (or green thread) that
runs it, so concurrent requests never mix their events.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable, Collection, Iterable, Sequence
from types import CodeType, FrameType
from typing import NamedTuple

from tracer.model.labels import Labels, load_labels
from tracer.model.values import Limits
from tracer.record import trampolines
from tracer.record.exchange import MAX_BODY_CHARS, buffer_body, describe_response
from tracer.record.session import Session, hold_gc, module_path, release_gc

__all__ = ["DEFAULT_INCLUDE", "DETAILS", "MAX_BODY_CHARS", "RecordedRun", "Recorder", "Session", "describe_response",
           "module_path"]

DEFAULT_INCLUDE = ("sample_api", "sample_api_extensions")
DETAILS = ("line", "call")
#: A request body declared longer than this is left unread for the app (whose size limit refuses it from the
#: header) instead of being buffered for the trace: a 300 MB upload must not be read to be refused.
MAX_REQUEST_BODY = 1024 * 1024

TraceCallback = Callable[[dict], None]


class Recorder:
    """Records requests; one recorder serves any number of concurrent requests.

    ``include`` lists module prefixes in scope; ``detail`` is ``"line"`` (every line with its
    locals, what the replay steps through) or ``"call"`` (calls, arguments and returns only).
    """

    def __init__(
        self,
        include: Sequence[str] = DEFAULT_INCLUDE,
        detail: str = "line",
        labels: Labels | None = None,
        limits: Limits | None = None,
        max_events: int = 1_000_000,
        call_hooks: bool = True,
        max_request_body: int = MAX_REQUEST_BODY,
        reached: Collection[CodeType] | None = None,
    ) -> None:
        if detail not in DETAILS:
            raise ValueError(f"detail must be one of {DETAILS}, not {detail!r}")
        self.include = tuple(dict.fromkeys(include))
        self.detail = detail
        self.labels = labels or load_labels()
        self.limits = limits or Limits()
        self.max_events = max_events
        #: bodies declared longer are not buffered (see ``MAX_REQUEST_BODY``); set it to the app's own limit
        self.max_request_body = max_request_body
        #: call-level sessions record through trampolines (see ``_Trampolines``) instead of ``sys.settrace``
        self.call_hooks = call_hooks and detail == "call"
        #: the code objects a request like the ones to record ran (``tracer.record.rerun.reached_codes``): only
        #: their functions are made ready for call-level recording; None: every function in scope
        self.reached = reached
        # Code objects are keyed by id (a code object's own hash is recomputed from its bytecode and constants
        # on every look-up); the code is held next to its id, so the id cannot be reused while it is a key.
        self._out_of_scope: dict[int, CodeType] = {}
        self._in_scope: dict[int, tuple[CodeType, tuple[str, str]]] = {}
        self._greenlet_sessions: dict[object, Session] = {}
        self._lock = threading.Lock()
        #: id(code) -> (code, its code table row): the same for every session, so described once
        self._described_codes: dict[int, tuple[CodeType, tuple]] = {}

    # -- scope -----------------------------------------------------------------------------------

    def in_scope(self, frame: FrameType) -> tuple[str, str] | None:
        """``(module, qualname)`` when the frame's function is recorded, else None (cached per code)."""
        code = frame.f_code
        found = self._in_scope.get(id(code))
        if found is not None:
            return found[1]
        if id(code) in self._out_of_scope:
            return None
        return self.scope_of(code, frame.f_globals.get("__name__") or "")

    def scope_of(self, code: CodeType, module: str) -> tuple[str, str] | None:
        """``(module, qualname)`` when ``code`` (of a function defined in ``module``) is recorded, else None."""
        found = self._in_scope.get(id(code))
        if found is not None:
            return found[1]
        if trampolines.is_trampoline(code) or not any(
            module == prefix or module.startswith(prefix + ".") for prefix in self.include
        ):
            self._out_of_scope[id(code)] = code
            return None
        where = (module, getattr(code, "co_qualname", code.co_name))
        self._in_scope[id(code)] = (code, where)
        return where

    # -- sessions --------------------------------------------------------------------------------

    def install(self, app: object = None) -> None:
        """Keep the call-level trampolines in place until :meth:`uninstall`, between sessions too.

        A server records every request: putting every function's code in and back for each one would cost
        every request that work (and the interpreter's specialised calls). Does nothing for line-level recording.
        """
        if self.call_hooks:
            trampolines.TRAMPOLINES.acquire(self.include, (app,) if app is not None else ())

    def uninstall(self) -> None:
        """Undo one :meth:`install` (the original code is back once no session and no install holds it)."""
        if self.call_hooks:
            trampolines.TRAMPOLINES.release()

    def start(self, environ: dict | None = None, app: object = None) -> Session:
        """Begin recording in the current thread (or green thread); ``app`` helps find the code to record."""
        hold_gc()
        session = Session(self, environ)
        current = trampolines.current_greenlet()
        if self.call_hooks:
            try:
                trampolines.TRAMPOLINES.acquire(self.include, (app,) if app is not None else (), self.reached)
            except Exception as exc:  # cannot install the trampolines: record nothing, never fail the request
                session._fail(exc)
                return session
            session.started_ns = session.ended_ns = time.perf_counter_ns()  # installing them is not the request's time
            session.hop_token = trampolines.attach(session)
            return session
        if current is not None and current.parent is not None:  # a green thread (eventlet's GreenPool)
            with self._lock:
                self._greenlet_sessions[current] = session
            session.greenlet = current
            if sys.gettrace() is not self._dispatch:
                session.previous_trace = sys.gettrace()
                sys.settrace(self._dispatch)
        else:
            session.previous_trace = sys.gettrace()
            sys.settrace(session.on_call)
        return session

    def stop(self, session: Session) -> None:
        """Stop recording the session started in this thread."""
        if session.hop_token is not None:
            trampolines.detach(session.hop_token)
            session.hop_token = None
            trampolines.TRAMPOLINES.release()
        elif session.greenlet is not None:
            with self._lock:
                self._greenlet_sessions.pop(session.greenlet, None)
                idle = not self._greenlet_sessions
            if idle:
                sys.settrace(session.previous_trace)
        else:
            sys.settrace(session.previous_trace)
        session.stopped()
        release_gc()

    def _dispatch(self, frame: FrameType, event: str, arg: object):
        """Thread-level trace function under green threads: find the running green thread's session."""
        session = self._greenlet_sessions.get(trampolines.current_greenlet())
        if session is None:
            return None
        return session.on_call(frame, event, arg)

    # -- WSGI --------------------------------------------------------------------------------------

    def wrap(self, app: Callable, on_trace: TraceCallback) -> Callable:
        """A WSGI app that records every request through ``app`` and hands each trace to ``on_trace``."""

        def traced_app(environ: dict, start_response: Callable) -> Iterable[bytes]:
            status, headers, body, doc = self.call_wsgi(app, environ)
            on_trace(doc)
            start_response(status, headers)
            return [body]

        traced_app.__wrapped__ = app  # type: ignore[attr-defined]
        return traced_app

    def call_wsgi(self, app: Callable, environ: dict) -> tuple[str, list, bytes, dict]:
        """Run one request through ``app`` while recording; returns the response and the trace."""
        run = self.run_wsgi(app, environ)
        hold_gc()  # building the document allocates a great many objects, all kept: a collection would be waste
        try:
            doc = run.session.finish(environ, run.request_body, run.status, run.headers, run.body, run.error)
        finally:
            release_gc()
        if run.error is not None:
            raise run.error
        return run.status, run.headers, run.body, doc

    def run_wsgi(self, app: Callable, environ: dict) -> RecordedRun:
        """Run one request through ``app`` while recording; the session is left for the caller to finish."""
        request_body = buffer_body(environ, self.max_request_body)
        captured: dict = {}

        def start_response(status: str, headers: list, exc_info: object = None) -> Callable:
            captured["status"] = status
            captured["headers"] = list(headers)
            return lambda data: captured.setdefault("written", []).append(data)

        session = self.start(environ, app)
        error: BaseException | None = None
        try:
            result = app(environ, start_response)
            try:
                body = b"".join(captured.get("written", [])) + b"".join(result)
            finally:
                close = getattr(result, "close", None)
                if close is not None:
                    close()
        except BaseException as exc:  # the app crashed outright: the caller still gets the session, then re-raises
            error = exc
            body = b""
        finally:
            self.stop(session)
        status = captured.get("status", "500 Internal Server Error")
        return RecordedRun(session, request_body, status, captured.get("headers", []), body, error)


class RecordedRun(NamedTuple):
    """One request as it ran under a session: what the client got, and the session that watched it."""

    session: Session
    request_body: bytes
    status: str
    headers: list
    body: bytes
    error: BaseException | None
