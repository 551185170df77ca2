"""The flavors API in-process: list, detail, show, filters and pagination."""

from __future__ import annotations

import pytest
import webtest

from tests.sample_api.api.openstack.compute import response_schemas as rs


@pytest.fixture
def demo_app(app):
    return webtest.TestApp(app, extra_environ={"HTTP_X_AUTH_TOKEN": "demo:demo"})


def ids(body: dict) -> list[str]:
    return [flavor["id"] for flavor in body["flavors"]]


def test_index(testapp):
    body = testapp.get("/v2.1/flavors").json
    rs.validate(body, rs.flavor_list(rs.FLAVOR_INDEX_ITEM))
    assert ids(body) == ["1", "2", "3", "4", "5"]
    assert body["flavors"][0]["name"] == "m1.tiny"


def test_detail(demo_app):
    body = demo_app.get("/v2.1/flavors/detail").json
    rs.validate(body, rs.flavor_list(rs.FLAVOR))
    medium = body["flavors"][2]
    assert (medium["name"], medium["ram"], medium["vcpus"], medium["disk"]) == ("m1.medium", 4096, 2, 40)
    assert medium["swap"] == ""  # no swap is "", not 0
    assert medium["os-flavor-access:is_public"] is True


def test_show(testapp):
    body = testapp.get("/v2.1/flavors/2").json
    rs.validate(body, {"type": "object", "properties": {"flavor": rs.FLAVOR}, "required": ["flavor"],
                       "additionalProperties": False})
    assert body["flavor"]["links"] == [
        {"rel": "self", "href": "http://localhost/v2.1/flavors/2"},
        {"rel": "bookmark", "href": "http://localhost/flavors/2"},
    ]


def test_show_unknown_is_404(testapp):
    resp = testapp.get("/v2.1/flavors/99", status=404)
    assert resp.json == {"itemNotFound": {"code": 404, "message": "Flavor 99 could not be found."}}


@pytest.mark.parametrize("client", ["testapp", "demo_app"])
def test_openstacksdk_is_public_none_is_accepted(request, client):
    body = request.getfixturevalue(client).get("/v2.1/flavors/detail?is_public=None").json
    assert ids(body) == ["1", "2", "3", "4", "5"]


def test_bad_is_public_is_400(testapp):
    resp = testapp.get("/v2.1/flavors?is_public=perhaps", status=400)
    assert resp.json["badRequest"]["message"] == "Invalid is_public filter [perhaps]"


def test_min_ram_and_min_disk_filters(testapp):
    assert ids(testapp.get("/v2.1/flavors?minRam=4096").json) == ["3", "4", "5"]
    assert ids(testapp.get("/v2.1/flavors/detail?minDisk=80").json) == ["4", "5"]
    resp = testapp.get("/v2.1/flavors?minRam=lots", status=400)
    assert resp.json["badRequest"]["message"] == "Invalid minRam filter [lots]"


def test_pagination(testapp):
    body = testapp.get("/v2.1/flavors/detail?limit=2").json
    assert ids(body) == ["1", "2"]
    assert body["flavors_links"] == [
        {"rel": "next", "href": "http://localhost/v2.1/flavors/detail?limit=2&marker=2"}]
    assert ids(testapp.get("/v2.1/flavors?limit=2&marker=2").json) == ["3", "4"]
    resp = testapp.get("/v2.1/flavors?marker=42", status=400)
    assert resp.json["badRequest"]["message"] == "marker [42] not found"
