"""The recorder: turns the interpreter's trace events of one request into a trace document.

It works like ``bdb``: Python calls our trace function on every ``call``; for a function
in scope (by default every module of ``sample_api``) we keep a local trace function on
that frame, which then sees its ``line``, ``exception`` and ``return`` events. Everything
outside the scope costs one dictionary look-up per call and records nothing.

Each request gets its own :class:`Session`, bound to the thread (or green thread) that
runs it, so concurrent requests never mix their events.
"""

from __future__ import annotations

import contextvars
import dis
import gc
import inspect
import io
import linecache
import sys
import threading
import time
import types
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from types import CodeType, FrameType
from typing import NamedTuple

from tracer.model import trace as trace_model
from tracer.model.labels import Labels, load_labels
from tracer.model.values import (
    IMMUTABLE_TYPES,
    Limits,
    ValueTable,
    deep_signature,
    redact_headers,
    redact_json_text,
    redact_query,
    same_children,
)
from tracer.record import trampolines
from tracer.record.returns import marked_codes

CALL, LINE, RETURN, EXCEPTION = trace_model.CALL, trace_model.LINE, trace_model.RETURN, trace_model.EXCEPTION

DEFAULT_INCLUDE = ("sample_api", "sample_api_extensions")
DETAILS = ("line", "call")
#: Bodies longer than this are cut in the trace (the response itself is never changed).
MAX_BODY_CHARS = 64 * 1024

TraceCallback = Callable[[dict], None]


def module_path(module: str, filename: str) -> str:
    """The file's path as a learner reads it (``sample_api/api/openstack/wsgi.py``), same on every machine."""
    path = module.replace(".", "/")
    if filename.endswith("__init__.py"):
        return path + "/__init__.py"
    return path + ".py"


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
    ) -> None:
        if detail not in DETAILS:
            raise ValueError(f"detail must be one of {DETAILS}, not {detail!r}")
        self.include = tuple(dict.fromkeys(include))
        self.detail = detail
        self.labels = labels or load_labels()
        self.limits = limits or Limits()
        self.max_events = max_events
        #: call-level sessions record through trampolines (see ``_Trampolines``) instead of ``sys.settrace``
        self.call_hooks = call_hooks and detail == "call"
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
        _hold_gc()
        session = Session(self, environ)
        current = trampolines.current_greenlet()
        if self.call_hooks:
            try:
                trampolines.TRAMPOLINES.acquire(self.include, (app,) if app is not None else ())
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
        _release_gc()

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
        _hold_gc()  # building the document allocates a great many objects, all kept: a collection would be waste
        try:
            doc = run.session.finish(environ, run.request_body, run.status, run.headers, run.body, run.error)
        finally:
            _release_gc()
        if run.error is not None:
            raise run.error
        return run.status, run.headers, run.body, doc

    def run_wsgi(self, app: Callable, environ: dict) -> RecordedRun:
        """Run one request through ``app`` while recording; the session is left for the caller to finish."""
        request_body = _buffer_body(environ)
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


