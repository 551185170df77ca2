"""A stand-in for Keystone, mounted at ``/identity``: just enough for clients that insist on logging in.

Nova does not answer logins: in a real cloud the ``nova`` and ``openstack`` command-line clients first ask
Keystone (``POST /v3/auth/tokens``) for a token and for the service catalog, the list that says where
the compute API lives. The ``noauth2`` filter (``sample_api.api.auth``) only needs ``X-Auth-Token:
user:project``, so this app hands out exactly that token, whatever the password, and a catalog with one
entry: the compute API on the host the client asked. Anyone may be anyone here, as with ``noauth2``.

    export OS_AUTH_URL=http://127.0.0.1:8774/identity OS_USERNAME=admin OS_PASSWORD=any
    export OS_PROJECT_NAME=admin OS_USER_DOMAIN_ID=default OS_PROJECT_DOMAIN_ID=default
    nova list            # or: openstack server list
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import webob
import webob.dec

from sample_api import timeutils
from sample_api import wsgi as base_wsgi
from sample_api.api.openstack.compute.versions import base_url

V3_MEDIA_TYPE = "application/vnd.openstack.identity-v3+json"
#: How long a token says it lasts (nothing checks it: the token is the user and the project).
TOKEN_LIFETIME = timedelta(hours=12)
DEFAULT_DOMAIN = {"id": "default", "name": "Default"}


def _json(status: int, body: dict, **headers: str) -> webob.Response:
    resp = webob.Response(status=status, content_type="application/json", charset="UTF-8")
    resp.text = json.dumps(body)
    for name, value in headers.items():
        resp.headers[name.replace("_", "-")] = value
    return resp


def _error(status: int, title: str, message: str) -> webob.Response:
    """Keystone's error body: ``{"error": {"code", "title", "message"}}``."""
    return _json(status, {"error": {"code": status, "title": title, "message": message}})


def version_v3(req: webob.Request) -> dict:
    """The v3 version document, with its self link under the mount point."""
    return {
        "id": "v3.14",
        "status": "stable",
        "updated": "2020-04-07T00:00:00Z",
        "links": [{"rel": "self", "href": f"{base_url(req)}{req.script_name}/v3/"}],
        "media-types": [{"base": "application/json", "type": V3_MEDIA_TYPE}],
    }


def _named(ref: Any, kind: str) -> str:
    """A user's or project's id or name from an auth request; ids and names are the same thing here."""
    if not isinstance(ref, dict):
        raise ValueError(f"Expecting to find {kind} in auth.")
    name = ref.get("id") or ref.get("name")
    if not isinstance(name, str) or not name.strip() or ":" in name:
        raise ValueError(f"Expecting to find a {kind} id or name (without ':') in auth.")
    return name.strip()


def who_asks(auth: Any) -> tuple[str, str, list[str]]:
    """(user, project, methods) from the body of ``POST /v3/auth/tokens``; ``ValueError`` says what is wrong."""
    if not isinstance(auth, dict) or not isinstance(auth.get("auth"), dict):
        raise ValueError("Expecting to find auth in request body.")
    identity = auth["auth"].get("identity")
    if not isinstance(identity, dict) or not isinstance(identity.get("methods"), list):
        raise ValueError("Expecting to find identity methods in auth.")
    methods = [m for m in identity["methods"] if isinstance(m, str)]
    if "password" in methods:
        password = identity.get("password")
        user = _named(password.get("user") if isinstance(password, dict) else None, "user")
        project = user
    elif "token" in methods:
        token = identity.get("token")
        given = token.get("id") if isinstance(token, dict) else None
        if not isinstance(given, str) or not given.partition(":")[0].strip():
            raise ValueError("Expecting to find a token id (user:project) in auth.")
        user, _sep, project = given.partition(":")
        user, project = user.strip(), project.strip() or user.strip()
    else:
        raise ValueError("Only the password and token methods are supported.")
    scope = auth["auth"].get("scope")
    if isinstance(scope, dict) and "project" in scope:
        project = _named(scope["project"], "project")
    return user, project, methods


def token_body(req: webob.Request, user: str, project: str, methods: list[str]) -> dict:
    """A project-scoped token as Keystone returns it, its catalog pointing at this host's compute API."""
    now = timeutils.utcnow(with_timezone=True)
    compute = f"{base_url(req)}/v2.1"  # the compute API is mounted beside this app, at the root of the same host
    roles = [{"id": "admin", "name": "admin"}] if user == "admin" else []
    roles.append({"id": "member", "name": "member"})
    return {
        "token": {
            "methods": methods,
            "user": {"id": user, "name": user, "domain": DEFAULT_DOMAIN, "password_expires_at": None},
            "project": {"id": project, "name": project, "domain": DEFAULT_DOMAIN},
            "is_domain": False,
            "roles": roles,
            "issued_at": now.strftime("%Y-%m-%dT%H:%M:%S.000000Z"),
            "expires_at": (now + TOKEN_LIFETIME).strftime("%Y-%m-%dT%H:%M:%S.000000Z"),
            "audit_ids": [],
            "catalog": [
                _service("compute", "nova", compute),
                _service("identity", "keystone", f"{base_url(req)}{req.script_name}"),
            ],
        }
    }


def _service(kind: str, name: str, url: str) -> dict:
    """One catalog entry: the same URL for every interface and one region, as a single-node cloud has."""
    return {
        "id": kind,
        "type": kind,
        "name": name,
        "endpoints": [
            {"id": f"{kind}-{interface}", "interface": interface, "region": "RegionOne", "region_id": "RegionOne",
             "url": url}
            for interface in ("public", "internal", "admin")
        ],
    }


class Identity(base_wsgi.Application):
    """``GET /identity``, ``GET /identity/v3`` and ``POST /identity/v3/auth/tokens``."""

    @webob.dec.wsgify
    def __call__(self, req: webob.Request) -> webob.Response:
        path = req.path_info.rstrip("/")
        if path == "" and req.method in ("GET", "HEAD"):
            return _json(300, {"versions": {"values": [version_v3(req)]}})
        if path == "/v3" and req.method in ("GET", "HEAD"):
            return _json(200, {"version": version_v3(req)})
        if path == "/v3/auth/tokens":
            if req.method != "POST":
                return _error(405, "Method Not Allowed", "Only POST is supported here: it hands out tokens.")
            return self.issue_token(req)
        return _error(404, "Not Found", f"Could not find {req.path_info!r}: this stand-in only hands out tokens.")

    def issue_token(self, req: webob.Request) -> webob.Response:
        try:
            body = json.loads(req.body or b"null")
        except ValueError:
            return _error(400, "Bad Request", "The request body is not valid JSON.")
        try:
            user, project, methods = who_asks(body)
        except ValueError as exc:
            return _error(400, "Bad Request", str(exc))
        return _json(201, token_body(req, user, project, methods), X_Subject_Token=f"{user}:{project}")
