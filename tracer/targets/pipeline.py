"""sample_api's WSGI pipeline, with a delta probe in front of each layer (see :mod:`tracer.record.deltas`).

The URL map, each paste filter (``.application`` is the next app, as in every ``wsgi.Middleware``), the
compute router and, behind routes' middleware, the router's dispatch: each gets a probe, so that the
delta of each is what it changed before the next one ran. Only this module knows how sample_api's layers
hold the next one; the probes themselves know nothing of the app.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator

from tracer.record.deltas import DeltaRecorder, unwrap

#: How deep a pipeline may nest before the walk stops (a cycle would otherwise never end).
MAX_LAYERS = 32


def hop_of(app: object) -> str:
    """``module:qualname`` of the function that runs when ``app`` is called, as the recorder names it."""
    call = type(app).__call__ if callable(app) else None
    func = getattr(call, "func", call)  # webob.dec.wsgify keeps the function it decorates in .func
    func = getattr(func, "__func__", func)
    module = getattr(func, "__module__", type(app).__module__)
    qualname = getattr(func, "__qualname__", f"{type(app).__qualname__}.__call__")
    if callable(app) and not hasattr(app, "__dict__") and hasattr(app, "__qualname__"):
        module, qualname = app.__module__, app.__qualname__
    return f"{module}:{qualname}"


@contextlib.contextmanager
def probed(app: Callable, recorder: DeltaRecorder) -> Iterator[Callable]:
    """``app`` with a probe in front of it and of every layer inside it, meanwhile. The layers are changed in
    place (so the app must serve only the request being recorded meanwhile) and put back afterwards, so the
    same app can record its next request (the lessons send several through one app)."""
    _unprobe_inside(app, 0)  # a probe left by a request that crashed outright
    _probe_inside(app, recorder, 0)
    try:
        yield recorder.wrap(app, hop_of(app))
    finally:
        _unprobe_inside(app, 0)


def _probe_inside(app: object, recorder: DeltaRecorder, depth: int) -> None:
    if depth >= MAX_LAYERS:
        return
    from sample_api import wsgi
    from sample_api.api.openstack import urlmap

    if isinstance(app, urlmap.URLMap):
        mounted = []
        for url, inner in app.applications:
            _probe_inside(inner, recorder, depth + 1)
            mounted.append((url, recorder.wrap(inner, hop_of(inner))))
        app.applications = mounted
    elif isinstance(app, wsgi.Middleware):
        inner = app.application
        _probe_inside(inner, recorder, depth + 1)
        app.application = recorder.wrap(inner, hop_of(inner))
    elif isinstance(app, wsgi.Router):
        # routes' middleware matches the URL, puts the match in the environ, then calls the dispatcher
        routes_middleware = app._router
        dispatch = routes_middleware.app
        routes_middleware.app = recorder.wrap(dispatch, "sample_api.wsgi:Router._dispatch")


def _unprobe_inside(app: object, depth: int) -> None:
    """Every layer as it was before :func:`_probe_inside`."""
    if depth >= MAX_LAYERS:
        return
    from sample_api import wsgi
    from sample_api.api.openstack import urlmap

    if isinstance(app, urlmap.URLMap):
        app.applications = [(url, unwrap(inner)) for url, inner in app.applications]
        for _url, inner in app.applications:
            _unprobe_inside(inner, depth + 1)
    elif isinstance(app, wsgi.Middleware):
        app.application = unwrap(app.application)
        _unprobe_inside(app.application, depth + 1)
    elif isinstance(app, wsgi.Router):
        app._router.app = unwrap(app._router.app)
