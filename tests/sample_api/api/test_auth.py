"""noauth2: the token is user:project; no token is a 401 fault."""

from __future__ import annotations

import pytest
import webob

from sample_api.api import auth


def context_of(headers, environ=None):
    """Run NoAuthMiddleware in front of an app that returns the context it got."""
    seen = {}

    def app(env, start_response):
        seen["ctx"] = env["nova.context"]
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok"]

    req = webob.Request.blank("/servers", headers=headers, environ=environ or {})
    resp = req.get_response(auth.NoAuthMiddleware(app))
    return resp, seen.get("ctx")


@pytest.mark.parametrize("headers", [{}, {"X-Auth-Token": ""}, {"X-Auth-Token": ":proj"}])
def test_missing_token_is_401_fault(headers):
    resp, ctx = context_of(headers)
    assert ctx is None
    assert resp.status_int == 401
    assert resp.content_type == "application/json"
    assert resp.json["unauthorized"]["code"] == 401
    assert "X-Auth-Token" in resp.json["unauthorized"]["message"]


def test_user_and_project_from_token():
    _resp, ctx = context_of({"X-Auth-Token": "alice:p1"})
    assert (ctx.user_id, ctx.project_id, ctx.is_admin) == ("alice", "p1", False)


def test_project_defaults_to_user():
    _resp, ctx = context_of({"X-Auth-Token": "alice"})
    assert ctx.project_id == "alice"


def test_admin_user_is_admin():
    _resp, ctx = context_of({"X-Auth-Token": "admin:admin"})
    assert ctx.is_admin
    assert "admin" in ctx.roles


def test_roles_header():
    _resp, ctx = context_of({"X-Auth-Token": "bob:p2", "X-Roles": "reader, member,,"})
    assert ctx.roles == ["reader", "member"]
    assert not ctx.is_admin
    _resp, ctx = context_of({"X-Auth-Token": "bob:p2", "X-Roles": "admin"})
    assert ctx.is_admin


def test_request_id_comes_from_compute_req_id():
    _resp, ctx = context_of({"X-Auth-Token": "bob"}, environ={"openstack.request_id": "req-abc"})
    assert ctx.request_id == "req-abc"


def test_context_request_id_matches_response_header(fake_testapp):
    resp = fake_testapp.get("/v2.1/things")
    assert resp.json["context"]["request_id"] == resp.headers["x-openstack-request-id"]


def test_a_keystone_token_is_not_taken_as_an_identity():
    """Ids are at most 64 characters in keystone: a longer "user" is a real token sent by mistake."""
    fernet = "gAAAAABp" + "x" * 120
    resp, ctx = context_of({"X-Auth-Token": fernet})
    assert resp.status_int == 401 and ctx is None
    assert fernet not in resp.text
    _resp, ctx = context_of({"X-Auth-Token": "u" * 64})
    assert ctx.user_id == ctx.project_id == "u" * 64
