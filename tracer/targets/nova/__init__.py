"""The ``nova`` target: OpenStack Nova 34's compute API, run in this process and recorded like sample_api.

``pip install 'tracer[nova]'`` installs the Nova release this target was written against. ``load_twins``
gives the app (one per process: Nova's state is global), ``record_request`` records one request through it,
and :class:`NovaWorld` gives a re-run the request's world back: the clock, ids and the three databases.
"""

from __future__ import annotations

import contextlib
import random
import secrets
import sqlite3
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from types import CodeType

from tracer.model.labels import load_labels
from tracer.model.tracefile import gc_paused
from tracer.record.recorder import Recorder
from tracer.record.rerun import reached_codes, record_by_rerun, seeded_randomness
from tracer.targets import LABEL_FILES
from tracer.targets.nova import setup
from tracer.targets.nova.setup import NOVA_VERSION, NovaMissing, nova_version
from tracer.targets.sample_api import RequestSpec, build_environ
from tracer.targets.stamp import stamp

__all__ = ["NOVA_VERSION", "NovaMissing", "NovaWorld", "load_twins", "record_request", "version_warning"]

NAME = "nova"
INCLUDE = ("nova",)
#: where the pdb walkthrough of GET /servers/detail stops, as in the blog walkthrough of Nova's API with pdb
STOP = "ViewBuilder.show"
DISTRIBUTIONS = ("nova", "webob", "routes", "sqlalchemy", "oslo.db", "oslo.policy", "oslo.messaging")

_app_lock = threading.Lock()
_app: list[Callable] = []


def version_warning() -> str | None:
    """A warning when the installed Nova is not the release tracer was written against (best effort then)."""
    installed = nova_version()
    if installed != NOVA_VERSION:
        return (f"Nova {installed} is installed; tracer's nova target was written against {NOVA_VERSION} "
                f"(pip install 'tracer[nova]'): labels and demo data may not fit")
    return None


def load_app() -> Callable:
    """Nova's compute API (``osapi_compute`` from its api-paste.ini), ready: one per process, warmed once.

    The first request of a fresh Nova loads its policy rules, its cells and its routes' regular expressions;
    one untraced request does that here, so a recorded request and its re-run take the same path.
    """
    with _app_lock:
        if _app:
            return _app[0]
        from paste.deploy import loadapp

        with gc_paused(keep=True):  # Nova's modules, objects and routes: all live as long as the process
            folder = setup.start()
            app = loadapp(f"config:{folder / 'api-paste.ini'}", name="osapi_compute")
        world = NovaWorld()
        world.save()
        with world.restored():
            environ = build_environ(RequestSpec("GET", "/servers/detail"))
            _drain(app, environ)
        _app.append(app)
        return app


def _drain(app: Callable, environ: dict) -> None:
    result = app(environ, lambda status, headers, exc_info=None: None)
    try:
        b"".join(result)
    finally:
        close = getattr(result, "close", None)
        if close is not None:
            close()


def load_twins(db_path: str | None = None, extensions_dir: str | None = None) -> tuple[Callable, Callable]:
    """The app twice: Nova cannot be built a second time in one process, and a warmed app is its own twin."""
    if db_path is not None or extensions_dir is not None:
        raise ValueError("--db and --extensions-dir are sample_api's; the nova target keeps its own databases")
    app = load_app()
    return app, app


class NovaWorld:
    """Nova's state around one request, as a re-run needs it (see ``tracer.record.rerun.World``).

    The clock frozen (``oslo_utils.timeutils.utcnow``, the clock Nova reads, replaced meanwhile),
    uuids from a seeded generator, and the three SQLite databases copied with SQLite's backup before the first
    run, put back for the re-run and then replaced by what the first run left. The clock is frozen for the
    whole process meanwhile: Nova reads it from a module global.
    """

    def __init__(self, instant: datetime | None = None, seed: int | None = None) -> None:
        self.instant = instant or datetime.now(UTC)
        self.seed = secrets.randbits(64) if seed is None else seed
        self._saved: dict[str, sqlite3.Connection] = {}

    @contextlib.contextmanager
    def fixed(self) -> Iterator[None]:
        from nova import utils
        from oslo_utils import timeutils

        instant = self.instant
        real_utcnow = timeutils.utcnow

        def utcnow(with_timezone: bool = False) -> datetime:
            return instant if with_timezone else instant.replace(tzinfo=None)

        timeutils.utcnow = utcnow  # the clock every Nova module reads (oslo.utils' advice over its overrides)
        real_random = utils.random
        utils.random = _SeededRandomModule(self.seed)  # generate_password's random.SystemRandom()
        try:
            with seeded_randomness(self.seed):
                yield
        finally:
            utils.random = real_random
            timeutils.utcnow = real_utcnow

    def save(self) -> None:
        self._saved = {name: _copy(path, sqlite3.connect(":memory:")) for name, path in _databases().items()}

    @contextlib.contextmanager
    def restored(self) -> Iterator[None]:
        files = _databases()
        after = {name: _copy(path, sqlite3.connect(":memory:")) for name, path in files.items()}
        try:
            for name, path in files.items():
                _restore(self._saved[name], path)
            yield
        finally:
            for name, path in files.items():
                _restore(after[name], path)
                after[name].close()
                self._saved[name].close()
            self._saved = {}


