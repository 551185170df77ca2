"""``tracer route``: how sample_api's compute router routes METHOD PATH, and what the app then answered.

The explanation itself is :func:`tracer.targets.router.explain_router`; this loads a fresh app (a fresh
demo database), asks it, and sends the request once to say what the code behind the route answered.
"""

from __future__ import annotations

from pathlib import Path

from tracer.targets.router import RouteExplanation, explain_router
from tracer.targets.sample_api import (
    API_PREFIX,
    DEFAULT_HOST,
    RequestError,
    RequestSpec,
    build_environ,
    load_sample_api,
)
from tracer.targets.sample_api import normalize_method as _normalize_method


def explain(method: str, path: str, extensions_dir: str | None = None) -> RouteExplanation:
    """Ask sample_api's compute router how it routes ``method path``, and what the app then answered."""
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
    try:
        explanation = explain_router(app, method, full_path, API_PREFIX, DEFAULT_HOST)
    except LookupError as exc:
        raise RequestError(str(exc)) from None
    explanation.status, explanation.answer = _answer(app, method, path)
    return explanation


def _answer(app, method: str, path: str) -> tuple[str, str]:
    """What the whole app answers to the request, as admin (a fresh demo database, thrown away after)."""
    import json

    import webob

    request = webob.Request(build_environ(RequestSpec(method=method, path=path)))
    response = request.get_response(app)
    message = ""
    try:
        fault = json.loads(response.body or b"{}")
        if isinstance(fault, dict) and len(fault) == 1:
            inner = next(iter(fault.values()))
            if isinstance(inner, dict) and "message" in inner:
                message = str(inner["message"])
    except ValueError:
        message = ""
    return response.status, message
