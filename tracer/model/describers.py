"""What a learner wants to see of web objects: a WSGI environ, a webob request and a webob response.

Described as Python sees them, these are dozens of internal attributes; a learner wants the method, the path,
the headers and the routing a request carries, and the status, headers and body of a response.
:class:`~tracer.model.values.ValueTable` asks :func:`describer_for` of each value it describes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tracer.model.signatures import IMMUTABLE_TYPES, Opaque


def _describe_environ(environ: dict) -> tuple[str, list]:
    keep = [
        "REQUEST_METHOD",
        "SCRIPT_NAME",
        "PATH_INFO",
        "QUERY_STRING",
        "CONTENT_TYPE",
        "CONTENT_LENGTH",
        "REMOTE_ADDR",  # what the server tells the app of the client (lesson 16)
        "REMOTE_PORT",
        "wsgiorg.routing_args",
        "openstack.request_id",
        "nova.context",
        "nova.best_content_type",
    ]
    pairs = [(k, _routing(environ[k]) if k == "wsgiorg.routing_args" else _flat(environ[k]))
             for k in keep if k in environ]
    pairs += sorted((k, v) for k, v in environ.items() if k.startswith("HTTP_"))
    method = environ.get("REQUEST_METHOD", "?")
    path = environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "")
    summary = f"WSGI environ {method} {path} ({len(environ)} keys)"
    return summary, pairs


def _describe_webob_request(req: Any) -> tuple[str, list]:
    environ = req.environ
    pairs: list[tuple[str, object]] = [
        ("method", environ.get("REQUEST_METHOD")),
        ("script_name", environ.get("SCRIPT_NAME", "")),
        ("path_info", environ.get("PATH_INFO", "")),
        ("query_string", environ.get("QUERY_STRING", "")),
        ("headers", {k[5:].replace("_", "-").title(): v for k, v in environ.items() if k.startswith("HTTP_")}),
    ]
    if "CONTENT_TYPE" in environ:
        pairs.append(("content_type", environ["CONTENT_TYPE"]))
    routing = environ.get("wsgiorg.routing_args")
    if routing is not None:
        pairs.append(("routing_args", _routing(routing)))
    if "nova.context" in environ:
        pairs.append(("context", Opaque(environ["nova.context"])))
    path = environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "")
    query = environ.get("QUERY_STRING")
    summary = f"<{type(req).__name__} {environ.get('REQUEST_METHOD', '?')} {path}{'?' + query if query else ''}>"
    return summary, pairs


def _flat(value: object) -> object:
    return value if type(value) in IMMUTABLE_TYPES else Opaque(value)


def _routing(routing: object) -> object:
    """``wsgiorg.routing_args`` as ``{action: ..., id: ...}``, the controller shown by name only."""
    try:
        _args, kwargs = routing  # type: ignore[misc]
        return {key: _flat(value) for key, value in kwargs.items()}
    except (TypeError, ValueError):
        return Opaque(routing)


def _describe_webob_response(resp: Any) -> tuple[str, list]:
    pairs: list[tuple[str, object]] = [("status", resp.status), ("headers", dict(resp.headerlist))]
    try:
        pairs.append(("body", resp.body))
    except Exception:
        pass
    return f"<{type(resp).__name__} {resp.status}>", pairs


def describer_for(value: object) -> Callable[[Any], tuple[str, list]] | object | None:
    if type(value) is dict and "wsgi.version" in value:
        return _describe_environ
    cls = type(value)
    module = cls.__module__ or ""
    if module.startswith("webob") or _is_webob_subclass(cls):
        if hasattr(cls, "method") and not hasattr(cls, "status_code"):  # a request (asked of its class)
            attrs = getattr(value, "__dict__", None)
            if type(attrs) is dict and "environ" not in attrs:
                # inside its own __init__: webob's __getattr__ would look for the environ, and recurse
                return UNREADY
            return _describe_webob_request
        if hasattr(value, "status") and hasattr(value, "headerlist"):
            return _describe_webob_response
    return None


def children_of(value: Any, describe: Callable[[Any], tuple[str, list]]) -> tuple:
    """What a web object's description is made from, to tell whether it changed since it was last described:
    a request's or an environ's items; a response's status, headers and body iterable (a response need not
    belong to a request, and when it does its request's environ says nothing of what it will answer)."""
    if describe is _describe_webob_response:
        return (value.status, *value.headerlist, getattr(value, "app_iter", None))
    environ = value if type(value) is dict else value.environ
    return tuple(environ.items())


#: what ``describer_for`` says of a webob request whose ``__init__`` has not set its environ yet
UNREADY = object()
_webob_classes: dict[type, bool] = {}


def _is_webob_subclass(cls: type) -> bool:
    known = _webob_classes.get(cls)
    if known is None:
        known = any((base.__module__ or "").startswith("webob") for base in cls.__mro__[1:])
        _webob_classes[cls] = known
    return known