class _SeededRandomModule:
    """``random`` as ``nova.utils`` sees it in a fixed world: ``SystemRandom()`` is a generator seeded once per
    entry, so the admin password a POST /servers makes is the same in the request and its re-run."""

    def __init__(self, seed: int) -> None:
        self._generator = random.Random(seed)

    def SystemRandom(self) -> random.Random:  # noqa: N802 (the name nova.utils calls)
        return self._generator

    def __getattr__(self, name: str) -> object:
        return getattr(random, name)


def _databases() -> dict[str, Path]:
    folder = setup.start()
    return {name: folder / f"{name}.sqlite" for name in setup.DATABASES}


def _copy(path: Path, target: sqlite3.Connection) -> sqlite3.Connection:
    source = sqlite3.connect(path)
    try:
        source.backup(target)
    finally:
        source.close()
    return target


def _restore(saved: sqlite3.Connection, path: Path) -> None:
    live = sqlite3.connect(path)
    try:
        saved.backup(live)
    finally:
        live.close()


def warm(app: Callable, spec: RequestSpec) -> set[CodeType]:
    """Send ``spec`` once, untraced, and drop what it wrote; returns the code objects it ran.

    Nova and SQLAlchemy do some work only the first time a kind of request comes (compiling a query, a
    column type's dialect); a request and its re-run must take the same path, so both come after this one:
    the trace shows the request as a server that has answered one like it before runs it. What it ran tells
    the recorded request which of Nova's thousands of functions to make ready (see ``reached_codes``).
    """
    world = NovaWorld()
    world.save()
    with world.restored(), world.fixed():
        return reached_codes(lambda: _drain(app, build_environ(spec)))


def record_request(
    spec: RequestSpec, app: Callable | None = None, include: Sequence[str] = INCLUDE, detail: str = "line",
    rerun: bool = True, twin: Callable | None = None,
) -> dict:
    """Send ``spec`` through Nova while recording; returns the trace document (see the sample_api target's).

    With line detail from a re-run, the request is first sent once untraced (see :func:`warm`).
    """
    environ = build_environ(spec)
    if app is None:
        app, twin = load_twins()
    labels = load_labels(LABEL_FILES[NAME])
    if detail == "line" and rerun:
        reached = warm(app, spec)
        doc = record_by_rerun(app, lambda: build_environ(spec), include, NovaWorld(), twin, labels=labels,
                              reached=reached)
    else:
        recorder = Recorder(include=tuple(include), detail=detail, labels=labels)
        _status, _headers, _body, doc = recorder.call_wsgi(app, environ)
    stamp(doc, NAME, DISTRIBUTIONS, STOP)
    if spec.method == "POST" and doc["response"]["status"] == 202 and _creates_server(environ):
        doc["meta"]["target"]["notes"] = [BUILD_NOTE]
    return doc


#: why a server made by POST /servers stays BUILD here
BUILD_NOTE = ("the new server stays BUILD: Nova cast the build to the conductor over an in-memory message bus "
              "(transport_url fake:/) where no conductor, scheduler or compute service listens")


def _creates_server(environ: dict) -> bool:
    path = environ.get("PATH_INFO", "").rstrip("/")
    return path.endswith("/servers")


def installed() -> bool:
    """True when Nova can be imported here (tests skip the nova target's tests otherwise)."""
    try:
        nova_version()
    except NovaMissing:
        return False
    return "nova" in sys.modules or _importable()


def _importable() -> bool:
    from importlib.util import find_spec

    return find_spec("nova") is not None
