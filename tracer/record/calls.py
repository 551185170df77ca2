"""Call-level recording: what a session makes of the entries its trampolines noted.

Trampolines (:mod:`tracer.record.trampolines`) note each call with its arguments, each return with its value
and each exception, as cheaply as they can, while the request runs. :class:`CallLevel`, a part of every
:class:`~tracer.record.session.Session`, turns those entries into event rows once the response is sent,
describing the values then, and reads a request's own timeline for a re-run (:mod:`tracer.record.rerun`).
"""

from __future__ import annotations

import sys
import time
import types
from types import CodeType

from tracer.model.trace import CALL, EXCEPTION, RETURN
from tracer.record import trampolines


class CallLevel:
    """The call-level half of a session; the session provides ``events``, ``codes``, ``table`` and the rest."""

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
