"""Microversions 2.2 to 2.19 end to end: ``sample-api serve`` judged by Tempest's own response schemas and
driven by python-novaclient with ``api_version`` set.

Tempest's schemas (``tempest.lib.api_schema.response.compute.v2_X``) and its ``RestClient.validate_response``
are the reference: what Nova's own gate checks a cloud against, written without looking at this code.
"""

from __future__ import annotations

import importlib
import json
import urllib.error
import urllib.request
from types import SimpleNamespace

import pytest

from tests.sample_api.test_real_clients import endpoint  # noqa: F401  (the module's server process)

rest_client = pytest.importorskip("tempest.lib.common.rest_client", reason="Tempest is in the test extra")

WEB_01 = "57ced187-b1bf-400b-b48b-d22f3ffe6422"
DEMO_BLOG = "c95202a3-bfdf-42f6-88e4-b80ef1aedf9a"
ED25519 = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHHsVzQbHA81GV8ZwO6kYVcdjcIkbDzjmuYu/2M1Dc/Z tracer@test"


def tempest_schema(version: str, module: str):
    return importlib.import_module(f"tempest.lib.api_schema.response.compute.{version}.{module}")


def call(endpoint: str, method: str, path: str, version: str | None, body: dict | None = None,  # noqa: F811
         token: str = "admin:admin") -> tuple[int, dict, dict]:
    headers = {"X-Auth-Token": token, "Content-Type": "application/json"}
    if version:
        headers["OpenStack-API-Version"] = f"compute {version}"
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(endpoint + path, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=20) as resp:
            raw = resp.read()
            return resp.status, dict(resp.headers), json.loads(raw) if raw else {}
    except urllib.error.HTTPError as err:
        raw = err.read()
        return err.code, dict(err.headers), json.loads(raw) if raw else {}


def validate(schema: dict, status: int, body: dict) -> None:
    """Tempest's own check: the status is one the schema allows, the body matches it."""
    rest_client.RestClient.validate_response(schema, SimpleNamespace(status=status), body)


@pytest.mark.parametrize("version", ["v2_3", "v2_9", "v2_16", "v2_19"])
@pytest.mark.parametrize("token", ["admin:admin", "demo:demo"])
def test_servers_pass_tempests_schemas(endpoint, version, token):  # noqa: F811
    schema = tempest_schema(version, "servers")
    number = version[1:].replace("_", ".")
    status, headers, body = call(endpoint, "GET", "/servers/detail", number, token=token)
    assert headers["OpenStack-API-Version"] == f"compute {number}"
    validate(schema.list_servers_detail, status, body)
    server_id = WEB_01 if token == "admin:admin" else DEMO_BLOG
    status, _, body = call(endpoint, "GET", f"/servers/{server_id}", number, token=token)
    validate(schema.get_server, status, body)


def test_each_version_adds_its_keys_and_only_then(endpoint):  # noqa: F811
    def keys(version: str, token: str = "admin:admin") -> set[str]:
        return set(call(endpoint, "GET", f"/servers/{WEB_01}", version, token=token)[2]["server"])

    base = keys("2.1")
    assert keys("2.2") == base
    assert keys("2.3") - base == {f"OS-EXT-SRV-ATTR:{k}" for k in (
        "reservation_id", "launch_index", "hostname", "kernel_id", "ramdisk_id", "root_device_name", "user_data")}
    assert keys("2.9") - keys("2.8") == {"locked"}
    assert keys("2.16") - keys("2.15") == {"host_status"}
    assert keys("2.19") - keys("2.18") == {"description"}
    # host_status is for admins only (policy); the member's server has neither it nor the admin keys.
    member = set(call(endpoint, "GET", f"/servers/{DEMO_BLOG}", "2.19", token="demo:demo")[2]["server"])
    assert "host_status" not in member and "locked" in member and "description" in member
    server = call(endpoint, "GET", f"/servers/{WEB_01}", "2.19")[2]["server"]
    assert (server["locked"], server["host_status"], server["description"]) == (False, "UP", None)
    assert server["OS-EXT-SRV-ATTR:hostname"] == "web-01"


