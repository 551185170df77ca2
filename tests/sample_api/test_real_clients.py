"""End to end: ``sample-api serve`` on a free loopback port, driven by python-novaclient and openstacksdk.

Nothing is stubbed: a real server process, real sockets, the clients as a user installs them, with the
noauth2 token ``user:project`` given to keystoneauth's ``token_endpoint`` / openstacksdk's ``admin_token``.
Each test changes only servers it creates, so the module shares one server process.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from tests.sample_api.api.openstack.compute import response_schemas as schemas

novaclient_exceptions = pytest.importorskip("novaclient.exceptions")
openstack = pytest.importorskip("openstack")

#: From docs/demo-data.md: what a fresh demo database holds.
ADMIN_SERVERS = ["batch-01", "db-01", "web-02", "web-01"]
DEMO_SERVERS = ["demo-broken", "demo-notebook", "demo-blog"]
FLAVORS = ["m1.tiny", "m1.small", "m1.medium", "m1.large", "m1.xlarge"]
CIRROS = "358ca22d-e0ef-43d5-8844-c5b72ba62211"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def endpoint():
    """``http://127.0.0.1:PORT/v2.1`` of a ``sample-api serve`` subprocess on a fresh demo database."""
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "sample_api", "serve", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=dict(os.environ, PYTHONUNBUFFERED="1"),
    )
    url = f"http://127.0.0.1:{port}/v2.1"
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2):
                break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                raise RuntimeError(f"sample-api serve did not start: {proc.communicate()[1][-2000:]}") from None
            time.sleep(0.1)
    yield url
    proc.send_signal(signal.SIGTERM)
    _out, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err
    assert "Traceback" not in err, err


def nova_as(endpoint: str, token: str = "admin:admin"):
    from keystoneauth1 import session, token_endpoint
    from novaclient import client

    return client.Client("2.1", session=session.Session(auth=token_endpoint.Token(endpoint, token)))


def sdk_as(endpoint: str, token: str = "admin:admin"):
    return openstack.connection.Connection(auth_type="admin_token", auth={"endpoint": endpoint, "token": token})


def raw_get(endpoint: str, path: str, token: str = "admin:admin") -> tuple[int, dict]:
    request = urllib.request.Request(endpoint + path, headers={"X-Auth-Token": token})
    try:
        with urllib.request.urlopen(request, timeout=10) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read())


# -- python-novaclient ----------------------------------------------------------------------------


def test_novaclient_lists_flavors_and_servers(endpoint):
    nova = nova_as(endpoint)
    assert [f.name for f in nova.flavors.list()] == FLAVORS
    tiny = nova.flavors.get("1")
    assert (tiny.ram, tiny.vcpus, tiny.disk) == (512, 1, 1)
    servers = nova.servers.list()
    assert [s.name for s in servers] == ADMIN_SERVERS
    assert {s.name: s.status for s in servers}["batch-01"] == "SHUTOFF"
    web = nova.servers.get(next(s.id for s in servers if s.name == "web-01"))
    assert web.status == "ACTIVE" and web.flavor["id"] == "2"
    # What novaclient parsed came from bodies with exactly the keys of 2.1.
    schemas.validate(web.to_dict(), schemas.SERVER_ADMIN)


def test_novaclient_server_lifecycle(endpoint):
    nova = nova_as(endpoint)
    server = nova.servers.create("e2e-novaclient", image=CIRROS, flavor="1", meta={"purpose": "test"})
    assert len(server.adminPass) >= 8
    assert nova.servers.get(server.id).status == "ACTIVE"
    assert nova.servers.get(server.id).metadata == {"purpose": "test"}

    nova.servers.reboot(server.id, reboot_type="HARD")
    nova.servers.stop(server.id)
    assert nova.servers.get(server.id).status == "SHUTOFF"
    with pytest.raises(novaclient_exceptions.Conflict, match="while it is in vm_state stopped"):
        nova.servers.stop(server.id)
    nova.servers.start(server.id)
    assert nova.servers.get(server.id).status == "ACTIVE"
    with pytest.raises(novaclient_exceptions.Conflict, match="Cannot 'start' instance .* vm_state active"):
        nova.servers.start(server.id)

    nova.servers.update(server.id, name="e2e-renamed")
    assert nova.servers.get(server.id).name == "e2e-renamed"
    nova.servers.delete(server.id)
    with pytest.raises(novaclient_exceptions.NotFound, match=f"Instance {server.id} could not be found"):
        nova.servers.get(server.id)


