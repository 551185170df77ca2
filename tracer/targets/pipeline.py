"""Any WSGI pipeline, walked layer by layer, with a delta probe in front of each layer (tracer.record.deltas).

A WSGI middleware keeps the app it calls next in a public attribute: ``.application`` (Nova's and
oslo.middleware's filters, sample_api's), ``.app`` (routes' ``RoutesMiddleware``, many paste filters), or a
list of mounted apps (a URL map's ``.applications``). A router built on routes (an object with a ``.map`` that
is a ``routes.Mapper``) holds the ``RoutesMiddleware`` that matches the URL and then calls the router's
dispatch. Following these, the walk finds every layer of sample_api, of Nova's paste pipeline and of most
WSGI apps, without knowing any of them; a layer that keeps its next app some other way ends the walk there
(its delta then covers everything below it).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from tracer.record.deltas import DeltaRecorder, make_probe, unwrap

#: How deep a pipeline may nest before the walk stops (a cycle would otherwise never end).
MAX_LAYERS = 32
#: The attributes a middleware keeps its next app in, tried in this order.
NEXT_APP = ("application", "app")


def hop_of(app: object) -> str:
    """``module:qualname`` of the function that runs when ``app`` is called, as the recorder names it."""
    wrapped = getattr(app, "func", None)  # webob.dec.wsgify keeps the function it decorates in .func
    if _is_function(wrapped) and not isinstance(app, type):
        return f"{wrapped.__module__}:{wrapped.__qualname__}"
    call = type(app).__call__ if callable(app) else None
    func = getattr(call, "func", call)  # a class whose __call__ is decorated with wsgify
    func = getattr(func, "__func__", func)
    module = getattr(func, "__module__", type(app).__module__)
    qualname = getattr(func, "__qualname__", f"{type(app).__qualname__}.__call__")
    if _is_function(app):
        module, qualname = app.__module__, app.__qualname__
    return f"{module}:{qualname}"


def _is_function(value: object) -> bool:
    return callable(value) and hasattr(value, "__code__") and hasattr(value, "__qualname__")


@dataclass
class Link:
    """Where one layer keeps the next: ``holder.attribute`` (or item ``index`` of the list in it)."""

    holder: object
    attribute: str
    index: int | None = None  # a URL map's mounted apps: the position in its list

    def get(self) -> object:
        value = getattr(self.holder, self.attribute)
        if self.index is None:
            return value
        return value[self.index][1]

    def set(self, app: object) -> None:
        if self.index is None:
            setattr(self.holder, self.attribute, app)
            return
        mounted = list(getattr(self.holder, self.attribute))
        where, _old = mounted[self.index]
        mounted[self.index] = (where, app)
        setattr(self.holder, self.attribute, mounted)


def is_mapper(value: object) -> bool:
    """True for a routes ``Mapper`` (the router's table of routes)."""
    try:
        from routes import Mapper
    except ImportError:
        return False
    return isinstance(value, Mapper)


def routes_middleware_of(router: object) -> object | None:
    """The ``routes.middleware.RoutesMiddleware`` a router object holds for its ``.map`` (None: it holds none).

    Found by what it is, among the router's attributes, and never called: routers name it as they like.
    """
    try:
        from routes.middleware import RoutesMiddleware
    except ImportError:
        return None
    mapper = getattr(router, "map", None)
    if isinstance(router, RoutesMiddleware) or not is_mapper(mapper):
        return None
    for value in vars(router).values() if hasattr(router, "__dict__") else ():
        if isinstance(value, RoutesMiddleware) and value.mapper is mapper:
            return value
    return None


def links_of(app: object) -> list[Link]:
    """Where ``app`` keeps the apps it may call next (empty: a layer whose next app tracer cannot see)."""
    app = unwrap(app)
    if isinstance(app, type) or not hasattr(app, "__dict__"):
        return []
    mounted = vars(app).get("applications")  # instance attributes only: each can be set back as it was
    if isinstance(mounted, list) and mounted and all(isinstance(item, tuple) and len(item) == 2 for item in mounted):
        return [Link(app, "applications", n) for n in range(len(mounted)) if _is_app(mounted[n][1])]
    middleware = routes_middleware_of(app)
    if middleware is not None and _is_app(middleware.app):
        return [Link(middleware, "app")]
    for attribute in NEXT_APP:
        inner = vars(app).get(attribute)
        if _is_app(inner):
            return [Link(app, attribute)]
    return []


def _is_app(value: object) -> bool:
    """A WSGI app may be called with (environ, start_response): a callable that is no class and no module."""
    return value is not None and callable(value) and not isinstance(value, type)


def layers(app: object) -> Iterator[tuple[int, object]]:
    """``(depth, layer)`` for ``app`` and every layer inside it, outermost first."""
    seen: set[int] = set()

    def walk(layer: object, depth: int) -> Iterator[tuple[int, object]]:
        layer = unwrap(layer)
        if depth >= MAX_LAYERS or id(layer) in seen:
            return
        seen.add(id(layer))
        yield depth, layer
        for link in links_of(layer):
            yield from walk(link.get(), depth + 1)

    yield from walk(app, 0)


def routers(app: object) -> list[object]:
    """Every layer of ``app`` that routes with a routes ``Mapper`` (a ``.map``, or a RoutesMiddleware's
    ``.mapper``), outermost first."""
    found = []
    for _depth, layer in layers(app):
        if is_mapper(getattr(layer, "map", None)) or is_mapper(getattr(layer, "mapper", None)):
            found.append(layer)
    return found


def mapper_of(router: object):
    """The routes ``Mapper`` of a layer :func:`routers` found."""
    mapper = getattr(router, "map", None)
    return mapper if is_mapper(mapper) else router.mapper


@contextlib.contextmanager
def probed(app: Callable, recorder: DeltaRecorder) -> Iterator[Callable]:
    """``app`` with a probe in front of it and of every layer inside it, meanwhile.

    The app returned records into ``recorder`` (each request through it starts the recorder over, so it
    keeps the last one); the layers inside are changed in place and record only while such a request runs,
    so a re-run through the bare app passes them by. They are put back afterwards, so the same app can
    record its next request (the lessons send several through one app), unless they were there before
    (``tracer serve`` probes the app it serves for as long as it serves it).
    """
    served = is_probed(app)  # a served app keeps its probes while it is served: leave them to the server
    if not served:
        install_probes(app)
    try:
        yield recorder.wrap(app, hop_of(app))
    finally:
        if not served:
            unprobe(app)


def is_probed(app: object) -> bool:
    """True when a layer inside ``app`` has a probe in front of it."""
    return any(getattr(link.get(), "__name__", None) == "delta_probe" for link in _links_inside(app))


def install_probes(app: object) -> None:
    """A probe in front of every layer inside ``app`` (not ``app`` itself: nothing holds it to be changed).

    The probes record into whichever :class:`DeltaRecorder` is watching the request being served, and pass
    the request on untouched otherwise. A layer already probed is left as it is.
    """
    for link in _links_inside(app):
        inner = link.get()
        if getattr(inner, "__name__", None) != "delta_probe":
            link.set(make_probe(inner, hop_of(inner)))


def unprobe(app: object) -> None:
    """Every layer inside ``app`` as it was before :func:`install_probes`."""
    for link in _links_inside(app):
        link.set(unwrap(link.get()))


def _links_inside(app: object) -> list[Link]:
    found: list[Link] = []
    seen: set[int] = set()

    def walk(layer: object, depth: int) -> None:
        layer = unwrap(layer)
        if depth >= MAX_LAYERS or id(layer) in seen:
            return
        seen.add(id(layer))
        for link in links_of(layer):
            found.append(link)
            walk(link.get(), depth + 1)

    walk(app, 0)
    return found


def record_with_deltas(app: Callable, body: bytes | None, record: Callable[[Callable], dict],
                       explain: Callable[[DeltaRecorder], dict | None] | None = None) -> dict:
    """``record(app_with_probes)``'s trace document, with the deltas of the last request through the probes
    (the request itself: a re-run goes through the bare app) in its ``deltas`` and, when ``explain`` says
    how the router routed it (from the environ it received), that in its ``route``."""
    deltas = DeltaRecorder(body)
    with probed(app, deltas) as app_with_probes:
        doc = record(app_with_probes)
    route = explain(deltas) if explain is not None else None
    doc["deltas"] = deltas.deltas()
    deltas.let_go()
    if route is not None:
        doc["route"] = route
    return doc
