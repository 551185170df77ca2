"""A reference debugger on the standard library's ``bdb``: every local of every frame, at every line event.

It knows nothing of tracer's recorder. pdb's engine decides when a line event happens and which frames are
on the stack; plain ``repr`` and ``type`` describe what each local holds at that moment, so a trace can be
checked against what pdb's ``where`` then ``up`` and ``p NAME`` would have printed, event by event.
"""

from __future__ import annotations

import bdb
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from types import FrameType

from tracer.model.redaction import is_secret_name

#: how deep and how wide a snapshot goes: what the comparison looks at, no more
DEPTH = 3
ITEMS = 40
LEAVES = (int, float, bool, type(None), str, bytes)


@dataclass(frozen=True)
class Snap:
    """A value as it was: its type, its repr (leaves and exceptions), its children and how many it had."""

    type_name: str
    text: str | None = None
    children: tuple[tuple[str, Snap], ...] | None = None
    size: int = 0
    #: an exception: ``text`` is the repr of its message
    exception: bool = False


@dataclass(frozen=True)
class FrameState:
    module: str
    qualname: str
    line: int
    locals: dict[str, Snap]


@dataclass(frozen=True)
class ExceptionState:
    """An exception as pdb stops on it in a frame: the frame, the exception's type, and where it was raised
    (the innermost entry of the traceback pdb is handed, as its ``where`` lists it)."""

    module: str
    qualname: str
    line: int
    type_name: str
    raised_in: str


class LocalsReference(bdb.Bdb):
    """Stops at every line of the modules in scope and writes down the whole stack of those frames."""

    def __init__(self, include: Sequence[str], secrets: Sequence[str] = ()) -> None:
        super().__init__()
        self.include = tuple(include)
        self.secrets = {s for s in secrets if s}
        self.events: list[list[FrameState]] = []
        self.exceptions: list[ExceptionState] = []

    def in_scope(self, frame: FrameType) -> bool:
        module = frame.f_globals.get("__name__") or ""
        return any(module == p or module.startswith(p + ".") for p in self.include)

    # bdb's hooks: stop everywhere in scope, nowhere else
    def stop_here(self, frame: FrameType) -> bool:
        return self.in_scope(frame)

    def break_anywhere(self, frame: FrameType) -> bool:
        return False

    def user_line(self, frame: FrameType) -> None:
        stack = []
        walk: FrameType | None = frame
        while walk is not None:
            if self.in_scope(walk):
                code = walk.f_code
                names = dict(walk.f_locals)
                stack.append(FrameState(walk.f_globals["__name__"], getattr(code, "co_qualname", code.co_name),
                                        walk.f_lineno, {n: self.snap(v, n, 0) for n, v in names.items()}))
            walk = walk.f_back
        stack.reverse()
        self.events.append(stack)
        self.set_step()

    def user_call(self, frame, argument_list) -> None:
        self.set_step()

    def user_return(self, frame, return_value) -> None:
        self.set_step()

    def user_exception(self, frame, exc_info) -> None:
        _type, value, traceback = exc_info
        raised_in = ""
        if traceback is not None:
            while traceback.tb_next is not None:
                traceback = traceback.tb_next
            code = traceback.tb_frame.f_code
            raised_in = (f"{traceback.tb_frame.f_globals.get('__name__', '?')}."
                         f"{getattr(code, 'co_qualname', code.co_name)}, line {traceback.tb_lineno}")
        code = frame.f_code
        self.exceptions.append(ExceptionState(frame.f_globals["__name__"], getattr(code, "co_qualname", code.co_name),
                                              frame.f_lineno, type(value).__name__, raised_in))
        self.set_step()

    def scrub(self, text: str) -> str:
        """``text`` with every secret seen in the request (plain, as in a repr, as in JSON) made ``[redacted]``."""
        forms = set()
        for secret in self.secrets:
            if len(secret) >= 4:
                forms |= {secret, repr(secret)[1:-1], json.dumps(secret)[1:-1], repr(json.dumps(secret)[1:-1])[1:-1]}
        for form in sorted(forms, key=len, reverse=True):
            text = text.replace(form, "[redacted]")
        return text

    def snap(self, value: object, name: str, depth: int) -> Snap:
        if is_secret_name(name):
            if isinstance(value, (str, bytes)):
                self.secrets.add(value.decode("utf-8", "replace") if isinstance(value, bytes) else value)
            return Snap("redacted")
        kind = type(value)
        if kind in LEAVES:
            return Snap(kind.__name__, repr(value))
        if isinstance(value, BaseException):
            try:
                return Snap(kind.__name__, repr(str(value)), exception=True)
            except Exception:  # half built (inside its own __init__): its type is all there is to compare
                return Snap(kind.__name__)
        if kind in (dict, list, tuple) and "wsgi.version" not in (value if kind is dict else ()):
            items = list(value.items()) if kind is dict else [(str(i), v) for i, v in enumerate(value)]
            children = None
            if depth < DEPTH:
                children = tuple((k if isinstance(k, str) else repr(k), self.snap(v, k if isinstance(k, str) else "",
                                                                                  depth + 1))
                                 for k, v in items[:ITEMS])
            return Snap(kind.__name__, None, children, len(items))
        return Snap(kind.__name__)

    def run_app(self, app: Callable, environ: dict) -> tuple[str, bytes]:
        """The WSGI request under the reference; the body is read inside it, as a server would."""
        captured: dict = {}

        def start_response(status, headers, exc_info=None):
            captured["status"] = status
            return lambda data: None

        def request() -> bytes:
            result = app(environ, start_response)
            try:
                return b"".join(result)
            finally:
                getattr(result, "close", lambda: None)()

        body = self.runcall(request)
        return captured.get("status", ""), body
