"""One request's recording: the trace functions that see its events, and the trace document made of them.

A :class:`Session` is what a :class:`~tracer.record.recorder.Recorder` starts for each request. At line
level its trace functions (``on_call``, ``on_event``) note every call, line, exception and return with the
frame's locals, and the locals of every recorded frame still open whenever they changed; at call level the
trampolines (:mod:`tracer.record.trampolines`) note calls, arguments and returns, described after the
response. ``finish`` turns either into the document ``docs/trace-format.md`` describes.
"""

from __future__ import annotations

import contextvars
import linecache
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from types import CodeType, FrameType
from typing import Any

from tracer.model import trace as trace_model
from tracer.model.signatures import IMMUTABLE_TYPES, Signature, deep_signature
from tracer.model.values import ValueTable
from tracer.record.calls import CallLevel
from tracer.record.exchange import describe_request, describe_response_with
from tracer.record.frame_states import FrameStates, rebinds_while_waiting
from tracer.record.gc_hold import hold_gc, release_gc
from tracer.record.returns import marked_codes
from tracer.record.unwinding import GENERATOR_FLAGS, YIELD_VALUE, opcode_at, unwinding

__all__ = ["Session", "hold_gc", "module_path", "release_gc"]

CALL, LINE, RETURN, EXCEPTION = trace_model.CALL, trace_model.LINE, trace_model.RETURN, trace_model.EXCEPTION


def module_path(module: str, filename: str) -> str:
    """The file's path as a learner reads it (``sample_api/api/openstack/wsgi.py``), same on every machine."""
    path = module.replace(".", "/")
    if filename.endswith("__init__.py"):
        return path + "/__init__.py"
    return path + ".py"


