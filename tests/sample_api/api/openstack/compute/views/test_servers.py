"""The servers view builder alone: a ``webob`` request and a row, no router, no database."""

from __future__ import annotations

from datetime import datetime

import pytest
import webob

from sample_api import conf
from sample_api.api.openstack.api_version_request import APIVersionRequest
from sample_api.api.openstack.compute.views import servers as views_servers
from sample_api.context import RequestContext

UUID = "11111111-2222-3333-4444-555555555555"


def make_request(path: str = "/servers/detail", query: str = "") -> webob.Request:
    req = webob.Request.blank(path + (f"?{query}" if query else ""), base_url="http://api.example:8774/v2.1")
    req.environ["nova.context"] = RequestContext("demo", "demo")
    req.api_version_request = APIVersionRequest("2.1")  # what wsgi.Request reads from the headers
    return req


def make_instance(**overrides) -> dict:
    instance = {
        "uuid": UUID, "display_name": "probe", "project_id": "demo", "user_id": "demo",
        "vm_state": "active", "task_state": None, "power_state": 1, "host": "compute-9", "node": "n",
        "image_ref": "e9d98eb1-4218-4508-ae7d-52f850e0be7c", "flavor": {"flavorid": "1"},
        "metadata": {"k": "v"}, "key_name": None, "config_drive": "", "auto_disk_config": False,
        "availability_zone": "nova", "access_ip_v4": None, "access_ip_v6": None, "progress": None,
        "created_at": datetime(2015, 5, 1, 12, 0, 0), "updated_at": None,
        "launched_at": datetime(2015, 5, 1, 12, 0, 30), "terminated_at": None,
        "info_cache": {"network_info": [
            {"network": "net-a", "address": "10.1.0.2", "version": 4, "type": "fixed", "mac_address": "m"}]},
        "fault": None,
    }
    instance.update(overrides)
    return instance


@pytest.fixture
def builder(api_conf):
    return views_servers.ViewBuilder()


def test_show_formats_times_links_and_defaults(builder):
    server = builder.show(make_request(), make_instance())["server"]
    assert server["created"] == "2015-05-01T12:00:00Z"
    assert server["updated"] == "2015-05-01T12:00:00Z"  # falls back to created
    assert server["OS-SRV-USG:launched_at"] == "2015-05-01T12:00:30.000000"
    assert server["accessIPv4"] == "" and server["accessIPv6"] == ""
    assert server["progress"] == 0
    assert server["links"] == [
        {"rel": "self", "href": f"http://api.example:8774/v2.1/servers/{UUID}"},
        {"rel": "bookmark", "href": f"http://api.example:8774/servers/{UUID}"},
    ]
    assert server["image"]["links"][0]["href"] == (
        "http://api.example:8774/images/e9d98eb1-4218-4508-ae7d-52f850e0be7c")
    assert server["addresses"] == {"net-a": [
        {"version": 4, "addr": "10.1.0.2", "OS-EXT-IPS:type": "fixed", "OS-EXT-IPS-MAC:mac_addr": "m"}]}


def test_show_leaves_extension_keys_to_extensions(builder):
    server = builder.show(make_request(), make_instance())["server"]
    assert not [key for key in server if key.startswith(("OS-EXT-STS", "OS-EXT-SRV-ATTR"))]


def test_host_id_hashes_project_and_host(builder):
    one = builder.show(make_request(), make_instance())["server"]["hostId"]
    other_project = builder.show(make_request(), make_instance(project_id="x"))["server"]["hostId"]
    assert len(one) == 56 and one != other_project
    assert builder.show(make_request(), make_instance(host=None))["server"]["hostId"] == ""


def test_fault_and_progress_depend_on_status(builder):
    fault = {"code": 500, "message": "boom", "created_at": datetime(2015, 5, 1, 12, 1, 0)}
    error = builder.show(make_request(), make_instance(vm_state="error", fault=fault))["server"]
    assert error["fault"] == {"code": 500, "message": "boom", "created": "2015-05-01T12:01:00Z"}
    assert "progress" not in error
    active = builder.show(make_request(), make_instance(fault=fault))["server"]
    assert "fault" not in active


def test_image_is_empty_string_without_image(builder):
    assert builder.show(make_request(), make_instance(image_ref=""))["server"]["image"] == ""


def test_detail_walks_list_view_then_show(builder, monkeypatch):
    calls = []
    original_show = builder.show
    monkeypatch.setattr(builder, "show", lambda req, inst: calls.append(inst["uuid"]) or original_show(req, inst))
    instances = [make_instance(uuid=f"{n}" * 8 + UUID[8:]) for n in range(1, 4)]
    body = builder.detail(make_request(query="limit=3"), instances)
    assert calls == [i["uuid"] for i in instances]
    assert body["servers_links"] == [{
        "rel": "next", "href": f"http://api.example:8774/v2.1/servers/detail?limit=3&marker={instances[-1]['uuid']}"}]


def test_no_next_link_for_a_short_page(builder):
    assert "servers_links" not in builder.index(make_request("/servers", "limit=5"), [make_instance()])


def test_link_prefix_option(builder, api_conf):
    api_conf.osapi_compute_link_prefix = "https://cloud.example/compute"
    links = builder.basic(make_request(), make_instance())["server"]["links"]
    assert links[0]["href"] == f"https://cloud.example/compute/v2.1/servers/{UUID}"
    assert links[1]["href"] == f"https://cloud.example/compute/servers/{UUID}"
    conf.reset()
