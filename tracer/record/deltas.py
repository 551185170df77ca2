"""Per-hop deltas: what each WSGI layer added to or changed in the environ, and in the response headers.

A paste filter's whole job is often a key it puts in the environ (``nova.context``) or a header it adds to
the answer (``x-openstack-request-id``); a debugger shows neither, because the change happens in a dict
between two frames. A :class:`DeltaRecorder` wraps each WSGI app of a pipeline in a probe (a plain WSGI
app of its own, outside the recorded modules, so the hop tree is unchanged): the probe keeps the environ
as the app receives it and the headers the app answers with. The delta of one layer is then the environ
its inner app received minus the one it received, and the headers it answered minus those its inner app
answered.

While the request runs the probe only keeps references (a dict or a list is copied one level, which runs
no code of the app); everything is described after the request, because describing a value may call the
app's own ``__repr__``, which the recorder would note as a call the request made. So an object changed in
place (not replaced) between two layers shows as the request left it. Values are described by the same
:class:`~tracer.model.values.ValueTable` as every other value of a trace, so secrets are redacted the same
way; the format is in ``docs/trace-format.md``.
"""

from __future__ import annotations

import contextlib
import contextvars
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from tracer.model.redaction import redact_json_text
from tracer.model.values import Limits, ValueTable
from tracer.record.exchange import describe_request

#: Environ keys whose value is the server's plumbing (a file or a stream): shown only when added or removed.
PLUMBING = ("wsgi.input", "wsgi.errors", "wsgi.file_wrapper")
#: Types whose items a delta spells out (an object keeps its one-line summary).
CONTAINERS = ("dict", "list", "tuple")
#: Levels of a container a delta spells out (deeper ones show as a summary, and are not described at all).
DESCRIBED_LEVELS = 2
#: Characters of one described value in a delta.
MAX_TEXT = 240
#: Bytes of a buffered request body read for its secrets.
MAX_BODY = 1 << 20


@dataclass
class _Boundary:
    """One WSGI app as the request reached it."""

    hop: str  # "module:qualname" of the function that receives the environ there
    environ: dict[str, object]  # key -> the value on the way in (a dict or list: a copy of it)
    app: object = None  # the app that received it
    headers: list[tuple[str, object]] | None = None  # the answer's headers, None: no answer seen
    status: str | None = None
    inner: list[int] = field(default_factory=list)  # boundaries entered while this one ran


#: The recorder watching the request this thread (or green thread) is serving; None: the probes pass it on.
_watching: contextvars.ContextVar[DeltaRecorder | None] = contextvars.ContextVar("tracer_deltas", default=None)


def watching_recorder() -> DeltaRecorder | None:
    """The recorder watching the request this thread (or green thread) is serving, if any."""
    return _watching.get()