def test_novaclient_pages_with_limit_and_marker(endpoint):
    nova = nova_as(endpoint)
    first = nova.servers.list(limit=2)
    assert [s.name for s in first] == ADMIN_SERVERS[:2]
    second = nova.servers.list(limit=2, marker=first[-1].id)
    assert [s.name for s in second] == ADMIN_SERVERS[2:]
    status, body = raw_get(endpoint, "/servers/detail?limit=2")
    assert status == 200
    assert body["servers_links"][0]["rel"] == "next"
    assert f"marker={first[-1].id}" in body["servers_links"][0]["href"]
    with pytest.raises(novaclient_exceptions.BadRequest, match="marker \\[nope\\] not found"):
        nova.servers.list(marker="nope")


def test_a_member_sees_only_its_project(endpoint):
    admin, demo = nova_as(endpoint), nova_as(endpoint, "demo:demo")
    assert [s.name for s in demo.servers.list()] == DEMO_SERVERS
    admin_server = admin.servers.list()[0]
    with pytest.raises(novaclient_exceptions.NotFound):
        demo.servers.get(admin_server.id)
    with pytest.raises(novaclient_exceptions.Forbidden, match="get_all_tenants"):
        demo.servers.list(search_opts={"all_tenants": 1})
    assert len(admin.servers.list(search_opts={"all_tenants": 1})) == len(ADMIN_SERVERS) + len(DEMO_SERVERS)
    # A member's view has no OS-EXT-SRV-ATTR keys; the admin's has them.
    member_view = demo.servers.get(demo.servers.list()[0].id).to_dict()
    assert not any(key.startswith("OS-EXT-SRV-ATTR:") for key in member_view)
    schemas.validate(member_view, schemas.SERVER_MEMBER)


# -- openstacksdk ---------------------------------------------------------------------------------


def test_openstacksdk_discovers_and_lists(endpoint):
    conn = sdk_as(endpoint)
    assert [f.name for f in conn.compute.flavors()] == FLAVORS
    assert [s.name for s in conn.compute.servers()] == ADMIN_SERVERS
    images = {i.name: i.status for i in conn.compute.images()}
    assert images["cirros-0.3.4-x86_64-disk"] == "ACTIVE"


def test_openstacksdk_logs_in_with_a_password_through_the_identity_stand_in(endpoint):
    """As the openstack CLI does: a password login at /identity, then the compute endpoint from the catalog."""
    conn = openstack.connection.Connection(auth_type="password", auth={
        "auth_url": endpoint.removesuffix("/v2.1") + "/identity", "username": "demo", "password": "any",
        "project_name": "demo", "user_domain_id": "default", "project_domain_id": "default",
    })
    assert conn.compute.get_endpoint() == endpoint
    assert [s.name for s in conn.compute.servers()] == DEMO_SERVERS  # the token's project is demo's


def test_openstacksdk_server_lifecycle(endpoint):
    conn = sdk_as(endpoint)
    server = conn.compute.create_server(name="e2e-sdk", flavor_id="1", image_id=CIRROS)
    assert server.admin_password
    server = conn.compute.wait_for_server(server, status="ACTIVE", wait=20)
    assert server.image.id == CIRROS
    conn.compute.stop_server(server)
    assert conn.compute.get_server(server.id).status == "SHUTOFF"
    conn.compute.start_server(server)
    assert conn.compute.get_server(server.id).status == "ACTIVE"
    conn.compute.reboot_server(server, "SOFT")
    conn.compute.delete_server(server)
    assert conn.compute.find_server(server.id) is None
    with pytest.raises(openstack.exceptions.NotFoundException):
        conn.compute.get_server(server.id)


def test_openstacksdk_reports_nova_faults(endpoint):
    conn = sdk_as(endpoint)
    with pytest.raises(openstack.exceptions.BadRequestException, match="Invalid input for field/attribute"):
        conn.compute.create_server(name="no-flavor", image_id=CIRROS, flavor_id="")
    with pytest.raises(openstack.exceptions.NotFoundException):
        conn.compute.get_flavor("no-such-flavor")
