"""The servers API in-process, as a client sees it: bodies, status codes, errors."""

from __future__ import annotations

import pytest
import webtest

from sample_api import db_seed
from tests.sample_api.api.openstack.compute import response_schemas as rs

ADMIN_SERVERS = ["batch-01", "db-01", "web-02", "web-01"]  # newest first
ALL_SERVERS = ["demo-broken", "demo-notebook", "demo-blog", *ADMIN_SERVERS]


@pytest.fixture
def demo_app(app):
    """A client authenticated as the non-admin user ``demo`` of project ``demo``."""
    return webtest.TestApp(app, extra_environ={"HTTP_X_AUTH_TOKEN": "demo:demo"})


def names(body: dict) -> list[str]:
    return [server["name"] for server in body["servers"]]


def action(testapp, server_id: str, body: dict, status: int | str = 202):
    return testapp.post_json(f"/v2.1/servers/{server_id}/action", body, status=status)


# ------------------------------------------------------------------ list


def test_index_lists_own_project_newest_first(testapp):
    body = testapp.get("/v2.1/servers").json
    rs.validate(body, rs.server_list(rs.SERVER_INDEX_ITEM))
    assert names(body) == ADMIN_SERVERS
    assert "servers_links" not in body


def test_detail_admin_body_matches_the_2_1_shape(testapp):
    body = testapp.get("/v2.1/servers/detail").json
    rs.validate(body, rs.server_list(rs.SERVER_ADMIN))
    assert names(body) == ADMIN_SERVERS


def test_detail_member_body_has_no_server_attributes(demo_app):
    body = demo_app.get("/v2.1/servers/detail").json
    rs.validate(body, rs.server_list(rs.SERVER_MEMBER))
    assert names(body) == ["demo-broken", "demo-notebook", "demo-blog"]
    assert not any(key.startswith("OS-EXT-SRV-ATTR") for server in body["servers"] for key in server)


def test_detail_keys_depend_on_status(demo_app):
    servers = {s["name"]: s for s in demo_app.get("/v2.1/servers/detail").json["servers"]}
    assert servers["demo-blog"]["progress"] == 0
    assert "progress" not in servers["demo-notebook"]  # PAUSED carries no progress
    assert "fault" not in servers["demo-blog"]
    assert servers["demo-broken"]["fault"] == {
        "code": 500,
        "created": "2015-04-30T10:10:03Z",
        "message": "No valid host was found. There are not enough hosts available.",
    }
    assert servers["demo-broken"]["status"] == "ERROR"
    assert servers["demo-broken"]["addresses"] == {}
    assert servers["demo-broken"]["hostId"] == ""


def test_limit_gives_a_next_link_with_the_last_id_as_marker(testapp):
    body = testapp.get("/v2.1/servers/detail?limit=2").json
    assert names(body) == ["batch-01", "db-01"]
    assert body["servers_links"] == [{
        "rel": "next",
        "href": f"http://localhost/v2.1/servers/detail?limit=2&marker={db_seed.DB_01}",
    }]
    second = testapp.get(f"/v2.1/servers/detail?limit=2&marker={db_seed.DB_01}").json
    assert names(second) == ["web-02", "web-01"]
    # A full page always has a next link, even when nothing follows: Nova cannot know.
    third = testapp.get(f"/v2.1/servers/detail?limit=2&marker={db_seed.WEB_01}").json
    assert third == {"servers": []}


def test_index_next_link_points_at_servers(testapp):
    body = testapp.get("/v2.1/servers?limit=3").json
    assert body["servers_links"][0]["href"] == (
        f"http://localhost/v2.1/servers?limit=3&marker={db_seed.WEB_02}")


@pytest.mark.parametrize(("query", "message"), [
    ("limit=abc", "limit param must be an integer"),
    ("limit=-1", "limit param must be positive"),
    ("marker=no-such-server", "marker [no-such-server] not found"),
])
def test_bad_pagination_is_400(testapp, query, message):
    resp = testapp.get(f"/v2.1/servers/detail?{query}", status=400)
    rs.validate(resp.json, rs.fault("badRequest", 400))
    assert resp.json["badRequest"]["message"] == message


def test_name_filter_is_a_regular_expression(testapp):
    assert names(testapp.get("/v2.1/servers?name=web").json) == ["web-02", "web-01"]
    assert names(testapp.get("/v2.1/servers?name=^db-0[0-9]$").json) == ["db-01"]
    assert names(testapp.get("/v2.1/servers?name=nothing-like-this").json) == []


def test_status_filter_maps_to_vm_state(testapp):
    assert names(testapp.get("/v2.1/servers?status=SHUTOFF").json) == ["batch-01"]
    assert names(testapp.get("/v2.1/servers?status=active").json) == ["db-01", "web-02", "web-01"]
    assert names(testapp.get("/v2.1/servers?status=NO_SUCH_STATUS").json) == []


