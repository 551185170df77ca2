"""The controller extensions on servers: extended status, server attributes, pause."""

from __future__ import annotations

import pytest
import webtest

from sample_api import db_seed
from sample_api.api.openstack.compute.contrib import extended_status


@pytest.fixture
def demo_app(app):
    return webtest.TestApp(app, extra_environ={"HTTP_X_AUTH_TOKEN": "demo:demo"})


STS_KEYS = {"OS-EXT-STS:task_state", "OS-EXT-STS:vm_state", "OS-EXT-STS:power_state"}
ATTR_KEYS = {"OS-EXT-SRV-ATTR:host", "OS-EXT-SRV-ATTR:hypervisor_hostname", "OS-EXT-SRV-ATTR:instance_name"}


def test_extended_status_keys_on_show_and_detail(demo_app):
    server = demo_app.get(f"/v2.1/servers/{db_seed.DEMO_NOTEBOOK}").json["server"]
    assert {k: server[k] for k in STS_KEYS} == {
        "OS-EXT-STS:task_state": None, "OS-EXT-STS:vm_state": "paused", "OS-EXT-STS:power_state": 3}
    for server in demo_app.get("/v2.1/servers/detail").json["servers"]:
        assert STS_KEYS <= set(server)


def test_extended_status_keys_absent_from_index(testapp):
    for server in testapp.get("/v2.1/servers").json["servers"]:
        assert not STS_KEYS & set(server)


def test_extended_status_respects_its_policy(demo_app, monkeypatch):
    from sample_api import policy

    monkeypatch.setitem(policy.RULES, "os_compute_api:os-extended-status", policy.ADMIN_API)
    server = demo_app.get(f"/v2.1/servers/{db_seed.DEMO_BLOG}").json["server"]
    assert not STS_KEYS & set(server)


def test_extension_is_registered(testapp):
    aliases = [ext["alias"] for ext in testapp.get("/v2.1/extensions").json["extensions"]]
    for alias in (extended_status.ALIAS, "OS-EXT-SRV-ATTR", "os-pause-server", "os-keypairs"):
        assert alias in aliases


def test_server_attributes_only_for_admins(testapp, demo_app):
    admin_view = testapp.get(f"/v2.1/servers/{db_seed.DEMO_BLOG}").json["server"]
    assert {k: admin_view[k] for k in ATTR_KEYS} == {
        "OS-EXT-SRV-ATTR:host": "compute-1",
        "OS-EXT-SRV-ATTR:hypervisor_hostname": "compute-1.tracer.local",
        "OS-EXT-SRV-ATTR:instance_name": "instance-00000005",
    }
    member_view = demo_app.get(f"/v2.1/servers/{db_seed.DEMO_BLOG}").json["server"]
    assert not ATTR_KEYS & set(member_view)
    for server in demo_app.get("/v2.1/servers/detail").json["servers"]:
        assert not ATTR_KEYS & set(server)


def _act(client, server_id: str, name: str, status: int):
    return client.post_json(f"/v2.1/servers/{server_id}/action", {name: None}, status=status)


def test_pause_and_unpause(testapp):
    _act(testapp, db_seed.WEB_01, "pause", 202)
    assert testapp.get(f"/v2.1/servers/{db_seed.WEB_01}").json["server"]["status"] == "PAUSED"
    _act(testapp, db_seed.WEB_01, "unpause", 202)
    assert testapp.get(f"/v2.1/servers/{db_seed.WEB_01}").json["server"]["status"] == "ACTIVE"


def test_pause_conflicts(testapp, demo_app):
    resp = _act(testapp, db_seed.BATCH_01, "pause", 409)
    assert resp.json["conflictingRequest"]["message"] == (
        f"Cannot 'pause' instance {db_seed.BATCH_01} while it is in vm_state stopped")
    _act(demo_app, db_seed.DEMO_BLOG, "unpause", 409)
    _act(demo_app, db_seed.DEMO_NOTEBOOK, "unpause", 202)
    _act(demo_app, db_seed.WEB_01, "pause", 404)
