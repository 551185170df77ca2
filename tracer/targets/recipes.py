"""Served requests kept as their inputs, traced later by re-running them: what ``tracer serve --detail rerun`` does.

Describing every value a request touches costs several times the request itself, and a server that paid
it for each request would answer at a fraction of its speed. A record-replay debugger (``rr``) shows the
way out: keep what the program read from outside while it runs, and replay it for detail when someone
asks. For a read-only request to sample_api that outside is small: the request as it came (without its
token), the moment it came (the clock it reads), a seed for the ids it draws, and the database as it was
(one copy per change of the data, shared by every request that read that version). That is a *recipe*.
The trace is made from it when first opened, or by the server while it has nothing else to do: the same
request, re-run on that copy with that clock and those ids, at call level for its hop times and then line
by line (:func:`tracer.record.rerun.record_by_rerun`), and checked against what the client really got.

Only ``GET`` and ``HEAD`` requests without a body, to the compute API, become recipes: the others write
(their re-run would need the generated passwords and keys a recipe must not hold) or carry secrets other
than the noauth token, and are recorded while they run, as before.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import secrets
import sys
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import parse_qsl

from tracer.model.redaction import (
    identity_tokens,
    is_secret_name,
    looks_like_token,
    redact_headers,
    remember_identity_token,
)
from tracer.model.trace import TraceError
from tracer.record.recorder import DEFAULT_INCLUDE, module_path
from tracer.targets.pipeline import record_with_deltas
from tracer.targets.router import recorded_route
from tracer.targets.sample_api import SampleApiWorld

#: what a recipe's JSON says it is (``format``), and its version
FORMAT = "tracer-recipe"
VERSION = 1
METHODS = ("GET", "HEAD")
#: the identity stand-in's answers hold tokens: its requests are recorded while they run
LIVE_MOUNTS = ("/identity",)
TOKEN_KEY = "HTTP_X_AUTH_TOKEN"
#: environ keys a re-run needs besides the headers (all strings)
_ENVIRON_KEYS = frozenset((
    "REQUEST_METHOD", "SCRIPT_NAME", "PATH_INFO", "QUERY_STRING", "SERVER_NAME", "SERVER_PORT",
    "SERVER_PROTOCOL", "REMOTE_ADDR", "CONTENT_TYPE", "wsgi.url_scheme",
))
COMPRESS_LEVEL = 1


def deferrable(environ: dict) -> bool:
    """Whether this request can be kept as a recipe: read-only, no body, and no secret but a ``user:project``
    token (an opaque token, a real one sent here by mistake, would be kept as the user and the project)."""
    if environ.get("REQUEST_METHOD") not in METHODS:
        return False
    token = environ.get(TOKEN_KEY)
    if token is not None and ":" not in token:
        return False
    if environ.get("CONTENT_LENGTH") not in (None, "", "0") or environ.get("HTTP_TRANSFER_ENCODING"):
        return False
    path = environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "")
    if any(path == mount or path.startswith(mount + "/") for mount in LIVE_MOUNTS):
        return False
    for key in environ:
        if key.startswith("HTTP_") and key != TOKEN_KEY and is_secret_name(key[5:]):
            return False
    query = environ.get("QUERY_STRING")
    return not query or not any(is_secret_name(name) for name, _ in parse_qsl(query, keep_blank_values=True))


class Generation:
    """One version of the database's data: its bytes, and (once computed) their digest and compressed form."""

    __slots__ = ("version", "data", "_digest", "_packed", "_tokens_checked", "_holds_token")

    def __init__(self, version: tuple[int, int], data: bytes) -> None:
        self.version = version
        self.data = data
        self._digest: str | None = None
        self._packed: bytes | None = None
        self._tokens_checked: tuple[str, ...] = ()
        self._holds_token = False

    def holds_identity_token(self) -> bool:
        """Whether a token taken as an identity (a keystone token sent by mistake) is in this data: such a copy
        is never kept, and the requests that would read it are recorded as they run instead."""
        tokens = tuple(identity_tokens())
        if tokens != self._tokens_checked:
            self._holds_token = any(token.encode() in self.data for token in tokens)
            self._tokens_checked = tokens
        return self._holds_token

    @property
    def digest(self) -> str:
        if self._digest is None:
            self._digest = hashlib.sha1(self.data).hexdigest()
        return self._digest

    @property
    def packed(self) -> bytes:
        if self._packed is None:
            self._packed = zlib.compress(self.data, COMPRESS_LEVEL)
        return self._packed


