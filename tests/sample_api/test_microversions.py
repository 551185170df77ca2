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


CIRROS = "e9d98eb1-4218-4508-ae7d-52f850e0be7c"
UBUNTU = "b32c51f8-1364-43d5-985f-e915c7a60a78"
SAVING_SNAPSHOT = "7d0b4f1e-2c6a-4e8b-9f3d-5a1c8e2b7d46"


@pytest.fixture
def new_server(endpoint):  # noqa: F811
    """A server of admin's made for the test (rebuild and update change it), deleted afterwards."""
    body = {"server": {"name": "to-rebuild", "flavorRef": "1", "imageRef": CIRROS}}
    status, _, created = call(endpoint, "POST", "/servers", "2.1", body)
    assert status == 202
    yield created["server"]["id"]
    call(endpoint, "DELETE", f"/servers/{created['server']['id']}", None)


@pytest.mark.parametrize("version", ["v2_1", "v2_3", "v2_9", "v2_16", "v2_19"])
def test_update_answers_as_tempests_update_server_schema_says(endpoint, new_server, version):  # noqa: F811
    number = version[1:].replace("_", ".") if version != "v2_1" else "2.1"
    status, _, body = call(endpoint, "PUT", f"/servers/{new_server}", number, {"server": {"name": "renamed"}})
    validate(tempest_schema(version, "servers").update_server, status, body)
    assert body["server"]["name"] == "renamed"
    # show still has every key the show-only extensions add
    shown = call(endpoint, "GET", f"/servers/{new_server}", number)[2]["server"]
    assert {"key_name", "security_groups", "OS-EXT-AZ:availability_zone"} <= set(shown) - set(body["server"])


@pytest.mark.parametrize("version", ["v2_1", "v2_3", "v2_9", "v2_16", "v2_19"])
def test_rebuild_answers_as_tempests_rebuild_schema_says(endpoint, new_server, version):  # noqa: F811
    number = version[1:].replace("_", ".") if version != "v2_1" else "2.1"
    body = {"rebuild": {"imageRef": UBUNTU, "name": "rebuilt", "metadata": {"role": "web"}, "adminPass": "s3cret-pass"}}
    status, headers, answer = call(endpoint, "POST", f"/servers/{new_server}/action", number, body)
    validate(tempest_schema(version, "servers").rebuild_server_with_admin_pass, status, answer)
    server = answer["server"]
    assert (server["name"], server["image"]["id"], server["metadata"], server["adminPass"]) == (
        "rebuilt", UBUNTU, {"role": "web"}, "s3cret-pass")
    assert {k.lower(): v for k, v in headers.items()}["location"].endswith(f"/servers/{new_server}")
    shown = call(endpoint, "GET", f"/servers/{new_server}", number)[2]["server"]
    assert (shown["name"], shown["image"]["id"], shown["metadata"]) == ("rebuilt", UBUNTU, {"role": "web"})


def test_rebuild_takes_a_description_from_2_19(endpoint, new_server):  # noqa: F811
    body = {"rebuild": {"imageRef": CIRROS, "description": "rebuilt with a description"}}
    status, _, refused = call(endpoint, "POST", f"/servers/{new_server}/action", "2.18", body)
    assert status == 400 and "description" in refused["badRequest"]["message"]
    status, _, answer = call(endpoint, "POST", f"/servers/{new_server}/action", "2.19", body)
    validate(tempest_schema("v2_19", "servers").rebuild_server_with_admin_pass, status, answer)
    assert answer["server"]["description"] == "rebuilt with a description"
    assert call(endpoint, "GET", f"/servers/{new_server}", "2.19")[2]["server"]["description"] == \
        "rebuilt with a description"


