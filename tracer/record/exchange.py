"""The request and the response as a trace shows them: headers, query and JSON bodies with secrets redacted.

A trace keeps what the client sent and got, cut at ``MAX_BODY_CHARS``; the request's body is read once and
put back as an identical stream, so the application reads the very same bytes.
"""

from __future__ import annotations

import io

from tracer.model.redaction import redact_headers, redact_json_text, redact_query
from tracer.model.values import ValueTable

#: Bodies longer than this are cut in the trace (the response itself is never changed).
MAX_BODY_CHARS = 64 * 1024


def buffer_body(environ: dict, limit: int) -> bytes:
    """Read the request body once and put an identical stream back, so the app sees the same bytes.

    A body declared longer than ``limit`` stays unread: the app refuses it from its header.
    """
    stream = environ.get("wsgi.input")
    if stream is None:
        return b""
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length <= 0 or length > limit:
        return b""
    data = stream.read(length)
    environ["wsgi.input"] = io.BytesIO(data)
    return data


def _body_text(data: bytes, table: ValueTable) -> str:
    text = data[:MAX_BODY_CHARS].decode("utf-8", "replace")
    text = redact_json_text(text, table)
    if len(data) > MAX_BODY_CHARS:
        text += f"\n... [{len(data) - MAX_BODY_CHARS} more bytes not kept]"
    return text


def describe_request(environ: dict, body: bytes, table: ValueTable) -> dict:
    headers = {}
    for key, value in environ.items():
        if key.startswith("HTTP_"):
            headers[key[5:].replace("_", "-").title()] = value
        elif key in ("CONTENT_TYPE", "CONTENT_LENGTH") and value:
            headers[key.replace("_", "-").title()] = value
    path = (environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "")) or "/"
    query = environ.get("QUERY_STRING")
    context = environ.get("nova.context")
    return {
        "method": environ.get("REQUEST_METHOD", "GET"),
        "path": path + (f"?{redact_query(query, table)}" if query else ""),
        "headers": redact_headers(headers, table),
        "body": _body_text(body, table) if body else None,
        "user_id": getattr(context, "user_id", None),
        "project_id": getattr(context, "project_id", None),
    }


def describe_response_with(status: str, headers: list, body: bytes, table: ValueTable, error) -> dict:
    code, _, reason = status.partition(" ")
    described = {
        "status": int(code) if code.isdigit() else 0,
        "reason": reason,
        "headers": redact_headers(dict(headers), table),
        "body": _body_text(body, table),
    }
    if error is not None:
        described["error"] = f"{type(error).__name__}: {error}"
    return described


def describe_response(status: str, headers: list, body: bytes, error: BaseException | None = None) -> dict:
    """A response as a trace shows it (secrets redacted), outside any session."""
    table = ValueTable()
    described = describe_response_with(status, headers, body, table, error)
    described["body"] = table.scrub(described["body"])
    return described