class Generations:
    """The database copy a recipe refers to: a new one only when the data changed since the last one."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._current: Generation | None = None

    def current(self) -> Generation:
        from sample_api import db

        current = self._current
        if current is not None and current.version == db.data_version():
            return current
        with self._lock:
            version, data = db.dump()
            if self._current is None or self._current.version != version:
                self._current = Generation(version, data)
            return self._current


def code_digests(prefixes: Sequence[str]) -> dict[str, str]:
    """``{display path: sha1 of its source}`` of every loaded module in scope: what a later re-run checks."""
    found = {}
    for name, module in list(sys.modules.items()):
        filename = getattr(module, "__file__", None)
        if not filename or not filename.endswith(".py"):
            continue
        if not any(name == prefix or name.startswith(prefix + ".") for prefix in prefixes):
            continue
        try:
            with open(filename, "rb") as file:
                found[module_path(name, filename)] = hashlib.sha1(file.read()).hexdigest()
        except OSError:
            continue
    return found


@dataclass
class Recipe:
    """What one served request leaves to be traced later; ``doc`` is its stored JSON form, ``summary`` the list row."""

    doc: dict
    summary: tuple
    generation: Generation

    def encode(self) -> bytes:
        return zlib.compress(json.dumps(self.doc, separators=(",", ":")).encode("utf-8"), COMPRESS_LEVEL)


class Activity:
    """Requests in flight and when the last one ended: the server is idle when none has run for a while."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.in_flight = 0
        self.last_end = time.monotonic()

    def begin(self) -> None:
        with self._lock:
            self.in_flight += 1

    def end(self) -> None:
        with self._lock:
            self.in_flight -= 1
            self.last_end = time.monotonic()

    def idle_for(self, seconds: float) -> bool:
        with self._lock:
            return self.in_flight == 0 and time.monotonic() - self.last_end >= seconds