def test_flavor_and_image_filters(testapp):
    assert names(testapp.get("/v2.1/servers?flavor=3").json) == ["db-01"]
    assert names(testapp.get("/v2.1/servers?flavor=999").json) == []
    assert names(testapp.get(f"/v2.1/servers?image={db_seed.CIRROS}").json) == ["batch-01"]


def test_all_tenants_admin_sees_every_project(testapp):
    assert names(testapp.get("/v2.1/servers/detail?all_tenants=1").json) == ALL_SERVERS
    assert names(testapp.get("/v2.1/servers?all_tenants").json) == ALL_SERVERS
    assert names(testapp.get("/v2.1/servers?all_tenants=0").json) == ADMIN_SERVERS


def test_all_tenants_bad_value_is_400(testapp):
    resp = testapp.get("/v2.1/servers?all_tenants=maybe", status=400)
    assert "Unrecognized value 'maybe'" in resp.json["badRequest"]["message"]


@pytest.mark.parametrize("path", ["/v2.1/servers/detail?all_tenants=1", "/v2.1/servers?all_tenants=1"])
def test_all_tenants_is_forbidden_to_a_member(demo_app, path):
    resp = demo_app.get(path, status=403)
    rs.validate(resp.json, rs.fault("forbidden", 403))
    assert "get_all_tenants" in resp.json["forbidden"]["message"]


def test_member_cannot_use_admin_only_filters(demo_app):
    # "host" is not in the member whitelist: it is dropped, not applied.
    assert names(demo_app.get("/v2.1/servers?host=compute-1").json) == [
        "demo-broken", "demo-notebook", "demo-blog"]


def test_links_carry_the_project_only_when_the_url_did(testapp):
    plain = testapp.get(f"/v2.1/servers/{db_seed.WEB_01}").json["server"]["links"]
    assert plain == [
        {"rel": "self", "href": f"http://localhost/v2.1/servers/{db_seed.WEB_01}"},
        {"rel": "bookmark", "href": f"http://localhost/servers/{db_seed.WEB_01}"},
    ]
    scoped = testapp.get(f"/v2.1/admin/servers/{db_seed.WEB_01}").json["server"]["links"]
    assert scoped[0]["href"] == f"http://localhost/v2.1/admin/servers/{db_seed.WEB_01}"
    assert scoped[1]["href"] == f"http://localhost/admin/servers/{db_seed.WEB_01}"


# ------------------------------------------------------------------ show


def test_show_admin(testapp):
    body = testapp.get(f"/v2.1/servers/{db_seed.WEB_01}").json
    rs.validate(body, _exact_server(rs.SERVER_ADMIN))
    server = body["server"]
    assert server["name"] == "web-01"
    assert server["status"] == "ACTIVE"
    assert server["flavor"] == {"id": "2", "links": [{"rel": "bookmark", "href": "http://localhost/flavors/2"}]}
    assert server["OS-EXT-STS:vm_state"] == "active"
    assert server["OS-EXT-SRV-ATTR:instance_name"] == "instance-00000001"
    assert server["accessIPv4"] == "" and server["accessIPv6"] == ""
    assert server["created"] == "2015-04-30T09:00:00Z"
    assert [a["addr"] for a in server["addresses"]["private"]] == [
        "10.0.0.3", "fd5e:7a1c:20be::2a01", "172.24.4.10"]


def test_show_stopped_server_is_shutoff_without_progress(testapp):
    server = testapp.get(f"/v2.1/servers/{db_seed.BATCH_01}").json["server"]
    assert server["status"] == "SHUTOFF"
    assert server["OS-EXT-STS:power_state"] == 4
    assert "progress" not in server


def test_show_member_own_server(demo_app):
    body = demo_app.get(f"/v2.1/servers/{db_seed.DEMO_BLOG}").json
    rs.validate(body, _exact_server(rs.SERVER_MEMBER))


def test_member_cannot_see_another_projects_server(demo_app):
    resp = demo_app.get(f"/v2.1/servers/{db_seed.WEB_01}", status=404)
    assert resp.json == {"itemNotFound": {
        "code": 404, "message": f"Instance {db_seed.WEB_01} could not be found."}}


def test_show_unknown_server_is_404(testapp):
    resp = testapp.get("/v2.1/servers/00000000-0000-0000-0000-000000000000", status=404)
    rs.validate(resp.json, rs.fault("itemNotFound", 404))
    assert resp.content_type == "application/json"


def _exact_server(item: dict) -> dict:
    return {"type": "object", "properties": {"server": item}, "required": ["server"],
            "additionalProperties": False}


# ------------------------------------------------------------------ create


def _create(testapp, **server):
    body = {"server": {"name": "web-03", "flavorRef": "1", "imageRef": db_seed.CIRROS, **server}}
    return testapp.post_json("/v2.1/servers", body, status="*")