class Session(CallLevel):
    """The events of one request as they happen; ``finish`` turns them into a trace document."""

    def __init__(self, recorder: Any, environ: dict | None) -> None:
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
        #: the recorded frames open now, outermost first: [frame, its call event, its scope as last written]
        self._open: list[list] = []
        #: id(value) -> (value, its deep signature) at this event
        self._signatures: dict[int, tuple[object, Signature | None]] = {}
        #: frame -> ids of every object its locals' descriptions are made of, as of its last scope
        self._frame_ids: dict[FrameType, set[int]] = {}
        #: what the objects of each open frame's locals held when last described: what tells a waiting frame
        #: that nothing it shows changed
        self._frame_states = FrameStates()
        self._state_ids = self._frame_states.state_ids

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
            self._next_moment()
            scope = self._scope(frame)
            if self._line_level:
                changed = self._changed_frames(len(self._open), self._open[-1][0] if self._open else None)
                self._open.append([frame, len(self.events), scope])
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
            self._next_moment()
            cid = self.code_ids[id(frame.f_code)]
            if event == "line":
                scope = self._scope(frame)
                depth = self._depth_of(frame)
                if depth >= 0:
                    self._open[depth][2] = scope
                waiting = depth if depth >= 0 else len(self._open)
                self._emit(LINE, cid, frame.f_lineno, scope, self._changed_frames(waiting, frame))
            elif event == "return":
                changed = self._changed_frames(len(self._open), frame) if self._line_level else None
                self._close(frame)
                self._frame_locals.pop(frame, None)
                self._frame_ids.pop(frame, None)
                self._frame_states.forget(frame)
                thrown_at = self._thrown.pop(frame, None) if self._thrown else None
                if arg is None and unwinding(frame, thrown_at):
                    self._emit(RETURN, cid, frame.f_lineno, -1, changed)  # the exception escaped this frame
                else:
                    if id(frame.f_code) in marked_codes:  # a trampoline's copy, run beside a call-level session
                        arg = arg[0]
                    self._emit(RETURN, cid, frame.f_lineno, self.table.encode(arg), changed)
            elif event == "exception":
                if frame.f_code.co_flags & GENERATOR_FLAGS and opcode_at(frame) == YIELD_VALUE:
                    self._thrown[frame] = frame.f_lasti  # thrown into a paused generator (a with block's exit)
                changed = self._changed_frames(len(self._open), frame) if self._line_level else None
                self._emit(EXCEPTION, cid, frame.f_lineno, self.table.encode_raised(arg[1], arg[2]), changed)
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

    def _next_moment(self) -> None:
        """Code ran since the last event: every value may have changed, and is checked again (once)."""
        self.table.next_moment()
        if self._signatures:
            self._signatures = {}
        self._frame_states.next_moment()

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

    def _changed_frames(self, upto: int, active: FrameType | None = None) -> list[list[int]]:
        """``[call event, scope]`` of each open frame below ``upto`` whose locals changed since last written.

        A frame waiting on a call still holds its locals, and pdb's ``up`` then ``p`` reads them as they are
        now: a loop may have stored its next item just before the call, and a callee may have changed a list
        or dict the caller holds (a key added to each server of ``instance_list``). Since the last event only
        ``active`` ran (the frame of this event, or the caller of a call): its locals are taken again (first),
        and those of each other open frame that holds an object ``active`` holds (to the depth a trace
        describes) whose state changed since that frame's were taken, the only objects its code could reach
        to change (see :mod:`tracer.record.frame_states`).
        """
        changed: list[list[int]] = []
        open_frames = self._open[:upto]
        if active is not None:
            for entry in open_frames:
                if entry[0] is active:
                    self._take_again(entry, changed)
                    break
        live = self._frame_ids.get(active) if active is not None else None
        if live is None:
            for entry in open_frames:
                if entry[0] is not active:
                    self._take_again(entry, changed)
            return changed
        states = self._frame_states
        touched = states.changed_by(live, active)
        # only code with cells can bind another object to a name of a waiting frame (a closure's nonlocal)
        may_rebind = rebinds_while_waiting(active.f_code)  # type: ignore[union-attr]
        frame_locals = self._frame_locals
        for entry in open_frames:
            frame = entry[0]
            if frame is active:
                continue
            known = frame_locals.get(frame)
            # a frame starts waiting at a call, where its locals are taken again and noted: this holds for all
            # but a frame whose note went stale some other way, and that one is simply taken again
            if (frame not in touched and states.noted_as(frame, known)
                    and not (may_rebind and states.rebound(frame, known))):  # type: ignore[arg-type]
                continue
            self._take_again(entry, changed)
        return changed

    def _take_again(self, entry: list, changed: list[list[int]]) -> None:
        """Take an open frame's locals again; ``[call event, scope]`` goes to ``changed`` if they changed."""
        frame = entry[0]
        scope = self._scope(frame)
        known = self._frame_locals.get(frame)
        if known is not None:
            self._frame_states.note(frame, known)
        if scope != entry[2]:
            entry[2] = scope
            changed.append([entry[1], scope])

    def _scope(self, frame: FrameType) -> int:
        """The frame's locals now, as an interned scope.

        A local that is the very same object as at the frame's last scope, holding the very same objects to
        the depth and breadth a trace describes (its ``deep_signature``), keeps its row; any other is
        described again. A dict that gained a key inside a list the frame holds shows that key at the very
        next event. Signatures are made once an event per object, however many frames hold it.
        """
        encode = self.table.encode
        limits = self.recorder.limits
        signatures = self._signatures
        known = self._frame_locals.get(frame)
        fresh: dict[str, tuple[object, Signature | None, int]] = {}
        pairs = []
        ids: set[int] = set()
        for name, value in frame.f_locals.items():
            seen = known.get(name) if known is not None else None
            if type(value) in IMMUTABLE_TYPES:
                signature = None
            else:
                cached = signatures.get(id(value))
                if cached is not None and cached[0] is value:
                    signature = cached[1]
                elif seen is not None and seen[0] is value and seen[1] is not None and self._still_holds(seen[1]):
                    signature = seen[1]
                    signatures[id(value)] = (value, signature)
                else:
                    signature = deep_signature(value, limits)
                    signatures[id(value)] = (value, signature)
                    if seen is not None and seen[0] is value and signature.same(seen[1]):
                        self._keep_states(signature)  # unchanged since last time: likely to stay so
            if seen is not None and seen[0] is value and (signature is None or signature.same(seen[1])):
                rid = seen[2]
            else:
                rid = encode(value, name)
            fresh[name] = (value, signature, rid)
            pairs.append((name, rid))
            if signature is not None:
                ids.add(id(value))
                ids.update(signature.mutable)
        self._frame_locals[frame] = fresh
        self._frame_ids[frame] = ids
        return self._intern_scope(tuple(pairs))

    def _keep_states(self, signature: Signature) -> None:
        """Note what each object ``signature`` looked into holds now, so that the next event can tell the
        signature still holds by looking at those objects alone (``_still_holds``), without walking the value.

        Kept only for a value found unchanged since its last scope (a request, a context, a config object held
        through many lines), and only when its objects are no bigger than a walk reads: past that, looking at
        their whole state could cost more than the walk.
        """
        most = 2 * self.recorder.limits.items
        state_ids = self._state_ids
        states = []
        for obj in signature.opened:
            ids = state_ids(obj)
            if len(ids) > most:
                return
            states.append(ids)
        signature.states = (tuple(states), tuple(map(len, signature.measured)))  # type: ignore[arg-type]

    def _still_holds(self, signature: Signature) -> bool:
        """True when a walk from the same value would give ``signature`` again: each object it looked into
        still holds the very same children and each it only measured has the same size (``state_of`` follows
        the walk's branches; the children are held by the signature, so their ids are not another's).
        """
        kept = signature.states
        if kept is None:
            return False
        state_ids = self._state_ids
        for obj, ids in zip(signature.opened, kept[0]):  # noqa: B905 - made from the same list
            now = state_ids(obj)
            if now is not ids and now != ids:
                return False
        for obj, size in zip(signature.measured, kept[1]):  # noqa: B905 - made from the same list
            if len(obj) != size:  # type: ignore[arg-type]
                return False
        return True

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
        request = describe_request(environ, request_body, table)
        response = describe_response_with(status, headers, body, table, error)
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
        self._signatures = {}
        self._frame_ids.clear()
        self._frame_states.let_go()
        self.grabbed.clear()


def _tracer_version() -> str:
    from tracer import __version__

    return __version__