def test_description_on_create_and_update_from_2_19(endpoint):  # noqa: F811
    body = {"server": {"name": "described", "flavorRef": "1", "description": "a test server"}}
    status, _, refused = call(endpoint, "POST", "/servers", "2.18", body)
    assert status == 400 and "description" in refused["badRequest"]["message"]
    status, _, created = call(endpoint, "POST", "/servers", "2.19", body)
    assert status == 202
    server_id = created["server"]["id"]
    try:
        shown = call(endpoint, "GET", f"/servers/{server_id}", "2.19")[2]["server"]
        assert shown["description"] == "a test server"
        status, _, updated = call(endpoint, "PUT", f"/servers/{server_id}", "2.19",
                                  {"server": {"description": "changed"}})
        assert status == 200 and updated["server"]["description"] == "changed"
        assert call(endpoint, "PUT", f"/servers/{server_id}", "2.1", {"server": {"description": "x"}})[0] == 400
    finally:
        call(endpoint, "DELETE", f"/servers/{server_id}", None)


def test_keypairs_are_versioned_per_method(endpoint):  # noqa: F811
    v21, v22 = tempest_schema("v2_1", "keypairs"), tempest_schema("v2_2", "keypairs")
    # 2.1: create answers 200 with no type, delete 202.
    status, _, body = call(endpoint, "POST", "/os-keypairs", "2.1", {"keypair": {"name": "k21", "public_key": ED25519}})
    validate(v21.create_keypair, status, body)
    assert status == 200 and "type" not in body["keypair"]
    status, _, body = call(endpoint, "DELETE", "/os-keypairs/k21", "2.1")
    assert status == 202
    # 2.2: 201 with the type, listed and shown with it, deleted with 204; x509 is a type too.
    status, _, body = call(endpoint, "POST", "/os-keypairs", "2.2", {"keypair": {"name": "k22", "type": "x509"}})
    validate(v22.create_keypair, status, body)
    assert body["keypair"]["type"] == "x509" and body["keypair"]["public_key"].startswith("-----BEGIN CERTIFICATE")
    validate(v22.list_keypairs, *call(endpoint, "GET", "/os-keypairs", "2.2")[::2])
    status, _, body = call(endpoint, "GET", "/os-keypairs/k22", "2.2")
    validate(v22.get_keypair, status, body)
    status, _, body = call(endpoint, "DELETE", "/os-keypairs/k22", "2.2")
    validate(v22.delete_keypair, status, body)
    # A type is not a 2.1 field.
    status, _, body = call(endpoint, "POST", "/os-keypairs", "2.1", {"keypair": {"name": "k", "type": "ssh"}})
    assert status == 400


def test_novaclient_with_api_version_set(endpoint):  # noqa: F811
    from keystoneauth1 import session, token_endpoint
    from novaclient import client

    def nova(version: str):
        return client.Client(version, session=session.Session(auth=token_endpoint.Token(endpoint, "admin:admin")))

    for version in ("2.3", "2.9", "2.16", "2.19"):
        web = nova(version).servers.get(WEB_01)
        assert web.to_dict()["OS-EXT-SRV-ATTR:reservation_id"] == "r-57ced187"
        if version != "2.3":
            assert web.to_dict()["locked"] is False
    server = nova("2.19").servers.create("nc-described", image=None, flavor="1", description="from novaclient")
    try:
        assert nova("2.19").servers.get(server.id).description == "from novaclient"
        nova("2.19").servers.update(server.id, description="renamed")
        assert nova("2.19").servers.get(server.id).description == "renamed"
    finally:
        nova("2.19").servers.delete(server.id)
    keypair = nova("2.2").keypairs.create("nc-x509", key_type="x509")
    try:
        assert keypair.type == "x509"
        assert [k.type for k in nova("2.2").keypairs.list() if k.name == "nc-x509"] == ["x509"]
    finally:
        nova("2.2").keypairs.delete("nc-x509")
