"""Record a lesson's request the way ``tracer serve --detail line`` does: over HTTP, from the server's first frame.

Most lesson requests are recorded in process, where the trace begins at the URL map. A request marked
``served = true`` is sent by a real HTTP client to sample_api's own server on 127.0.0.1 (a free port), and
recording starts on the server's worker before it reads the connection, so the trace shows the server
taking the connection, turning the request into a WSGI environ and calling the app. A workspace may give
the server its own request handler (``[workspace] server = "handler.py"``, class ``RequestHandler``).
"""

from __future__ import annotations

import http.client
import importlib
from pathlib import Path

from tracer.course.model import WorkspaceSpec
from tracer.record.recorder import Recorder
from tracer.serve.connections import EVENTLET_SERVER, ConnectionRecorder
from tracer.targets.sample_api import DISTRIBUTIONS, NAME, RequestSpec, build_environ, make_server, stamp

#: seconds a served request may take before the check gives up on it (the check's own limit still holds)
REQUEST_TIMEOUT = 30.0
HANDLER_CLASS = "RequestHandler"


class ServedRequestError(Exception):
    """The request could not be served (the learner's handler is missing, or the server never answered)."""


def handler_class(workspace: Path | None, spec: WorkspaceSpec) -> type | None:
    """The workspace's ``RequestHandler`` (importable while its sample_api is loaded), or None for the stock one."""
    if workspace is None or not spec.server:
        return None
    path = workspace / spec.server
    if not path.is_file():
        raise ServedRequestError(f"{spec.server}: missing (run 'tracer lesson reset' to get it back)")
    module = importlib.import_module(path.stem)
    found = getattr(module, HANDLER_CLASS, None)
    if not isinstance(found, type):
        raise ServedRequestError(f"{spec.server}: needs a class {HANDLER_CLASS} derived from "
                                 "sample_api.wsgi.RequestHandler")
    return found  # the server itself refuses a class that is not a RequestHandler


def http_request(spec: RequestSpec, as_written: bool = False) -> tuple[str, str, bytes | None, dict[str, str]]:
    """Method, path with query, body and headers a real client sends for ``spec`` (the same as ``tracer run``;
    ``as_written``: the path as given, with no /v2.1 put in front)."""
    environ = build_environ(spec, compute_api=not as_written)
    headers = {key[5:].replace("_", "-").title(): value for key, value in environ.items() if key.startswith("HTTP_")}
    headers.pop("Host", None)
    if environ.get("CONTENT_TYPE"):
        headers["Content-Type"] = environ["CONTENT_TYPE"]
    path = environ["SCRIPT_NAME"] + environ["PATH_INFO"]
    if environ.get("QUERY_STRING"):
        path += "?" + environ["QUERY_STRING"]
    return environ["REQUEST_METHOD"], path, spec.body, headers


def record_served(spec: RequestSpec, app: object, include: tuple[str, ...], protocol: type | None = None,
                  as_written: bool = False, backend: str = "threaded") -> dict:
    """Serve ``app`` on 127.0.0.1, send ``spec`` over HTTP, and return the trace of that one request.

    ``backend="eventlet"``: eventlet's server answers it (a workspace's handler is for the threaded one only).
    """
    method, path, body, headers = http_request(spec, as_written)
    docs: list[dict] = []
    options: dict = {"protocol": protocol}
    if backend == "eventlet":
        include = (*include, EVENTLET_SERVER)
        options = {"backend": "eventlet"}
    connections = ConnectionRecorder(Recorder(include=include, detail="line"), app, docs.append)
    try:
        server = make_server(connections.app, host="127.0.0.1", port=0, pool_size=2,
                             around_connection=connections.run, **options)
    except ValueError as exc:  # the learner's handler class is not a RequestHandler
        raise ServedRequestError(f"the server refused your {HANDLER_CLASS}: {exc}") from None
    except RuntimeError as exc:  # eventlet is not installed
        raise ServedRequestError(str(exc)) from None
    server.start()
    try:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=REQUEST_TIMEOUT)
        try:
            conn.request(method, path, body=body, headers=headers)
            conn.getresponse().read()
        except (OSError, http.client.HTTPException) as exc:
            raise ServedRequestError(f"the server did not answer {method} {path} ({type(exc).__name__}: {exc})") \
                from None
        finally:
            conn.close()
    finally:
        server.stop()
        server.wait()
    if len(docs) != 1:
        raise ServedRequestError(f"the server made {len(docs)} traces of {method} {path}, not one: did your "
                                 "handler call the app?")
    return stamp(docs[0], NAME, DISTRIBUTIONS)
