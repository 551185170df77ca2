"""Why a URL reached its method: the compute router's routes, tried in order, asked one by one.

routes' ``Mapper`` tries its routes in the order they were connected and takes the first whose path
pattern and conditions (the HTTP method) match. ``GET /servers/detail`` reaches ``detail`` and not
``show(id='detail')`` only because the ``detail`` route was connected first; ``PUT /servers/detail``
is a 400 and not a 404 because ``/servers/{id}`` with ``PUT`` matches, binding ``id='detail'``, and
what the controller then does decides the status. The explainer asks each route itself
(``Route.match``) and the mapper (``Mapper.routematch``) for the winner, so the answer is routes' own.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from tracer.model.redaction import is_secret_name, redaction_label
from tracer.model.values import ValueTable
from tracer.record.deltas import DeltaRecorder
from tracer.record.exchange import describe_request
from tracer.targets.pipeline import mapper_of, routers

#: Keys of a match that are routes' own bookkeeping, not variables bound from the URL.
NOT_VARIABLES = ("controller", "action")


@dataclass
class RouteTry:
    """One route as the router tried it."""

    index: int  # position in the mapper's list: the order routes tries them
    name: str | None
    methods: list[str]  # the method condition (empty: any method)
    pattern: str  # routes' path pattern, e.g. /servers/:(id)
    controller: str  # the controller class behind it
    action: str
    outcome: str  # matched, shadowed (would match, but an earlier route won), method, path
    variables: dict[str, str] = field(default_factory=dict)
    reason: str = ""

    def to_dict(self) -> dict:
        return {"index": self.index, "name": self.name, "methods": self.methods, "pattern": self.pattern,
                "controller": self.controller, "action": self.action, "outcome": self.outcome,
                "variables": self.variables, "reason": self.reason}


@dataclass
class RouteExplanation:
    method: str
    path: str  # PATH_INFO as the router sees it (the URL map moved /v2.1 into SCRIPT_NAME)
    script_name: str
    tried: list[RouteTry]
    winner: RouteTry | None
    status: str  # what the whole app answered
    answer: str  # the fault's message, if any

    @property
    def near_misses(self) -> list[RouteTry]:
        return [t for t in self.tried
                if t.outcome in ("shadowed", "method") or (t.outcome == "path" and _close(t.pattern, self.path))]

    def to_dict(self) -> dict:
        return {
            "method": self.method, "path": self.path, "script_name": self.script_name,
            "routes": len(self.tried),
            "tried_before_match": self.winner.index + 1 if self.winner else len(self.tried),
            "match": self.winner.to_dict() if self.winner else None,
            "near_misses": [t.to_dict() for t in self.near_misses],
            "status": self.status, "answer": self.answer,
        }


def explain_router(app: object, method: str, full_path: str, prefix: str, host: str,
                   table: ValueTable | None = None) -> RouteExplanation:
    """How the compute router of ``app`` routes ``method full_path`` (a path under /v2.1/), without sending it.

    ``prefix`` is where the URL map mounts the compute API (``/v2.1``), ``host`` the request's Host.
    ``status`` and ``answer`` are left empty: this is what ``tracer run`` keeps in the trace, whose response
    says the rest. ``table``: see :func:`explain_mapper`.
    """
    router = _compute_router(app, prefix)
    url = full_path.partition("?")[0][len(prefix):]
    return explain_mapper(router.map, method, url, prefix, host, table)


def explain_mapper(mapper, method: str, url: str, script_name: str, host: str,
                   table: ValueTable | None = None) -> RouteExplanation:
    """How the routes ``Mapper`` routes ``method url`` (PATH_INFO as the router receives it), asked route by
    route, and checked against the mapper's own answer.

    ``table`` knows the request's secrets (its token, a password in its query or body): a bound variable
    whose name says it is secret is shown as a label, and a known secret is scrubbed from every value and
    from the path, as everywhere in a trace.
    """
    mapper.create_regs()  # routes compiles its patterns at the first match; do it now
    environ = {"REQUEST_METHOD": method, "PATH_INFO": url, "SCRIPT_NAME": script_name, "HTTP_HOST": host}
    tried: list[RouteTry] = []
    winner: RouteTry | None = None
    for index, route in enumerate(mapper.matchlist):
        one = _try(index, route, url, environ, matched_already=winner is not None)
        tried.append(one)
        if one.outcome == "matched":
            winner = one
    official_route = (mapper.routematch(url, dict(environ)) or (None, None))[1]
    if (official_route is None) != (winner is None) or (
            winner is not None and mapper.matchlist[winner.index] is not official_route):
        raise RuntimeError("routes' own match differs from the routes asked one by one")  # never: say so loudly
    table = table if table is not None else ValueTable()
    for one in tried:
        one.variables = {name: _shown(table, name, value) for name, value in one.variables.items()}
    for one in tried:  # once every secret variable is known: a reason quotes the URL's segments
        one.reason = table.scrub(one.reason)
    return RouteExplanation(method, table.scrub(url), table.scrub(script_name), tried, winner, "", "")


def request_secrets(environ: dict, body: bytes | None = None) -> ValueTable:
    """A value table that knows the request's secrets (its token, a password in its query or its body)."""
    table = ValueTable()
    describe_request(environ, body or b"", table)
    return table