class RecipeRecorder:
    """A WSGI app: read-only requests through ``app`` become recipes, the others go to ``live``.

    ``on_recipe`` gets each :class:`Recipe` after the response is made (as the recorder's ``on_trace``
    gets a document); ``code`` is :func:`code_digests` of the served application.
    """

    def __init__(self, app: Callable, live: Callable, on_recipe: Callable[[Recipe], None],
                 include: Sequence[str] = DEFAULT_INCLUDE, code: dict[str, str] | None = None,
                 extensions_dir: str | None = None, activity: Activity | None = None) -> None:
        self.app = app
        self.live = live
        self.on_recipe = on_recipe
        self.include = list(include)
        self.code = code or {}
        self.extensions_dir = extensions_dir
        self.activity = activity or Activity()
        self.generations = Generations()

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        self.activity.begin()
        try:
            token = environ.get(TOKEN_KEY)
            if looks_like_token(token):
                remember_identity_token(token)  # noauth2 takes it as user and project: it goes into rows
            if not deferrable(environ) or self.generations.current().holds_identity_token():
                return self.live(environ, start_response)
            status, headers, body, recipe = self.record(environ)
            self.on_recipe(recipe)
            start_response(status, headers)
            return [body]
        finally:
            self.activity.end()

    def record(self, environ: dict) -> tuple[str, list, bytes, Recipe]:
        """Run the request on a fixed clock and seeded ids; returns the response and its recipe."""
        from sample_api import db

        kept = {key: value for key, value in environ.items()
                if (key in _ENVIRON_KEYS or key.startswith("HTTP_")) and key != TOKEN_KEY and type(value) is str}
        had_token = TOKEN_KEY in environ
        generation = self.generations.current()
        world = SampleApiWorld(seed=secrets.randbits(64))
        captured: dict = {}

        def start_response(status: str, headers: list, exc_info: object = None) -> Callable:
            captured["status"], captured["headers"] = status, list(headers)
            return captured.setdefault("written", []).append

        started = time.perf_counter_ns()
        # The request reads one consistent copy of the database from start to end, the very copy its re-run
        # will read: a write by another request meanwhile changes neither what it answers nor its re-run.
        private = db.from_dump(generation.data)
        previous = db.use(private)
        try:
            with world.fixed():
                result = self.app(environ, start_response)
                try:
                    body = b"".join(captured.get("written", ())) + b"".join(result)
                finally:
                    close = getattr(result, "close", None)
                    if close is not None:
                        close()
        finally:
            db.use(previous)
            changed = private.total_changes != 0  # a read-only request that wrote: only its copy saw it
            private.close()
        duration_us = (time.perf_counter_ns() - started) // 1000
        status = captured.get("status", "500 Internal Server Error")
        headers = captured.get("headers", [])
        context = environ.get("nova.context")
        user, project = getattr(context, "user_id", None), getattr(context, "project_id", None)
        code, _, _reason = status.partition(" ")
        path = (kept.get("SCRIPT_NAME", "") + kept.get("PATH_INFO", "")) or "/"
        query = kept.get("QUERY_STRING")
        recorded_at = world.instant.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        request_id = environ.get("openstack.request_id")
        doc = {
            "format": FORMAT,
            "version": VERSION,
            "environ": kept,
            # the token is the user and the project (noauth2): the re-run sends them again, the recipe never holds it
            "token": None if not had_token else [user, project] if user else [],
            "instant": world.instant.isoformat(),
            "seed": world.seed,
            "database_changed": changed,
            "include": self.include,
            "extensions_dir": self.extensions_dir,
            "code": self.code,
            "response": {"status": status, "headers": [list(pair) for pair in redact_headers(dict(headers)).items()],
                         "sha1": hashlib.sha1(body).hexdigest(), "length": len(body)},
            "duration_us": duration_us,
            "recorded_at": recorded_at,
            "request_id": request_id,
        }
        summary = (recorded_at, user, project, kept.get("REQUEST_METHOD", "GET"),
                   path + (f"?{query}" if query else ""), int(code) if code.isdigit() else 0, duration_us,
                   None, None, request_id)  # hops and events: not known until the trace is built
        return status, headers, body, Recipe(doc, summary, generation)


# -- later: the trace from a recipe --------------------------------------------------------------


class RecipeError(TraceError):
    """A recipe that cannot be re-run (malformed, or the re-run crashed); one line for the user."""


def decode(blob: bytes) -> dict:
    try:
        recipe = json.loads(zlib.decompress(blob))
    except (zlib.error, ValueError, UnicodeDecodeError) as exc:
        raise RecipeError(f"the stored recipe is corrupt ({exc})") from None
    if not isinstance(recipe, dict) or recipe.get("format") != FORMAT:
        raise RecipeError("the stored recipe is not a tracer recipe")
    if recipe.get("version") != VERSION:
        raise RecipeError(f"recipe version {recipe.get('version')!r} (this tracer re-runs version {VERSION})")
    return recipe


def rebuild_environ(recipe: dict) -> dict:
    """The WSGI environ of the request again, its token rebuilt from the user and project it named."""
    environ = dict(recipe["environ"])
    token = recipe.get("token")
    if token is not None:
        environ[TOKEN_KEY] = ":".join(token)
    environ.update({
        "wsgi.input": io.BytesIO(b""), "wsgi.errors": sys.stderr, "wsgi.version": (1, 0),
        "wsgi.multithread": True, "wsgi.multiprocess": False, "wsgi.run_once": False,
    })
    environ.setdefault("wsgi.url_scheme", "http")
    return environ


class _RecipeWorld(SampleApiWorld):
    """The recipe's clock, ids and database (see ``tracer.record.rerun.World``): each run gets its own copy."""

    def __init__(self, recipe: dict, data: bytes) -> None:
        super().__init__(datetime.fromisoformat(recipe["instant"]), int(recipe["seed"]))
        self._data = data

    def save(self) -> None:
        """Nothing to save: every run starts from the recipe's copy of the database."""

    @contextlib.contextmanager
    def restored(self) -> Iterator[None]:
        from sample_api import db

        copy = db.from_dump(self._data)
        previous = db.use(copy)
        try:
            yield
        finally:
            db.use(previous)
            copy.close()