def test_create_returns_202_location_and_generated_password(testapp):
    resp = _create(testapp)
    assert resp.status_int == 202
    rs.validate(resp.json, rs.SERVER_CREATE)
    server_id = resp.json["server"]["id"]
    assert resp.headers["Location"] == f"http://localhost/v2.1/servers/{server_id}"
    assert len(resp.json["server"]["adminPass"]) == 12
    shown = testapp.get(f"/v2.1/servers/{server_id}").json["server"]
    assert shown["name"] == "web-03"
    assert shown["status"] == "ACTIVE"
    assert shown["flavor"]["id"] == "1"
    assert shown["tenant_id"] == "admin"
    assert names(testapp.get("/v2.1/servers").json)[0] == "web-03"


def test_create_keeps_the_password_sent_and_the_options(testapp):
    resp = _create(testapp, adminPass="s3cret-pass", metadata={"env": "test"}, key_name="admin-key",
                   availability_zone="nova", **{"OS-DCF:diskConfig": "AUTO"})
    assert resp.status_int == 202, resp.body
    assert resp.json["server"]["adminPass"] == "s3cret-pass"
    assert resp.json["server"]["OS-DCF:diskConfig"] == "AUTO"
    shown = testapp.get(f"/v2.1/servers/{resp.json['server']['id']}").json["server"]
    assert shown["metadata"] == {"env": "test"}
    assert shown["key_name"] == "admin-key"


def test_create_without_image_shows_empty_image(testapp):
    resp = testapp.post_json("/v2.1/servers", {"server": {"name": "from-volume", "flavorRef": "2"}})
    shown = testapp.get(resp.headers["Location"]).json["server"]
    assert shown["image"] == ""


def test_create_max_count_makes_several_servers(testapp):
    resp = _create(testapp, name="worker", min_count=1, max_count=3)
    assert resp.status_int == 202
    assert names(testapp.get("/v2.1/servers?name=^worker").json) == ["worker-3", "worker-2", "worker-1"]


@pytest.mark.parametrize(("server", "message"), [
    ({"flavorRef": "99"}, "Invalid flavorRef provided."),
    ({"imageRef": "not-a-uuid"}, "Invalid imageRef provided."),
    ({"imageRef": "00000000-0000-0000-0000-000000000000"},
     "Image 00000000-0000-0000-0000-000000000000 could not be found."),
    ({"imageRef": db_seed.SNAPSHOT}, f"Image {db_seed.SNAPSHOT} is not active."),
    ({"key_name": "no-such-key"}, "Invalid key_name provided."),
    ({"availability_zone": "mars"}, "The requested availability zone is not available"),
    ({"min_count": 3, "max_count": 2}, "min_count must be <= max_count"),
])
def test_create_rejections_are_400(testapp, server, message):
    resp = _create(testapp, **server)
    assert resp.status_int == 400
    assert resp.json == {"badRequest": {"code": 400, "message": message}}


@pytest.mark.parametrize(("body", "message"), [
    ({"server": {"name": "x"}},
     "Invalid input for field/attribute server. Value: {'name': 'x'}. 'flavorRef' is a required property"),
    ({"server": {"flavorRef": "1"}},
     "Invalid input for field/attribute server. Value: {'flavorRef': '1'}. 'name' is a required property"),
    ({"serverx": {}}, "'server' is a required property"),
    ({"server": {"name": 42, "flavorRef": "1"}},
     "Invalid input for field/attribute name. Value: 42. 42 is not of type 'string'"),
    ({"server": {"name": "x", "flavorRef": "1", "color": "red"}},
     "Invalid input for field/attribute server. Value: {'name': 'x', 'flavorRef': '1', 'color': 'red'}. "
     "Additional properties are not allowed ('color' was unexpected)"),
])
def test_create_schema_messages(testapp, body, message):
    resp = testapp.post_json("/v2.1/servers", body, status=400)
    assert resp.json["badRequest"]["message"] == message


def test_create_malformed_json_is_400(testapp):
    resp = testapp.post("/v2.1/servers", "{not json", content_type="application/json", status=400)
    assert resp.json["badRequest"]["message"] == "Malformed request body"


# ------------------------------------------------------------------ update and delete


def test_update_renames(testapp):
    resp = testapp.put_json(f"/v2.1/servers/{db_seed.WEB_02}", {"server": {"name": "web-02-renamed"}})
    assert resp.status_int == 200
    rs.validate(resp.json, _exact_server(rs.SERVER_UPDATE))
    assert resp.json["server"]["name"] == "web-02-renamed"
    assert testapp.get(f"/v2.1/servers/{db_seed.WEB_02}").json["server"]["name"] == "web-02-renamed"