def _shown(table: ValueTable, name: str, value: str) -> str:
    """A bound variable as a trace shows a value: redacted when its name says secret, known secrets scrubbed."""
    if is_secret_name(name):
        table.secret(name, value)
        return redaction_label(name)
    return table.scrub(value)


def _compute_router(app: object, prefix: str):
    """The compute API's router behind the URL map and its paste filters (and any wrapper that names what it
    wraps in ``__wrapped__``, as the delta probes do)."""
    from sample_api import wsgi

    app = getattr(app, "__wrapped__", app)
    mounted = dict(getattr(app, "applications", ()))
    inner = mounted.get(prefix + "/+")
    for _ in range(64):
        if isinstance(inner, wsgi.Router):
            return inner
        inner = getattr(inner, "__wrapped__", None) or getattr(inner, "application", None)
    raise LookupError(f"sample_api's compute API has no router under {prefix}/ (is api-paste.ini changed?)")


def _describe_route(route) -> tuple[list[str], str, str]:
    methods = list((route.conditions or {}).get("method") or [])
    controller = route.defaults.get("controller")
    inner = getattr(controller, "controller", controller)  # a Resource names the controller it calls
    name = inner if isinstance(inner, str) else type(inner).__name__ if inner is not None else "?"
    return methods, name, str(route.defaults.get("action", ""))


def _try(index: int, route, url: str, environ: dict, matched_already: bool) -> RouteTry:
    methods, controller, action = _describe_route(route)
    base = dict(index=index, name=route.name, methods=methods, pattern=route.routepath, controller=controller,
                action=action)
    found = route.match(url, environ=dict(environ))
    if found is not False and found is not None:
        variables = {k: str(v) for k, v in found.items() if k not in NOT_VARIABLES and k != "format"}
        if found.get("format") is not None:
            variables["format"] = str(found["format"])
        if matched_already:
            return RouteTry(**base, outcome="shadowed", variables=variables,
                            reason="matches too, but an earlier route matched first and routes takes the first")
        return RouteTry(**base, outcome="matched", variables=variables)
    if methods:
        # does the path alone match? then only the method condition said no
        for other in methods:
            again = route.match(url, environ=dict(environ, REQUEST_METHOD=other))
            if again is not False and again is not None:
                return RouteTry(**base, outcome="method", variables={
                    k: str(v) for k, v in again.items() if k not in NOT_VARIABLES and k != "format"},
                    reason=f"the path matches, but the route's condition is method {' or '.join(methods)},"
                           f" not {environ['REQUEST_METHOD']}")
    return RouteTry(**base, outcome="path", reason=_path_reason(route, url))


def _segments(path: str) -> list[str]:
    return [part for part in path.strip("/").split("/") if part]


def _close(pattern: str, url: str) -> bool:
    """A path miss worth telling: the same first word and as many segments, one literal word apart."""
    want, have = _segments(pattern), _segments(url)
    return (len(want) == len(have) > 1 and want[0] == have[0] and not pattern.endswith(".:(format)"))


def _path_reason(route, url: str) -> str:
    """Which segment of the URL the pattern refused, in words (routes' regular expression said no)."""
    want, have = _segments(route.routepath), _segments(url)
    for n, (w, h) in enumerate(zip(want, have, strict=False), start=1):
        if ":" in w or "{" in w:
            continue  # a variable takes any segment (requirements aside)
        if w != h:
            return f"segment {n}: the pattern wants {w!r}, the URL has {h!r}"
    if len(want) != len(have):
        return f"the pattern has {len(want)} segments, the URL {len(have)}"
    return "a requirement on a variable refused the URL's value"


def explain_reached(found: list[object], deltas: DeltaRecorder) -> tuple[RouteExplanation, ValueTable] | None:
    """The explanation of the first router the request reached, with the environ it received, and the
    request's secrets it was scrubbed of."""
    for router in found:
        environ = deltas.environ_at(router)
        if environ is not None:
            secrets = request_secrets(environ)
            return explain_mapper(mapper_of(router), str(environ.get("REQUEST_METHOD", "GET")),
                                  str(environ.get("PATH_INFO", "")), str(environ.get("SCRIPT_NAME", "")),
                                  str(environ.get("HTTP_HOST", "")), secrets), secrets
    return None


def recorded_route(app: object) -> Callable[[DeltaRecorder], dict | None]:
    """For :func:`tracer.targets.pipeline.record_with_deltas`: how the router of ``app`` routed the request the
    probes watched, for the router hop's note (None: the app has no routes router, or the request never
    reached it)."""
    found = routers(app)

    def explain_recorded(deltas: DeltaRecorder) -> dict | None:
        if not found:
            return None
        try:
            reached = explain_reached(found, deltas)
        except (AttributeError, TypeError, ValueError, RuntimeError) as exc:  # a router routes cannot read
            return {"error": f"the router could not be explained: {type(exc).__name__}: {exc}"}
        return reached[0].to_dict() if reached is not None else None

    return explain_recorded
