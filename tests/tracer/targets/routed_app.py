"""A small WSGI app with a filter and a routes router of its own: the ``module:callable`` target's tests use it
(``--target tests.tracer.targets.routed_app:app``) for ``tracer route`` and ``--deltas`` on an app tracer
knows nothing of."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable

import routes
import routes.middleware


class UserFilter:
    """Puts who is asking into the environ, and names the app in a response header."""

    def __init__(self, application: Callable) -> None:
        self.application = application

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        environ["routed_app.user"] = environ.get("HTTP_X_USER", "anonymous")

        def with_header(status: str, headers: list, exc_info: object = None) -> Callable:
            return start_response(status, [*headers, ("X-Served-By", "routed_app")])

        return self.application(environ, with_header)


class Router:
    """Routes by URL with a routes Mapper, as Nova's router does: the detail route comes before /things/{id}."""

    def __init__(self) -> None:
        self.map = routes.Mapper()
        self.map.connect("things", "/things", controller="things", action="index", conditions={"method": ["GET"]})
        self.map.connect("things_detail", "/things/detail", controller="things", action="detail",
                         conditions={"method": ["GET"]})
        self.map.connect("thing", "/things/{id}", controller="things", action="show", conditions={"method": ["GET"]})
        self.map.connect(None, "/things/{id}", controller="things", action="update", conditions={"method": ["PUT"]})
        self.map.connect("key", "/keys/{api_key}", controller="keys", action="check")
        self.middleware = routes.middleware.RoutesMiddleware(self.dispatch, self.map)

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        return self.middleware(environ, start_response)

    def dispatch(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        match = environ["wsgiorg.routing_args"][1]
        if not match:
            return answer(start_response, "404 Not Found", {"error": "no route"})
        if match["action"] == "update":
            return answer(start_response, "400 Bad Request", {"error": f"{match['id']!r} cannot be changed"})
        if match["action"] == "check":
            return answer(start_response, "204 No Content", None)
        found = {key: value for key, value in match.items() if key not in ("controller", "action")}
        return answer(start_response, "200 OK", {"action": match["action"], **found,
                                                 "user": environ["routed_app.user"]})


def answer(start_response: Callable, status: str, document: dict | None) -> list[bytes]:
    body = json.dumps(document).encode() if document is not None else b""
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]


app = UserFilter(Router())
