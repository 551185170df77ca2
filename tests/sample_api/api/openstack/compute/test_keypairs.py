"""The os-keypairs resource extension in-process, at 2.1 status codes."""

from __future__ import annotations

import pytest
import webtest

from sample_api import db_seed

ADMIN_FINGERPRINT = "9e:8a:40:f8:66:00:09:32:66:2b:8d:7f:a0:59:bc:8f"


@pytest.fixture
def demo_app(app):
    return webtest.TestApp(app, extra_environ={"HTTP_X_AUTH_TOKEN": "demo:demo"})


def test_index_is_per_user_and_doubly_nested(testapp, demo_app):
    body = testapp.get("/v2.1/os-keypairs").json
    assert body == {"keypairs": [{"keypair": {
        "name": "admin-key", "public_key": db_seed.ADMIN_KEY, "fingerprint": ADMIN_FINGERPRINT}}]}
    assert [k["keypair"]["name"] for k in demo_app.get("/v2.1/os-keypairs").json["keypairs"]] == ["demo-key"]


def test_show(testapp):
    keypair = testapp.get("/v2.1/os-keypairs/admin-key").json["keypair"]
    assert set(keypair) == {"name", "public_key", "fingerprint", "user_id", "id", "created_at", "updated_at",
                            "deleted", "deleted_at"}
    assert keypair["user_id"] == "admin"
    assert keypair["created_at"] == "2015-04-29T12:00:00.000000"


def test_show_another_users_key_is_404(demo_app):
    resp = demo_app.get("/v2.1/os-keypairs/admin-key", status=404)
    assert resp.json == {"itemNotFound": {"code": 404, "message": "Keypair admin-key not found for user demo"}}


def test_import_computes_the_fingerprint(testapp):
    resp = testapp.post_json("/v2.1/os-keypairs", {"keypair": {"name": "laptop", "public_key": db_seed.DEMO_KEY}})
    assert resp.status_int == 200  # 201 only from microversion 2.2
    assert resp.json == {"keypair": {
        "name": "laptop", "public_key": db_seed.DEMO_KEY, "user_id": "admin",
        "fingerprint": "6f:72:36:13:3a:93:25:d6:26:c0:45:08:c7:4c:9a:4b"}}


def test_generate_returns_the_private_key_once(testapp):
    keypair = testapp.post_json("/v2.1/os-keypairs", {"keypair": {"name": "generated"}}).json["keypair"]
    assert set(keypair) == {"name", "public_key", "fingerprint", "user_id", "private_key"}
    assert keypair["private_key"].startswith("-----BEGIN RSA PRIVATE KEY-----")
    assert keypair["public_key"].startswith("ssh-rsa ")
    shown = testapp.get("/v2.1/os-keypairs/generated").json["keypair"]
    assert "private_key" not in shown
    assert shown["fingerprint"] == keypair["fingerprint"]


def test_duplicate_name_is_409(testapp):
    resp = testapp.post_json("/v2.1/os-keypairs", {"keypair": {"name": "admin-key", "public_key": db_seed.DEMO_KEY}},
                             status=409)
    assert resp.json["conflictingRequest"]["message"] == "Key pair 'admin-key' already exists."


@pytest.mark.parametrize(("keypair", "message_part"), [
    ({"name": "bad", "public_key": "not a key"}, "Keypair data is invalid: failed to generate fingerprint"),
    ({}, "'name' is a required property"),
    ({"name": "x", "private": True}, "Additional properties are not allowed"),
])
def test_bad_create_is_400(testapp, keypair, message_part):
    resp = testapp.post_json("/v2.1/os-keypairs", {"keypair": keypair}, status=400)
    assert message_part in resp.json["badRequest"]["message"]


def test_delete_is_202_then_404(testapp):
    assert testapp.delete("/v2.1/os-keypairs/admin-key", status=202).body == b""
    testapp.get("/v2.1/os-keypairs/admin-key", status=404)
    testapp.delete("/v2.1/os-keypairs/admin-key", status=404)


def test_new_key_can_be_used_to_boot(testapp):
    testapp.post_json("/v2.1/os-keypairs", {"keypair": {"name": "boot-key", "public_key": db_seed.DEMO_KEY}})
    resp = testapp.post_json("/v2.1/servers", {"server": {
        "name": "keyed", "flavorRef": "1", "imageRef": db_seed.CIRROS, "key_name": "boot-key"}})
    assert testapp.get(resp.headers["Location"]).json["server"]["key_name"] == "boot-key"