class Session:
    """The events of one request as they happen; ``finish`` turns them into a trace document."""

    def __init__(self, recorder: Recorder, environ: dict | None) -> None:
        self.recorder = recorder
        self.table = ValueTable(recorder.limits)
        self.events: list[list] = []
        self.codes: list[list] = []
        #: id(code) -> code id in the trace (-1: out of scope); the recorder's scope caches hold the codes
        self.code_ids: dict[int, int] = {}
        self.real_files: dict[str, str] = {}
        self.scopes: list[list] = []
        self._scope_index: dict[tuple, int] = {}
        self.greenlet: object = None
        self.previous_trace = None
        #: while trampolines send this session the hops of its context (see ``Recorder.start``)
        self.hop_token: contextvars.Token | None = None
        #: recorded frames that already have the exception event of the exception now passing through them
        self._arrived: dict[FrameType, BaseException] = {}
        #: frames taken by ``grab`` (a one-shot profile function) in ``trampolines._enter``
        self.grabbed: list[FrameType] = []
        self.grab: Callable | None = None
        if sys.getprofile() is None:
            grabbed = self.grabbed

            def grab(frame: FrameType, event: str, arg: object) -> None:
                if event == "call":
                    grabbed.append(frame)
                    sys.setprofile(None)

            self.grab = grab
        #: trampolines note calls while they hold fewer entries than this (0 once the recorder failed): an
        #: event takes 2 to 4 entries (see ``trampolines.read_events``), so calls stop before max_events
        #: events, after at least half as many
        self.limit = 2 * recorder.max_events
        self.truncated = False
        self.started_ns = time.perf_counter_ns()
        self.started_at = datetime.now(UTC)
        self.ended_ns = self.started_ns
        self._last_us = 0
        self._line_level = recorder.detail == "line"
        self.internal_errors: list[str] = []
        self._thrown: dict[FrameType, int] = {}
        #: open frame -> {local name: (value, shallow signature, row)} as of its last event (see ``_scope``)
        self._frame_locals: dict[FrameType, dict[str, tuple[object, object, int]]] = {}
        #: the recorded frames open now, outermost first: [frame, its call event, its scope as last written,
        #: {local: (value, deep signature)} as then, or None]
        self._open: list[list] = []

    # -- trace functions (hot path) --------------------------------------------------------------

    def on_call(self, frame: FrameType, event: str, arg: object):
        if event != "call" or self.truncated:
            return None
        try:
            cid = self.code_ids.get(id(frame.f_code))
            if cid is None:
                where = self.recorder.in_scope(frame)
                if where is None:
                    return None
                cid = self._add_code(frame, where)
            self.table.next_moment()
            scope = self._scope(frame)
            if self._line_level:
                changed = self._changed_frames(len(self._open))
                self._open.append([frame, len(self.events), scope, None])
                self._emit(CALL, cid, frame.f_lineno, scope, changed)
            else:
                self._emit(CALL, cid, frame.f_lineno, scope)
                frame.f_trace_lines = False
            return self.on_event
        except Exception as exc:  # never let a recorder bug change what the app does
            self._fail(exc)
            return None

    def on_event(self, frame: FrameType, event: str, arg: object):
        if self.truncated:
            return None
        try:
            self.table.next_moment()
            cid = self.code_ids[id(frame.f_code)]
            if event == "line":
                scope = self._scope(frame)
                depth = self._depth_of(frame)
                if depth >= 0:
                    self._open[depth][2] = scope
                    self._open[depth][3] = None  # its line may change its locals: compared afresh when waiting
                waiting = depth if depth >= 0 else len(self._open)
                self._emit(LINE, cid, frame.f_lineno, scope, self._changed_frames(waiting))
            elif event == "return":
                changed = self._changed_frames(len(self._open)) if self._line_level else None
                self._close(frame)
                self._frame_locals.pop(frame, None)
                thrown_at = self._thrown.pop(frame, None) if self._thrown else None
                if arg is None and _unwinding(frame, thrown_at):
                    self._emit(RETURN, cid, frame.f_lineno, -1, changed)  # the exception escaped this frame
                else:
                    if id(frame.f_code) in marked_codes:  # a trampoline's copy, run beside a call-level session
                        arg = arg[0]
                    self._emit(RETURN, cid, frame.f_lineno, self.table.encode(arg), changed)
            elif event == "exception":
                if frame.f_code.co_flags & _GENERATOR_FLAGS and _opcode_at(frame) == _YIELD_VALUE:
                    self._thrown[frame] = frame.f_lasti  # thrown into a paused generator (a with block's exit)
                changed = self._changed_frames(len(self._open)) if self._line_level else None
                self._emit(EXCEPTION, cid, frame.f_lineno, self.table.encode(arg[1]), changed)
            return self.on_event
        except Exception as exc:
            self._fail(exc)
            return None

    def _emit(self, kind: int, cid: int, line: int, data: int, changed: list | None = None) -> None:
        """One event row; ``changed`` lists the open frames whose locals changed (see ``docs/trace-format.md``)."""
        now_us = (time.perf_counter_ns() - self.started_ns) // 1000
        if changed:
            self.events.append([kind, cid, line, now_us - self._last_us, data, changed])
        else:
            self.events.append([kind, cid, line, now_us - self._last_us, data])
        self._last_us = now_us
        if len(self.events) >= self.recorder.max_events:
            self.truncated = True

    def _depth_of(self, frame: FrameType) -> int:
        """Where ``frame`` is among the open recorded frames (the innermost, nearly always); -1 if not open."""
        open_frames = self._open
        for depth in range(len(open_frames) - 1, -1, -1):
            if open_frames[depth][0] is frame:
                return depth
        return -1

    def _close(self, frame: FrameType) -> None:
        depth = self._depth_of(frame)
        if depth >= 0:
            del self._open[depth:]

    def _changed_frames(self, upto: int) -> list[list[int]]:
        """``[call event, scope]`` of each open frame below ``upto`` whose locals changed since last written.

        A frame waiting on a call still holds its locals, and pdb's ``up`` then ``p`` reads them as they are
        now: a loop may have stored its next item just before the call, and a callee may have changed a list
        or dict the caller holds (a key added to each server of ``instance_list``). So at every event each
        open frame's locals are compared, by reference and to the depth a trace describes, with what was
        last written for it (``deep_signature``), and described again only when something differs.
        """
        changed = []
        limits = self.recorder.limits
        signatures: dict[int, tuple] = {}  # one signature per object at this moment, however many frames hold it
        for entry in self._open[:upto]:
            frame = entry[0]
            seen = entry[3]
            now = frame.f_locals
            same = seen is not None and len(seen) == len(now)
            if same:
                for name, value in now.items():
                    before = seen.get(name)
                    if before is None or before[0] is not value:
                        same = False
                        break
                    if before[1] is None:
                        continue
                    signature = signatures.get(id(value))
                    if signature is None:
                        signature = signatures[id(value)] = deep_signature(value, limits)
                    if not same_children(before[1], signature):
                        same = False
                        break
            if same:
                continue
            entry[3] = {name: (value, deep_signature(value, limits)) for name, value in now.items()}
            scope = self._scope(frame)
            if scope != entry[2]:
                entry[2] = scope
                changed.append([entry[1], scope])
        return changed

    def _scope(self, frame: FrameType) -> int:
        """The frame's locals now, as an interned scope.

        A local that is still the very same immutable object keeps its row. Any other is described again
        through the value table, whose memo reuses the row of an object none of whose children (at any
        recorded depth) changed, and describes afresh one that changed anywhere within that depth: a dict
        that gained a key inside a list the frame holds shows that key at the very next event.
        """
        encode = self.table.encode
        known = self._frame_locals.get(frame)
        fresh: dict[str, tuple[object, object, int]] = {}
        pairs = []
        for name, value in frame.f_locals.items():
            seen = known.get(name) if known is not None else None
            if seen is not None and seen[0] is value and type(value) in IMMUTABLE_TYPES:
                rid = seen[2]
            else:
                rid = encode(value, name)
            fresh[name] = (value, None, rid)
            pairs.append((name, rid))
        self._frame_locals[frame] = fresh
        return self._intern_scope(tuple(pairs))

    def _intern_scope(self, pairs: tuple) -> int:
        sid = self._scope_index.get(pairs)
        if sid is None:
            sid = len(self.scopes)
            self._scope_index[pairs] = sid
            self.scopes.append([list(pair) for pair in pairs])
        return sid

    def _add_code(self, frame: FrameType, where: tuple[str, str]) -> int:
        return self._add_code_of(frame.f_code, where)

    def _add_code_of(self, code: CodeType, where: tuple[str, str]) -> int:
        described = self.recorder._described_codes.get(id(code))
        if described is None or described[0] is not code:
            module, qualname = where
            display = module_path(module, code.co_filename)
            layer = self.recorder.labels.layer_for(module, qualname)
            described = (code, (module, qualname, display, code.co_firstlineno, layer))
            self.recorder._described_codes[id(code)] = described
        row = described[1]
        self.real_files.setdefault(row[2], code.co_filename)  # row: module, qualname, display path, line, layer
        cid = len(self.codes)
        self.codes.append(list(row))
        self.code_ids[id(code)] = cid
        return cid

    # -- call-level recording through trampolines (see ``tracer.record.trampolines``) ----------------------------------

    def hop_code(self, target: types.FunctionType) -> int:
        """The code id of a function a trampoline called; -1 (remembered) when it is out of this session's scope."""
        code = target.__code__
        known = self.code_ids.get(id(code))
        if known is not None:
            return known
        try:
            where = self.recorder.scope_of(code, target.__globals__.get("__name__") or "")
            if where is None:
                self.code_ids[id(code)] = -1
                return -1
            return self._add_code_of(code, where)
        except Exception as exc:
            self._fail(exc)
            return -1

    def hop_raised(self, hop: int, code: CodeType, exc: BaseException) -> None:
        """An exception left the frame of ``code``: an exception event, then a return with no value.

        As the interpreter reports it, the exception then arrives in the caller: when that is a recorded
        frame, it gets its exception event now (whether it catches the exception or lets it pass).
        """
        try:
            line = code.co_firstlineno
            tb = exc.__traceback__
            frame = None
            while tb is not None:
                if tb.tb_frame.f_code is code:
                    line = tb.tb_lineno
                    frame = tb.tb_frame
                    break
                tb = tb.tb_next
            now = time.perf_counter_ns()
            events = self.events
            if frame is None or self._arrived.pop(frame, None) is not exc:
                events.append(None)
                events.append((hop, line, now, exc))
            events.append(trampolines.RAISED)
            events.append((hop, line, now))
            caller = sys._getframe(1)
            is_trampoline = trampolines.is_trampoline
            while caller is not None and not is_trampoline(caller.f_code):
                caller = caller.f_back
            caller = caller.f_back if caller is not None else None
            if caller is not None:
                caller_hop = trampolines.TRAMPOLINES.hop_of_code.get(id(caller.f_code))
                if caller_hop is not None:
                    events.append(None)
                    events.append((caller_hop, caller.f_lineno, now, exc))
                    self._arrived[caller] = exc
        except Exception as failure:
            self._fail(failure)

    def _hop_rows(self) -> list[list]:
        """Event rows from what the trampolines kept: arguments and values are described now, after the response.

        Trampolines note hop numbers (one per trampolined function, for the whole process); here each becomes
        this trace's code id, and the hops outside this session's scope are left out.
        """
        table = self.table
        encode = table.encode
        table.freeze()
        hops = trampolines.TRAMPOLINES.hops
        return_line = trampolines.return_line
        code_of_hop: dict[int, int] = {}
        rows: list[list] = []
        start = self.started_ns
        last_us = 0
        for kind, hop, now, line, value in trampolines.read_events(self.events):
            cid = code_of_hop.get(hop)
            if cid is None:
                cid = code_of_hop[hop] = self.hop_code(hops[hop])
            if cid < 0:
                continue
            now_us = (now - start) // 1000
            dt = now_us - last_us
            last_us = now_us
            if kind == CALL:
                target = hops[hop]
                bound = trampolines.frame_arguments(target, value)
                pairs = tuple((name, encode(value, name)) for name, value in bound)
                rows.append([CALL, cid, target.__code__.co_firstlineno, dt, self._intern_scope(pairs)])
            elif kind == RETURN:
                if value is trampolines.RAISED:
                    rows.append([RETURN, cid, line, dt, -1])
                else:
                    if line is None:
                        line = return_line(hops[hop].__code__)
                    rows.append([RETURN, cid, line, dt, encode(value)])
            else:
                rows.append([EXCEPTION, cid, line, dt, encode(value)])
        table.thaw()
        return rows

    def timeline(self) -> tuple[list[list], list[tuple[int, int, int]]]:
        """The calls and returns of a call-level session with their times, and no value described.

        Returns this session's code table and ``(kind, code id, microseconds since the start)`` rows; what a
        re-run needs to take the request's own timing (see ``tracer.record.rerun``). The session lets go of
        everything it held.
        """
        hops = trampolines.TRAMPOLINES.hops
        code_of_hop: dict[int, int] = {}
        rows: list[tuple[int, int, int]] = []
        start = self.started_ns
        for kind, hop, now, _line, _value in trampolines.read_events(self.events):
            if kind == EXCEPTION:
                continue
            cid = code_of_hop.get(hop)
            if cid is None:
                cid = code_of_hop[hop] = self.hop_code(hops[hop])
            if cid >= 0:
                rows.append((kind, cid, (now - start) // 1000))
        codes = self.codes
        self._let_go()
        return codes, rows

    def discard(self) -> None:
        """Let go of the events without building anything from them (a run only its response was wanted of)."""
        self._let_go()

    def _fail(self, exc: Exception) -> None:
        self.truncated = True
        self.limit = 0
        self.internal_errors.append(f"{type(exc).__name__}: {exc}")

    def stopped(self) -> None:
        self.ended_ns = time.perf_counter_ns()

    # -- after the request -----------------------------------------------------------------------

    def finish(
        self,
        environ: dict | None,
        request_body: bytes,
        status: str,
        headers: list,
        body: bytes,
        error: BaseException | None = None,
    ) -> dict:
        """The trace document: request, response, events, values and the source of every file."""
        table = self.table
        if self.recorder.call_hooks:
            try:
                events = self._hop_rows()
            except Exception as exc:  # describing a value failed past every guard: keep the events without it
                self._fail(exc)
                events = []
            self.events = []  # let go of the arguments and values held since the request
        else:
            events = [row if row[4] is not None else row[:4] for row in self.events]
        environ = environ or {}
        request = _describe_request(environ, request_body, table)
        response = _describe_response(status, headers, body, table, error)
        table.scrub_rows()
        request["body"] = table.scrub(request["body"]) if request["body"] else request["body"]
        # noauth2 makes a token without a colon the user and the project; a secret may show in the path
        for key in ("user_id", "project_id", "path"):
            if isinstance(request[key], str):
                request[key] = table.scrub(request[key])
        response["body"] = table.scrub(response["body"])
        files = {}
        for display, real in self.real_files.items():
            lines = linecache.getlines(real)
            files[display] = "".join(lines)
        meta = {
            "tracer": _tracer_version(),
            "python": sys.version.split()[0],
            "recorded_at": self.started_at.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            "detail": self.recorder.detail,
            "include": list(self.recorder.include),
            "request_id": environ.get("openstack.request_id"),
        }
        if self.internal_errors:
            meta["recorder_errors"] = self.internal_errors[:5]
        doc = {
            "format": trace_model.FORMAT,
            "version": trace_model.VERSION,
            "meta": meta,
            "request": request,
            "response": response,
            "duration_us": (self.ended_ns - self.started_ns) // 1000,
            "truncated": self.truncated,
            "files": files,
            "codes": self.codes,
            "values": table.rows,
            "scopes": self.scopes,
            "events": events,
        }
        self._let_go()
        return doc

    def _let_go(self) -> None:
        """Hold nothing once the document is made.

        An exception's traceback keeps the frames it went through, the frames of the trampolines too, and so
        this session, for as long as the application keeps the exception; emptied, the session keeps nothing
        of the request alive with it (no values, no frames, not the document's tables).
        """
        self.table.let_go()
        self.events, self.codes, self.scopes = [], [], []
        self.code_ids, self._scope_index, self.real_files = {}, {}, {}
        self._arrived.clear()
        self._thrown.clear()
        self._frame_locals.clear()
        self._open.clear()
        self.grabbed.clear()


# -- helpers ---------------------------------------------------------------------------------------

# The recorder allocates many small objects while a request runs; a garbage collection in the
# middle would be charged to the request. Collection waits until no request is being recorded.
_gc_lock = threading.Lock()
_gc_holders = 0
_gc_was_enabled = True


def _hold_gc() -> None:
    global _gc_holders, _gc_was_enabled
    with _gc_lock:
        if _gc_holders == 0:
            _gc_was_enabled = gc.isenabled()
            gc.disable()
        _gc_holders += 1


def _release_gc() -> None:
    global _gc_holders
    with _gc_lock:
        _gc_holders -= 1
        if _gc_holders == 0 and _gc_was_enabled:
            gc.enable()


def _buffer_body(environ: dict) -> bytes:
    """Read the request body once and put an identical stream back, so the app sees the same bytes."""
    stream = environ.get("wsgi.input")
    if stream is None:
        return b""
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length <= 0:
        return b""
    data = stream.read(length)
    environ["wsgi.input"] = io.BytesIO(data)
    return data


def _body_text(data: bytes, table: ValueTable) -> str:
    text = data[:MAX_BODY_CHARS].decode("utf-8", "replace")
    text = redact_json_text(text, table)
    if len(data) > MAX_BODY_CHARS:
        text += f"\n... [{len(data) - MAX_BODY_CHARS} more bytes not kept]"
    return text


def _describe_request(environ: dict, body: bytes, table: ValueTable) -> dict:
    headers = {}
    for key, value in environ.items():
        if key.startswith("HTTP_"):
            headers[key[5:].replace("_", "-").title()] = value
        elif key in ("CONTENT_TYPE", "CONTENT_LENGTH") and value:
            headers[key.replace("_", "-").title()] = value
    path = (environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "")) or "/"
    query = environ.get("QUERY_STRING")
    context = environ.get("nova.context")
    return {
        "method": environ.get("REQUEST_METHOD", "GET"),
        "path": path + (f"?{redact_query(query, table)}" if query else ""),
        "headers": redact_headers(headers, table),
        "body": _body_text(body, table) if body else None,
        "user_id": getattr(context, "user_id", None),
        "project_id": getattr(context, "project_id", None),
    }


def _describe_response(status: str, headers: list, body: bytes, table: ValueTable, error) -> dict:
    code, _, reason = status.partition(" ")
    described = {
        "status": int(code) if code.isdigit() else 0,
        "reason": reason,
        "headers": redact_headers(dict(headers), table),
        "body": _body_text(body, table),
    }
    if error is not None:
        described["error"] = f"{type(error).__name__}: {error}"
    return described


def describe_response(status: str, headers: list, body: bytes, error: BaseException | None = None) -> dict:
    """A response as a trace shows it (secrets redacted), outside any session."""
    table = ValueTable()
    described = _describe_response(status, headers, body, table, error)
    described["body"] = table.scrub(described["body"])
    return described


def _tracer_version() -> str:
    from tracer import __version__

    return __version__


#: Opcodes a frame leaves by normally; any other opcode under a ``return`` event means an exception escaped.
_NORMAL_EXITS = frozenset(
    dis.opmap[name] for name in ("RETURN_VALUE", "RETURN_CONST", "YIELD_VALUE") if name in dis.opmap
)
_YIELD_VALUE = dis.opmap["YIELD_VALUE"]
_GENERATOR_FLAGS = inspect.CO_GENERATOR | inspect.CO_COROUTINE | inspect.CO_ASYNC_GENERATOR


def _opcode_at(frame: FrameType) -> int:
    try:
        return frame.f_code.co_code[frame.f_lasti]
    except (IndexError, TypeError):
        return -1


def _unwinding(frame: FrameType, thrown_at: int | None = None) -> bool:
    """True when a ``return`` event (whose value is None) is really an exception leaving the frame.

    The last event is not enough: a ``with`` block's ``__exit__`` or a ``finally`` block runs
    recorded code between the exception and the frame's exit. A frame leaves normally only from a
    return or a yield; a re-raise puts the frame back on the instruction that raised, which for an
    exception thrown into a generator is the very yield it was paused on (``thrown_at``).
    """
    op = _opcode_at(frame)
    if op not in _NORMAL_EXITS:
        return op != -1
    return op == _YIELD_VALUE and thrown_at == frame.f_lasti