def build_trace(recipe: dict, data: bytes, app: Callable) -> dict:
    """The trace of a recipe's request: re-run on ``app`` (a sample_api app) with the recipe's inputs.

    Hop times are those of the call-level re-run (the request itself recorded none), and so are the per-hop
    deltas (the served request paid for no probe); ``duration_us`` is
    the request's as served. ``meta["line_detail"]`` says whether the re-run answered exactly what the
    client got, and what else a reader should know (data changed during the request, code changed since).
    """
    from tracer.record.rerun import record_by_rerun

    served = recipe["response"]
    world = _RecipeWorld(recipe, data)

    def rerun(app_with_probes: Callable) -> dict:  # the first run goes through the delta probes, the second not
        return record_by_rerun(app_with_probes, lambda: rebuild_environ(recipe),
                               recipe.get("include") or DEFAULT_INCLUDE, world, twin=app,
                               check=lambda status, headers, body: _served_difference(served, status, headers, body))

    try:
        with world.restored():
            doc = record_with_deltas(app, None, rerun, recorded_route(app))  # and how the router routed it
    except Exception as exc:  # noqa: BLE001 - whatever the re-run raised, the reader gets one line
        raise RecipeError(f"re-running the request failed: {type(exc).__name__}: {exc}") from None
    notes = []
    if recipe.get("database_changed"):
        notes.append("this read-only request wrote to the database: it ran on its own copy, so the served "
                     "database never saw the change (the re-run made it again on the same copy)")
    changed = sorted(path for path, digest in (recipe.get("code") or {}).items()
                     if path in doc["files"] and _sha1(doc["files"][path]) != digest)
    if changed:
        notes.append(f"the code changed since the request was served: {', '.join(changed)}")
    doc["meta"]["line_detail"].update({"timing": "rerun", "notes": notes})
    doc["meta"].update({"recorded_at": recipe["recorded_at"], "request_id": recipe.get("request_id"),
                        "served_as": "recipe", "rerun_duration_us": doc["duration_us"]})
    doc["duration_us"] = int(recipe["duration_us"])
    return doc


_apps: dict[str | None, Callable] = {}
_apps_lock = threading.Lock()


def build_in_process(recipe: dict, data: bytes) -> dict:
    """:func:`build_trace` on a sample_api app of this process's own, loaded once (``tracer show``, ``tracer tui``).

    Loading it configures sample_api in this process (its own demo database, never read: every run reads
    the recipe's copy); a process that serves sample_api passes its own app to :func:`build_trace` instead.
    """
    from tracer.targets.sample_api import load_sample_api

    extensions_dir = recipe.get("extensions_dir")
    with _apps_lock:
        app = _apps.get(extensions_dir)
        if app is None:
            try:
                app = _apps[extensions_dir] = load_sample_api(None, extensions_dir)
            except Exception as exc:  # noqa: BLE001 - e.g. the extensions folder is gone
                raise RecipeError(f"cannot load sample_api to re-run it: {exc}") from None
        return build_trace(recipe, data, app)


class ServedAppBuilder:
    """Builds a stored recipe's trace on the app that served it (``tracer serve``, while idle)."""

    def __init__(self, app: Callable) -> None:
        self.app = app

    def decode(self, blob: bytes) -> dict:
        return decode(blob)

    def build(self, recipe: dict, data: bytes) -> dict:
        return build_trace(recipe, data, self.app)


class InProcessBuilder:
    """Builds a stored recipe's trace on a sample_api app of this process's own (``tracer show``, ``tracer tui``)."""

    def decode(self, blob: bytes) -> dict:
        return decode(blob)

    def build(self, recipe: dict, data: bytes) -> dict:
        return build_in_process(recipe, data)


def _sha1(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def _served_difference(served: dict, status: str, headers: list, body: bytes) -> str | None:
    """How the re-run's response differs from the one the client got (None: it does not)."""
    if status != served["status"]:
        return f"the re-run answered {status!r}, the client got {served['status']!r}"
    if [list(pair) for pair in redact_headers(dict(headers)).items()] != served["headers"]:
        return "the re-run's response headers differed from the ones the client got"
    if hashlib.sha1(body).hexdigest() != served["sha1"]:
        return "the re-run's response body differed from the one the client got"
    return None
