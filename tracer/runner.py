"""Run one request in-process through sample_api's whole paste pipeline, recording it.

This is what ``tracer run`` does: no socket, the same WSGI app ``sample-api serve`` runs,
on the deterministic demo database unless a database file is given.
"""

from __future__ import annotations

import contextlib
import json
import secrets
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone

from tracer.recorder import DEFAULT_INCLUDE, Recorder

METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
API_PREFIX = "/v2.1"
DEFAULT_HOST = "127.0.0.1:8774"


class RequestError(ValueError):
    """The request asked for cannot be made (bad method, path, header or body); one line for the user."""


@dataclass
class RequestSpec:
    """What to send: everything ``tracer run`` takes from its command line."""

    method: str
    path: str
    body: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)
    user: str = "admin"
    project: str | None = None

    @property
    def token(self) -> str:
        return f"{self.user}:{self.project or self.user}"


def normalize_method(method: str) -> str:
    upper = method.upper()
    if upper not in METHODS:
        raise RequestError(f"unknown HTTP method {method!r} (use one of {', '.join(METHODS)})")
    return upper


#: the other mounts of sample_api's paste composite: a path under one of them is not the compute API's
MOUNTS = (API_PREFIX, "/identity")


def normalize_path(path: str) -> str:
    """``/servers/detail`` becomes ``/v2.1/servers/detail``; ``/`` and paths under ``MOUNTS`` are kept."""
    if not path.startswith("/") or any(ch.isspace() for ch in path) or "://" in path:
        raise RequestError(f"{path!r} is not a path: give one that starts with '/', e.g. /servers/detail")
    if path == "/" or any(path == mount or path.startswith((mount + "/", mount + "?")) for mount in MOUNTS):
        return path
    return API_PREFIX + path


def parse_header(text: str) -> tuple[str, str]:
    name, sep, value = text.partition(":")
    if not sep or not name.strip() or any(ch.isspace() for ch in name.strip()):
        raise RequestError(f"header {text!r} is not of the form 'Name: value'")
    return name.strip(), value.strip()


def parse_user(text: str) -> tuple[str, str | None]:
    user, _, project = text.partition(":")
    if not user or ":" in project:
        raise RequestError(f"--as {text!r} is not USER or USER:PROJECT")
    return user, project or None


def parse_json_body(text: str) -> bytes:
    """The body as bytes after checking it is JSON (the CLI's --data)."""
    try:
        json.loads(text)
    except ValueError as exc:
        raise RequestError(f"--data is not valid JSON: {exc}") from None
    return text.encode("utf-8")


def build_environ(spec: RequestSpec) -> dict:
    """The WSGI environ a real client's request would produce."""
    import webob

    path = normalize_path(spec.path)
    headers = {"Accept": "application/json", "X-Auth-Token": spec.token}
    if spec.body is not None:
        headers["Content-Type"] = "application/json"
    headers.update(spec.headers)
    request = webob.Request.blank(path, base_url=f"http://{DEFAULT_HOST}", headers=headers)
    request.method = normalize_method(spec.method)
    if spec.body is not None:
        request.body = spec.body
    request.environ["REMOTE_ADDR"] = "127.0.0.1"
    return request.environ


def load_sample_api(db_path: str | None = None, extensions_dir: str | None = None):
    """A fresh sample_api WSGI app (fresh demo database unless ``db_path``)."""
    from sample_api import conf, service

    conf.reset()
    conf.CONF.db_path = db_path
    conf.CONF.extensions_dir = extensions_dir
    return service.load_app()


def load_twins(db_path: str | None = None, extensions_dir: str | None = None) -> tuple:
    """Two fresh sample_api apps on one database: one for the request, one for its re-run."""
    app = load_sample_api(db_path, extensions_dir)
    return app, load_sample_api(db_path, extensions_dir)


class SampleApiWorld:
    """sample_api's state around one request, as a re-run needs it (see ``tracer.rerun.World``).

    Fixed inputs: the clock frozen at the moment the request is made (``timeutils.set_time_override``, as
    Nova's tests do) and uuids and passwords from a generator seeded once per request. The way back: a
    snapshot of the database taken before the first run; the re-run's own writes go to that copy and are
    dropped, so a ``--db`` file changes exactly once. All of it holds in the thread (or green thread) that
    enters it only: requests served beside it keep the real clock, real ids and the shared database.
    """

    def __init__(self, instant: datetime | None = None, seed: int | None = None) -> None:
        self.instant = instant or datetime.now(timezone.utc)
        self.seed = secrets.randbits(64) if seed is None else seed
        self._snapshot = None

    @contextlib.contextmanager
    def fixed(self) -> Iterator[None]:
        from sample_api import timeutils
        from tracer.rerun import seeded_randomness

        timeutils.set_time_override(self.instant)
        try:
            with seeded_randomness(self.seed):
                yield
        finally:
            timeutils.clear_time_override()

    def save(self) -> None:
        from sample_api import db

        self._snapshot = db.snapshot()

    @contextlib.contextmanager
    def restored(self) -> Iterator[None]:
        from sample_api import db

        live = db.use(self._snapshot)
        try:
            yield
        finally:
            db.use(live)
            self._snapshot.close()
            self._snapshot = None


def record_request(
    spec: RequestSpec,
    app=None,
    include: Sequence[str] = DEFAULT_INCLUDE,
    detail: str = "line",
    db_path: str | None = None,
    extensions_dir: str | None = None,
    rerun: bool = True,
    twin=None,
) -> dict:
    """Send ``spec`` through sample_api while recording; returns the trace document.

    Line detail comes from a re-run (``tracer.rerun``), through ``twin`` when given (see ``load_twins``;
    both are made here when ``app`` is not given), unless ``rerun`` is false: the request itself is then
    traced line by line, and its hop times are those of that much slower run.
    """
    environ = build_environ(spec)  # a request that cannot be made fails here, before any app is loaded
    if app is None:
        app, twin = load_twins(db_path, extensions_dir)
    if detail == "line" and rerun:
        from tracer.rerun import record_by_rerun

        return record_by_rerun(app, lambda: build_environ(spec), include, SampleApiWorld(), twin)
    recorder = Recorder(include=tuple(include), detail=detail)
    _status, _headers, _body, doc = recorder.call_wsgi(app, environ)
    return doc
