"""Run one request in-process through sample_api's whole paste pipeline, recording it.

This is what ``tracer run`` does: no socket, the same WSGI app ``sample-api serve`` runs,
on the deterministic demo database unless a database file is given.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import secrets
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tracer.record.deltas import DeltaRecorder
from tracer.record.recorder import DEFAULT_INCLUDE, Recorder
from tracer.targets.pipeline import probed
from tracer.targets.router import explain_router, request_secrets
from tracer.targets.stamp import stamp

METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
API_PREFIX = "/v2.1"
DEFAULT_HOST = "127.0.0.1:8774"
NAME = "sample_api"
#: sample_api is part of tracer; its framework libraries are what its version depends on
DISTRIBUTIONS = ("tracer", "webob", "routes", "pastedeploy")


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


def build_environ(spec: RequestSpec, compute_api: bool = True) -> dict:
    """The WSGI environ a real client's request would produce (to the compute API's ``/v2.1`` unless not
    ``compute_api``: then the path is sent as given)."""
    import webob

    path = normalize_path(spec.path) if compute_api else spec.path
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


def max_request_body_size() -> int:
    """The largest request body sample_api accepts (its sizelimit filter refuses bigger ones from the header)."""
    from sample_api.conf import CONF

    return CONF.max_request_body_size


def make_server(app: Callable, host: str, port: int, **options: Any):
    """sample_api's own web server (threaded, or eventlet as Nova's ``nova.wsgi.Server``) serving ``app``.

    It has ``start()``, ``stop()``, ``wait()``, ``host`` and ``port`` (the bound one, when 0 asked for a free one).
    """
    from sample_api import wsgi

    return wsgi.Server("osapi_compute", app, host=host, port=port, **options)


def load_twins(db_path: str | None = None, extensions_dir: str | None = None) -> tuple:
    """Two fresh sample_api apps on one database: one for the request, one for its re-run."""
    app = load_sample_api(db_path, extensions_dir)
    return app, load_sample_api(db_path, extensions_dir)


class SampleApiWorld:
    """sample_api's state around one request, as a re-run needs it (see ``tracer.record.rerun.World``).

    Fixed inputs: the clock frozen at the moment the request is made (``timeutils.set_time_override``, as
    Nova's tests do) and uuids and passwords from a generator seeded once per request. The way back: a
    snapshot of the database taken before the first run; the re-run's own writes go to that copy and are
    dropped, so a ``--db`` file changes exactly once. All of it holds in the thread (or green thread) that
    enters it only: requests served beside it keep the real clock, real ids and the shared database.
    """

    def __init__(self, instant: datetime | None = None, seed: int | None = None) -> None:
        self.instant = instant or datetime.now(UTC)
        self.seed = secrets.randbits(64) if seed is None else seed
        self._snapshot = None

    @contextlib.contextmanager
    def fixed(self) -> Iterator[None]:
        from sample_api import timeutils
        from tracer.record.rerun import seeded_randomness

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

    Line detail comes from a re-run (``tracer.record.rerun``), through ``twin`` when given (see ``load_twins``;
    both are made here when ``app`` is not given), unless ``rerun`` is false: the request itself is then
    traced line by line, and its hop times are those of that much slower run.
    """
    environ = build_environ(spec)  # a request that cannot be made fails here, before any app is loaded
    if app is None:
        app, twin = load_twins(db_path, extensions_dir)
    deltas = DeltaRecorder(spec.body)  # what each layer changes, from the request itself (not its re-run)
    with probed(app, deltas) as app_with_probes:
        if detail == "line" and rerun:
            from tracer.record.rerun import record_by_rerun

            doc = record_by_rerun(app_with_probes, lambda: build_environ(spec), include, SampleApiWorld(), twin)
        else:
            recorder = Recorder(include=tuple(include), detail=detail)
            _status, _headers, _body, doc = recorder.call_wsgi(app_with_probes, environ)
    doc["deltas"] = deltas.deltas()
    deltas.let_go()
    route = explain_route(app, spec)
    if route is not None:
        doc["route"] = route
    return stamp(doc, NAME, DISTRIBUTIONS)


def explain_route(app: Callable, spec: RequestSpec) -> dict | None:
    """How the compute router routed the request (its routes asked one by one), for the router hop's note;
    None for a path outside the compute API. Asked after the request: routes compiles its patterns at the
    first match, which the request must do itself to be recorded as it happens."""
    path = normalize_path(spec.path)
    if not path.startswith(API_PREFIX + "/") or path == API_PREFIX + "/":
        return None
    try:
        return explain_router(app, normalize_method(spec.method), path, API_PREFIX, DEFAULT_HOST,
                              request_secrets(build_environ(spec), spec.body)).to_dict()
    except LookupError:  # an api-paste.ini without the compute router: nothing to explain
        return None
    except (AttributeError, TypeError, ValueError) as exc:  # a learner's own router that routes cannot read
        return {"error": f"the router could not be explained: {type(exc).__name__}: {exc}"}


# -- a learner's code in the app -------------------------------------------------------------------

#: The package a module of ``CONF.extensions_dir`` is loaded into (``sample_api_extensions.<stem>``).
EXTENSION_PACKAGE = "sample_api_extensions"


@contextlib.contextmanager
def loaded_app(
    extensions_dir: Path | None = None,
    paste_config: Path | None = None,
    policy_rules: dict[str, str] | None = None,
    code_dir: Path | None = None,
) -> Iterator[Callable]:
    """A fresh sample_api app (fresh demo database) with someone's code in it, the way an operator adds theirs.

    An extensions folder (``CONF.extensions_dir``), an ``api-paste.ini`` (whose filters and apps may live in
    ``code_dir``'s modules, importable meanwhile) and policy rules. Everything is put back afterwards and
    the modules of ``code_dir`` are forgotten, so the next load reads the files again.
    """
    from sample_api import conf, policy, service

    conf.reset()
    policy.reset()
    try:
        with importable(code_dir):
            if extensions_dir is not None:
                conf.CONF.extensions_dir = str(extensions_dir)
            if paste_config is not None:
                conf.CONF.api_paste_config = str(paste_config)
            policy.RULES.update(policy_rules or {})
            yield service.load_app()
    finally:
        conf.reset()
        policy.reset()


@contextlib.contextmanager
def importable(code_dir: Path | None) -> Iterator[None]:
    """``code_dir``'s modules importable meanwhile, and forgotten before and after (with every extension
    module), so that each load reads the files as they are now."""
    _forget_modules(code_dir)
    added = code_dir is not None and str(code_dir) not in sys.path
    if added:
        sys.path.insert(0, str(code_dir))
        importlib.invalidate_caches()
    try:
        yield
    finally:
        if added:
            sys.path.remove(str(code_dir))
        _forget_modules(code_dir)


def _forget_modules(code_dir: Path | None) -> None:
    """Drop the modules loaded from ``code_dir`` and every extension module."""
    root = str(code_dir.resolve()) if code_dir else None
    for name, module in list(sys.modules.items()):
        if name == EXTENSION_PACKAGE or name.startswith(EXTENSION_PACKAGE + "."):
            sys.modules.pop(name, None)
            continue
        filename = getattr(module, "__file__", None)
        if root and filename and str(Path(filename).resolve()).startswith(root + "/"):
            sys.modules.pop(name, None)


def record_app_loading(include: Sequence[str]) -> dict:
    """A trace of ``service.load_app()`` itself, with the configuration in force: where APIRouter builds its
    routes and loads extensions. A failed start is kept too, since it shows where it failed."""
    from sample_api import service

    recorder = Recorder(include=tuple(include))
    session = recorder.start(None)
    error: BaseException | None = None
    try:
        service.load_app()
    except Exception as exc:
        error = exc
    finally:
        recorder.stop(session)
    status = "500 Internal Server Error" if error else "200 OK"
    doc = session.finish(None, b"", status, [], b"", error)
    doc["request"].update(method="LOAD", path="sample_api.service.load_app()")
    return doc
