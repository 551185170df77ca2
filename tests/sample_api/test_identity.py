"""sample_api.identity: the Keystone stand-in at /identity, through the whole paste-loaded app."""

from __future__ import annotations

import json

import pytest

PASSWORD_LOGIN = {
    "auth": {
        "identity": {
            "methods": ["password"],
            "password": {"user": {"name": "demo", "domain": {"id": "default"}, "password": "anything"}},
        },
        "scope": {"project": {"name": "demo", "domain": {"id": "default"}}},
    }
}


def login(testapp, body, status=201):
    return testapp.post("/identity/v3/auth/tokens", json.dumps(body), status=status,
                        headers={"Content-Type": "application/json"}, extra_environ={"HTTP_X_AUTH_TOKEN": ""})


def test_version_discovery_points_at_v3_under_the_mount_point(testapp):
    listed = testapp.get("/identity", status=300).json["versions"]["values"]
    assert [(v["id"], v["status"]) for v in listed] == [("v3.14", "stable")]
    assert listed[0]["links"][0]["href"] == "http://localhost/identity/v3/"
    assert testapp.get("/identity/v3/").json["version"]["id"] == "v3.14"


def test_a_password_login_gets_the_noauth2_token_and_a_catalog_of_this_host(testapp):
    resp = login(testapp, PASSWORD_LOGIN)
    assert resp.headers["X-Subject-Token"] == "demo:demo"
    token = resp.json["token"]
    assert (token["user"]["name"], token["project"]["name"], token["methods"]) == ("demo", "demo", ["password"])
    assert [role["name"] for role in token["roles"]] == ["member"]
    urls = {entry["type"]: {e["interface"]: e["url"] for e in entry["endpoints"]} for entry in token["catalog"]}
    assert urls["compute"]["public"] == "http://localhost/v2.1"
    assert urls["identity"]["public"] == "http://localhost/identity"
    # the token it handed out is what the compute API's noauth2 filter accepts
    servers = testapp.get("/v2.1/servers", extra_environ={"HTTP_X_AUTH_TOKEN": resp.headers["X-Subject-Token"]})
    assert [s["name"] for s in servers.json["servers"]] == ["demo-broken", "demo-notebook", "demo-blog"]


def test_admin_gets_the_admin_role_and_a_token_login_keeps_the_project(testapp):
    body = {"auth": {"identity": {"methods": ["token"], "token": {"id": "admin:admin"}}}}
    resp = login(testapp, body)
    assert resp.headers["X-Subject-Token"] == "admin:admin"
    assert "admin" in [role["name"] for role in resp.json["token"]["roles"]]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, "Expecting to find auth in request body."),
        ({"auth": {"identity": {"methods": ["totp"]}}}, "Only the password and token methods are supported."),
        ({"auth": {"identity": {"methods": ["password"], "password": {}}}}, "Expecting to find user in auth."),
        ({"auth": {"identity": {"methods": ["password"], "password": {"user": {"name": "a:b"}}}}},
         "Expecting to find a user id or name (without ':') in auth."),
    ],
)
def test_a_bad_login_is_keystones_400(testapp, body, message):
    error = login(testapp, body, status=400).json["error"]
    assert error == {"code": 400, "title": "Bad Request", "message": message}


def test_not_json_wrong_method_and_unknown_paths_are_clear_errors(testapp):
    resp = testapp.post("/identity/v3/auth/tokens", "{nope", status=400, headers={"Content-Type": "application/json"})
    assert resp.json["error"]["message"] == "The request body is not valid JSON."
    assert testapp.get("/identity/v3/auth/tokens", status=405).json["error"]["code"] == 405
    assert testapp.get("/identity/v3/users", status=404).json["error"]["title"] == "Not Found"


def test_a_body_past_the_size_limit_is_refused_before_it_is_read(testapp, api_conf):
    api_conf.max_request_body_size = 100
    resp = testapp.post("/identity/v3/auth/tokens", json.dumps(PASSWORD_LOGIN) + " " * 200, status=413,
                        headers={"Content-Type": "application/json"})
    assert resp.status_int == 413