class DeltaRecorder:
    """Probes for the WSGI apps of one request, and the deltas they saw.

    ``body``: the request body, so that a secret in it (an ``adminPass``) is scrubbed from any description
    that happens to contain it, as the trace's own values are.
    """

    def __init__(self, body: bytes | None = None) -> None:
        self.table = ValueTable(Limits(depth=DESCRIBED_LEVELS + 1))
        self.boundaries: list[_Boundary] = []
        self._open: list[int] = []
        self._body_noted = False
        if body:
            self.note_body(body)

    def note_body(self, body: bytes) -> None:
        """Remember the secrets of a request body."""
        redact_json_text(body.decode("utf-8", "replace"), self.table)
        self._body_noted = True

    @contextlib.contextmanager
    def watching(self) -> Iterator[DeltaRecorder]:
        """The probes of this thread record into this recorder meanwhile (one request at a time)."""
        token = _watching.set(self)
        try:
            yield self
        finally:
            _watching.reset(token)

    def wrap(self, app: Callable, hop: str) -> Callable:
        """A WSGI app that watches the request with this recorder (starting it over) while ``app`` serves it,
        and notes what ``app`` (whose hop is ``hop``) receives and answers, as every probe does."""
        probe = make_probe(app, hop)
        recorder = self

        def watched(environ: dict, start_response: Callable) -> Iterable[bytes]:
            recorder.boundaries, recorder._open = [], []
            with recorder.watching():
                return probe(environ, start_response)

        watched.__name__ = "delta_probe"
        watched.__wrapped__ = app  # type: ignore[attr-defined]  # what the probe stands in front of
        return watched

    def environ_at(self, app: object) -> dict | None:
        """The environ as ``app`` received it (the values themselves, not descriptions), or None when the
        request never reached it. Ask before :meth:`let_go`."""
        for boundary in self.boundaries:
            if boundary.app is app:
                return boundary.environ
        return None

    def _enter(self, app: object, hop: str, environ: dict) -> int:
        index = len(self.boundaries)
        if self._open:
            self.boundaries[self._open[-1]].inner.append(index)
        self._open.append(index)
        # Only references and one-level copies now: describing a value may run the app's own code (a repr),
        # which would show up in the trace as a call the request made. They are described after the request.
        snapshot = dict(environ)
        for key, value in snapshot.items():
            kind = type(value)
            if kind is dict or kind is list:
                snapshot[key] = kind(value)
        self.boundaries.append(_Boundary(hop, snapshot, app))
        return index

    def _answered(self, index: int, status: str, headers: list) -> None:
        boundary = self.boundaries[index]
        if boundary.headers is None:
            boundary.status = status
            boundary.headers = list(headers)

    def _describe(self, value: object, name: str) -> str:
        return self._text(self.table.encode(value, name=name), DESCRIBED_LEVELS)

    def _text(self, rid: int, depth: int) -> str:
        """One line for a described value: a container shows its items (two levels), not just their count."""
        row = self.table.rows[rid]
        if len(row) < 3 or not row[2] or depth == 0 or row[0] not in CONTAINERS:
            return row[1]
        items = ", ".join(f"{key}: {self._text(child, depth - 1)}" for key, child in row[2])
        more = f", … {row[3]} more" if len(row) > 3 and row[3] else ""
        text = "{" + items + more + "}"
        return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1] + "…"

    def deltas(self) -> list[dict]:
        """The deltas of every layer that passed the request on or answered it, outermost first.

        Call it once the request has been answered and recording has stopped.
        """
        if self.boundaries:  # the request's own secrets (its token, a password in its query), as the trace knows them
            describe_request(self.boundaries[0].environ, self._body_of(self.boundaries[0].environ), self.table)
        out = []
        for boundary in self.boundaries:
            inner = self.boundaries[boundary.inner[0]] if boundary.inner else None
            entry: dict = {"hop": boundary.hop, "environ": [], "headers": []}
            if inner is None:
                entry["answered"] = True  # it made the answer itself: every header it sent is its own
                entry["headers"] = [["+", str(name), None, self._describe(value, str(name))]
                                    for name, value in boundary.headers or ()]
                if boundary.status is not None:
                    entry["status"] = boundary.status
            else:
                entry["environ"] = self._environ_delta(boundary.environ, inner.environ)
                entry["headers"] = self._header_delta(inner.headers or [], boundary.headers or [])
                if boundary.status is not None and inner.status is not None and boundary.status != inner.status:
                    entry["status"] = f"{inner.status} → {boundary.status}"
            out.append(entry)
        scrub = self.table.scrub
        for entry in out:
            for change in entry["environ"] + entry["headers"]:
                change[2] = scrub(change[2]) if isinstance(change[2], str) else change[2]
                change[3] = scrub(change[3]) if isinstance(change[3], str) else change[3]
        return out

    def _environ_delta(self, before: dict, after: dict) -> list[list]:
        """``[op, key, old, new]`` rows: ``+`` added, ``-`` removed, ``~`` changed (described differently).
        Only what a layer may have changed is described."""
        rows: list[list] = []
        for key, value in after.items():
            if key not in before:
                rows.append(["+", key, None, self._describe(value, key)])
            elif key not in PLUMBING and not _same(before[key], value):
                old, new = self._describe(before[key], key), self._describe(value, key)
                if old != new:
                    rows.append(["~", key, old, new])
        rows.extend(["-", key, self._describe(value, key), None] for key, value in before.items() if key not in after)
        return rows

    def _header_delta(self, inner: list[tuple[str, object]], outer: list[tuple[str, object]]) -> list[list]:
        """Headers the layer added (``+``), removed (``-``) or changed (``~``) on the way out; names compared
        without case, as HTTP does."""
        before = {str(name).lower(): (str(name), value) for name, value in inner}
        after = {str(name).lower(): (str(name), value) for name, value in outer}
        rows: list[list] = []
        for low, (name, value) in after.items():
            if low not in before:
                rows.append(["+", name, None, self._describe(value, name)])
            elif not _same(before[low][1], value):
                old, new = self._describe(before[low][1], name), self._describe(value, name)
                if old != new:
                    rows.append(["~", name, old, new])
        rows.extend(["-", name, self._describe(value, name), None]
                    for low, (name, value) in before.items() if low not in after)
        return rows

    def _body_of(self, environ: dict) -> bytes:
        """The request body, when no one gave it and it waits in memory (a recorder buffered it): its secrets."""
        stream = environ.get("wsgi.input")
        if self._body_noted or not isinstance(stream, io.BytesIO):
            return b""
        return stream.getvalue()[:MAX_BODY]

    def let_go(self) -> None:
        """Hold no live object once the deltas were taken."""
        self.boundaries = []
        self.table.let_go()


def make_probe(app: Callable, hop: str) -> Callable:
    """A WSGI app in front of ``app`` (whose hop is ``hop``): while a :class:`DeltaRecorder` watches the
    request, it notes the environ ``app`` receives and the status and headers it answers; otherwise it only
    calls ``app``."""

    def delta_probe(environ: dict, start_response: Callable) -> Iterable[bytes]:
        recorder = _watching.get()
        if recorder is None:
            return app(environ, start_response)
        index = recorder._enter(app, hop, environ)

        def noting_start_response(status: str, headers: list, exc_info: object = None) -> Callable:
            recorder._answered(index, status, headers)
            if exc_info is None:
                return start_response(status, headers)
            return start_response(status, headers, exc_info)

        try:
            return app(environ, noting_start_response)
        finally:
            recorder._open.pop()

    delta_probe.__wrapped__ = app  # type: ignore[attr-defined]  # what the probe stands in front of
    return delta_probe


def unwrap(app: object) -> object:
    """The app a probe stands in front of (``app`` itself when it is no probe)."""
    while getattr(app, "__name__", None) == "delta_probe" and hasattr(app, "__wrapped__"):
        app = app.__wrapped__
    return app


def _same(before: object, after: object) -> bool:
    """True when a layer left the value as it found it: the same object, or a copy (a dict or a list) whose
    items are the same objects. Such a value is described the same both times, so it needs no description."""
    if before is after:
        return True
    kind = type(before)
    if kind is not type(after):
        return False
    if kind is str:
        return before == after
    if kind is list:
        return len(before) == len(after) and all(x is y for x, y in zip(before, after, strict=True))
    if kind is dict:
        return len(before) == len(after) and all(key in after and after[key] is value for key, value in before.items())
    return False
