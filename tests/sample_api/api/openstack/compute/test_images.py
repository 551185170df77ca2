"""The images API in-process: Nova's view of glance images."""

from __future__ import annotations

from sample_api import db_seed
from tests.sample_api.api.openstack.compute import response_schemas as rs

NEWEST_FIRST = [db_seed.SNAPSHOT, db_seed.FEDORA, db_seed.UBUNTU, db_seed.CIRROS]


def ids(body: dict) -> list[str]:
    return [image["id"] for image in body["images"]]


def test_index(testapp):
    body = testapp.get("/v2.1/images").json
    rs.validate(body, rs.image_list(rs.IMAGE_INDEX_ITEM))
    assert ids(body) == NEWEST_FIRST


def test_detail_maps_glance_status(testapp):
    body = testapp.get("/v2.1/images/detail").json
    rs.validate(body, rs.image_list(rs.IMAGE))
    by_id = {image["id"]: image for image in body["images"]}
    assert (by_id[db_seed.SNAPSHOT]["status"], by_id[db_seed.SNAPSHOT]["progress"]) == ("SAVING", 50)
    ubuntu = by_id[db_seed.UBUNTU]
    assert (ubuntu["status"], ubuntu["progress"], ubuntu["minDisk"], ubuntu["minRam"]) == ("ACTIVE", 100, 5, 512)
    assert ubuntu["metadata"]["os_distro"] == "ubuntu"


def test_show(testapp):
    body = testapp.get(f"/v2.1/images/{db_seed.CIRROS}").json
    rs.validate(body, {"type": "object", "properties": {"image": rs.IMAGE}, "required": ["image"],
                       "additionalProperties": False})
    assert body["image"]["name"] == "cirros-0.3.4-x86_64-disk"
    assert body["image"]["created"] == "2015-04-20T08:00:00Z"


def test_show_unknown_is_404(testapp):
    resp = testapp.get("/v2.1/images/00000000-0000-0000-0000-000000000000", status=404)
    assert resp.json == {"itemNotFound": {"code": 404, "message": "Image not found."}}


def test_filters_and_pagination(testapp):
    assert ids(testapp.get("/v2.1/images?status=ACTIVE").json) == NEWEST_FIRST[1:]
    assert ids(testapp.get("/v2.1/images?name=Fedora-Cloud-Base-21").json) == [db_seed.FEDORA]
    page = testapp.get("/v2.1/images/detail?limit=2").json
    assert ids(page) == NEWEST_FIRST[:2]
    assert page["images_links"][0]["href"] == (
        f"http://localhost/v2.1/images/detail?limit=2&marker={db_seed.FEDORA}")
    assert ids(testapp.get(f"/v2.1/images?marker={db_seed.FEDORA}").json) == NEWEST_FIRST[2:]
    resp = testapp.get("/v2.1/images?marker=nope", status=400)
    assert resp.json["badRequest"]["message"] == "Marker nope could not be found."
