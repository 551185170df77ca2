"""``tracer route``: how a target's router routes METHOD PATH, and what the app then answered.

The explanation itself is :func:`tracer.targets.router.explain_mapper`, asked of routes' own ``Mapper``.
For sample_api it is asked of a fresh app (a fresh demo database) before the request is sent once to say
what the code behind the route answered. For Nova and a ``module:callable`` app, the router is found by
walking the app's WSGI pipeline (:mod:`tracer.targets.pipeline`), and the request is sent once through
probes, so that the router is asked with the very PATH_INFO and SCRIPT_NAME it received.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from pathlib import Path

from tracer.record.deltas import DeltaRecorder
from tracer.targets.pipeline import probed, routers
from tracer.targets.router import RouteExplanation, explain_reached, explain_router, request_secrets
from tracer.targets.sample_api import (
    API_PREFIX,
    DEFAULT_HOST,
    RequestError,
    RequestSpec,
    build_environ,
    load_sample_api,
    normalize_path,
)
from tracer.targets.sample_api import normalize_method as _normalize_method

#: What ``tracer route`` says of an app whose pipeline holds no routes router.
NO_ROUTER = ("its WSGI pipeline has no router built on routes (a layer whose .map is a routes.Mapper), "
             "which is what tracer route explains")


def explain(method: str, path: str, extensions_dir: str | None = None, target: str = "sample_api") -> RouteExplanation:
    """Ask ``target``'s router how it routes ``method path``, and what the app then answered."""
    if target not in ("sample_api", "sample-api"):
        if extensions_dir is not None:
            raise RequestError("--extensions-dir is sample_api's; give it without --target")
        return explain_on_target(target, method, path)
    method = _normalize_method(method)
    full = build_environ(RequestSpec(method=method, path=path))  # checks the path, adds /v2.1
    full_path = full["PATH_INFO"]
    try:
        full_path.encode("latin-1").decode("utf-8")
    except UnicodeError:
        raise RequestError(f"{path!r} is not valid UTF-8 once unquoted: the URL map answers 400 before any router"
                           " sees it") from None
    if not full_path.startswith(API_PREFIX + "/") or full_path == API_PREFIX + "/":
        raise RequestError(f"{full_path!r} is not routed by the compute API's router (it serves {API_PREFIX}/...);"
                           " give a path such as /servers/detail")
    app = load_sample_api(None, str(Path(extensions_dir)) if extensions_dir else None)
    secrets = request_secrets(full)
    try:
        explanation = explain_router(app, method, full_path, API_PREFIX, DEFAULT_HOST, secrets)
    except LookupError as exc:
        raise RequestError(str(exc)) from None
    status, answer = _answer(app, method, path)
    explanation.status, explanation.answer = status, secrets.scrub(answer)  # a fault may quote the URL
    return explanation


def explain_on_target(name: str, method: str, path: str) -> RouteExplanation:
    """``tracer route --target nova|module:callable``: the request sent once (as admin), and the router it
    reached asked how it routed it."""
    import webob

    from tracer.targets.choose import target_named

    method = _normalize_method(method)
    normalize_path(path)  # one line for what is no path at all
    target = target_named(name)
    nova = target.name == "nova"
    spec = RequestSpec(method=method, path=path)
    environ = build_environ(spec, compute_api=nova)  # Nova's URL map mounts the compute API at /v2.1 too
    app, _twin = target.load_twins(None, None)
    found = routers(app)
    if not found:
        raise RequestError(f"--target {target.name}: {NO_ROUTER}")
    deltas = DeltaRecorder()
    with probed(app, deltas) as app_with_probes, _world(nova):
        response = webob.Request(environ).get_response(app_with_probes)
    reached = explain_reached(found, deltas)
    deltas.let_go()
    if reached is None:
        raise RequestError(f"{method} {path} never reached the router of {target.name}: the layers in front of "
                           f"it answered {response.status} (tracer run {method} {path} --target {name} shows them)")
    explanation, secrets = reached
    explanation.status, explanation.answer = response.status, secrets.scrub(_fault_message(response.body))
    return explanation


@contextlib.contextmanager
def _world(nova: bool) -> Iterator[None]:
    """For Nova, its databases, clock and ids as they were, afterwards (a DELETE explained deletes nothing)."""
    if not nova:
        yield
        return
    from tracer.targets.nova import NovaWorld

    world = NovaWorld()
    world.save()
    with world.restored(), world.fixed():
        yield


def _answer(app, method: str, path: str) -> tuple[str, str]:
    """What the whole app answers to the request, as admin (a fresh demo database, thrown away after)."""
    import webob

    request = webob.Request(build_environ(RequestSpec(method=method, path=path)))
    response = request.get_response(app)
    return response.status, _fault_message(response.body)


def _fault_message(body: bytes) -> str:
    """The message of a fault body (``{"itemNotFound": {"message": ...}}``), or ''."""
    try:
        fault = json.loads(body or b"{}")
    except ValueError:
        return ""
    if isinstance(fault, dict) and len(fault) == 1:
        inner = next(iter(fault.values()))
        if isinstance(inner, dict) and "message" in inner:
            return str(inner["message"])
    return ""
