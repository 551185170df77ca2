"""A tiny WSGI app used to test the recorder without sample_api.

It is imported under a module name inside the recorder's scope so its frames are recorded.
"""

from __future__ import annotations

import json


class Holder:
    def __init__(self, name: str) -> None:
        self.name = name


def build(items, password):
    result = []
    for item in items:
        result.append({"name": item, "adminPass": password})
    return result


def explode():
    raise KeyError("missing")


def rescue():
    try:
        explode()
    except KeyError:
        return "rescued"


def app(environ, start_response):
    token = environ.get("HTTP_X_AUTH_TOKEN")
    holder = Holder(token)
    length = int(environ.get("CONTENT_LENGTH") or 0)
    request = json.loads(environ["wsgi.input"].read(length) or b"{}")
    servers = build(["a", "b"], request.get("adminPass"))
    outcome = rescue()
    body = json.dumps({"servers": servers, "outcome": outcome, "who": holder.name}).encode()
    start_response("200 OK", [("Content-Type", "application/json"), ("X-Auth-Token", token)])
    return [body]


def crashing_app(environ, start_response):
    explode()