def test_update_only_accepts_name(testapp):
    resp = testapp.put_json(f"/v2.1/servers/{db_seed.WEB_02}", {"server": {"flavorRef": "3"}}, status=400)
    assert "Additional properties are not allowed" in resp.json["badRequest"]["message"]


def test_member_cannot_update_another_projects_server(demo_app):
    demo_app.put_json(f"/v2.1/servers/{db_seed.WEB_02}", {"server": {"name": "mine"}}, status=404)


def test_delete_is_204_and_the_server_is_gone(testapp):
    resp = testapp.delete(f"/v2.1/servers/{db_seed.WEB_02}", status=204)
    assert resp.body == b""
    testapp.get(f"/v2.1/servers/{db_seed.WEB_02}", status=404)
    assert "web-02" not in names(testapp.get("/v2.1/servers").json)
    testapp.delete(f"/v2.1/servers/{db_seed.WEB_02}", status=404)


def test_admin_can_list_deleted_servers_by_status(testapp, demo_app):
    testapp.delete(f"/v2.1/servers/{db_seed.WEB_02}", status=204)
    deleted = testapp.get("/v2.1/servers/detail?status=DELETED").json["servers"]
    assert [(s["name"], s["status"]) for s in deleted] == [("web-02", "DELETED")]
    demo_app.get("/v2.1/servers?status=DELETED", status=403)


# ------------------------------------------------------------------ actions


def _status(testapp, server_id: str) -> str:
    return testapp.get(f"/v2.1/servers/{server_id}").json["server"]["status"]


def test_stop_then_start(testapp):
    resp = action(testapp, db_seed.WEB_01, {"os-stop": None})
    assert resp.body == b""
    assert _status(testapp, db_seed.WEB_01) == "SHUTOFF"
    action(testapp, db_seed.WEB_01, {"os-start": None})
    assert _status(testapp, db_seed.WEB_01) == "ACTIVE"


def test_starting_an_active_server_is_409(testapp):
    resp = action(testapp, db_seed.WEB_01, {"os-start": None}, status=409)
    assert resp.json == {"conflictingRequest": {
        "code": 409,
        "message": f"Cannot 'start' instance {db_seed.WEB_01} while it is in vm_state active"}}


def test_stopping_a_stopped_server_is_409(testapp):
    resp = action(testapp, db_seed.BATCH_01, {"os-stop": None}, status=409)
    assert "while it is in vm_state stopped" in resp.json["conflictingRequest"]["message"]


@pytest.mark.parametrize("reboot_type", ["SOFT", "HARD", "soft"])
def test_reboot_keeps_an_active_server_active(testapp, reboot_type):
    action(testapp, db_seed.WEB_01, {"reboot": {"type": reboot_type}})
    assert _status(testapp, db_seed.WEB_01) == "ACTIVE"


def test_soft_reboot_of_a_stopped_server_is_409_but_hard_starts_it(testapp):
    action(testapp, db_seed.BATCH_01, {"reboot": {"type": "SOFT"}}, status=409)
    action(testapp, db_seed.BATCH_01, {"reboot": {"type": "HARD"}})
    assert _status(testapp, db_seed.BATCH_01) == "ACTIVE"


def test_bad_reboot_type_is_400(testapp):
    resp = action(testapp, db_seed.WEB_01, {"reboot": {"type": "GENTLE"}}, status=400)
    assert resp.json["badRequest"]["message"] == (
        "Invalid input for field/attribute type. Value: GENTLE. "
        "'GENTLE' is not one of ['HARD', 'Hard', 'hard', 'SOFT', 'Soft', 'soft']")


def test_unknown_action_is_400(testapp):
    resp = action(testapp, db_seed.WEB_01, {"fly": None}, status=400)
    assert resp.json == {"badRequest": {"code": 400, "message": "There is no such action: fly"}}


def test_action_on_unknown_server_is_404(testapp):
    action(testapp, "00000000-0000-0000-0000-000000000000", {"os-stop": None}, status=404)


def test_member_cannot_act_on_another_projects_server(demo_app, testapp):
    demo_app.post_json(f"/v2.1/servers/{db_seed.WEB_01}/action", {"os-stop": None}, status=404)
    assert _status(testapp, db_seed.WEB_01) == "ACTIVE"


def test_changes_since_filter(testapp):
    body = testapp.get("/v2.1/servers?all_tenants=1&changes-since=2015-04-30T10:00:00Z").json
    assert names(body) == ["demo-broken", "demo-notebook", "demo-blog"]
    resp = testapp.get("/v2.1/servers?changes-since=yesterday", status=400)
    assert resp.json["badRequest"]["message"] == "Invalid changes-since value"


def test_several_statuses_combine(testapp):
    body = testapp.get("/v2.1/servers?all_tenants=1&status=PAUSED&status=SHUTOFF").json
    assert names(body) == ["demo-notebook", "batch-01"]