def test_rebuild_refuses_what_nova_refuses(endpoint, new_server):  # noqa: F811
    def rebuild(body: dict, token: str = "admin:admin") -> tuple[int, dict]:
        status, _, answer = call(endpoint, "POST", f"/servers/{new_server}/action", "2.1", body, token=token)
        return status, answer

    assert rebuild({"rebuild": {"name": "no image"}})[0] == 400  # imageRef is required
    status, answer = rebuild({"rebuild": {"imageRef": "3bd1ba04-0f8a-4b7b-8a0c-6e1d7f3a9c55"}})
    assert (status, answer["badRequest"]["message"]) == (400, "Cannot find image for rebuild")
    assert rebuild({"rebuild": {"imageRef": SAVING_SNAPSHOT}})[0] == 400  # not active
    assert rebuild({"rebuild": {"imageRef": CIRROS}}, token="demo:demo")[0] == 404  # another project's server
    assert call(endpoint, "POST", f"/servers/{new_server}/action", "2.1", {"os-stop": None})[0] == 202
    assert call(endpoint, "POST", f"/servers/{new_server}/action", "2.1", {"pause": None})[0] == 409
    status, answer = rebuild({"rebuild": {"imageRef": CIRROS}})
    assert status == 202 and answer["server"]["status"] == "SHUTOFF"  # rebuilt, and still stopped


def test_keypairs_of_another_user_for_an_admin_from_2_10(endpoint):  # noqa: F811
    v22 = tempest_schema("v2_2", "keypairs")  # no keypair schema changed at 2.10
    body = {"keypair": {"name": "for-demo", "public_key": ED25519, "user_id": "demo"}}
    assert call(endpoint, "POST", "/os-keypairs", "2.9", body)[0] == 400  # user_id is not a 2.9 field
    status, _, created = call(endpoint, "POST", "/os-keypairs", "2.10", body)
    validate(v22.create_keypair, status, created)
    assert created["keypair"]["user_id"] == "demo"
    try:
        names = lambda listed: [k["keypair"]["name"] for k in listed["keypairs"]]  # noqa: E731
        assert "for-demo" in names(call(endpoint, "GET", "/os-keypairs?user_id=demo", "2.10")[2])
        assert "for-demo" not in names(call(endpoint, "GET", "/os-keypairs", "2.10")[2])  # admin's own
        assert "for-demo" not in names(call(endpoint, "GET", "/os-keypairs?user_id=demo", "2.9")[2])  # ignored
        assert "for-demo" in names(call(endpoint, "GET", "/os-keypairs", "2.10", token="demo:demo")[2])
        status, _, shown = call(endpoint, "GET", "/os-keypairs/for-demo?user_id=demo", "2.10")
        validate(v22.get_keypair, status, shown)
        assert call(endpoint, "GET", "/os-keypairs/for-demo", "2.10")[0] == 404  # not admin's
        # a member may not name another user
        assert call(endpoint, "GET", "/os-keypairs?user_id=admin", "2.10", token="demo:demo")[0] == 403
        other = {"keypair": {"name": "sneaky", "public_key": ED25519, "user_id": "admin"}}
        assert call(endpoint, "POST", "/os-keypairs", "2.10", other, token="demo:demo")[0] == 403
    finally:
        status, _, body = call(endpoint, "DELETE", "/os-keypairs/for-demo?user_id=demo", "2.10")
    validate(v22.delete_keypair, status, body)
    assert call(endpoint, "GET", "/os-keypairs/for-demo", "2.10", token="demo:demo")[0] == 404


def test_novaclient_rebuilds_and_names_keypair_users_with_api_version_set(endpoint):  # noqa: F811
    from keystoneauth1 import session, token_endpoint
    from novaclient import client

    def nova(version: str):
        return client.Client(version, session=session.Session(auth=token_endpoint.Token(endpoint, "admin:admin")))

    server = nova("2.19").servers.create("nc-rebuild", image=CIRROS, flavor="1")
    try:
        rebuilt = nova("2.19").servers.rebuild(server.id, UBUNTU, name="nc-rebuilt", description="via novaclient")
        assert (rebuilt.name, rebuilt.description, rebuilt.image["id"]) == ("nc-rebuilt", "via novaclient", UBUNTU)
        assert nova("2.1").servers.rebuild(server.id, CIRROS).image["id"] == CIRROS
    finally:
        nova("2.19").servers.delete(server.id)
    keypair = nova("2.10").keypairs.create("nc-for-demo", public_key=ED25519, user_id="demo")
    try:
        assert keypair.user_id == "demo"
        assert [k.name for k in nova("2.10").keypairs.list(user_id="demo")].count("nc-for-demo") == 1
        assert nova("2.10").keypairs.get("nc-for-demo", user_id="demo").user_id == "demo"
    finally:
        nova("2.10").keypairs.delete("nc-for-demo", user_id="demo")
