"""service.load_app builds the whole real API; WSGIService puts a Server around it."""

from __future__ import annotations

import json
import urllib.request

from sample_api import service
from sample_api.api.openstack import urlmap


def test_load_app_serves_servers_detail_end_to_end(testapp):
    resp = testapp.get("/v2.1/servers/detail")
    assert resp.status_int == 200
    assert isinstance(resp.json["servers"], list)
    assert resp.headers["OpenStack-API-Version"] == "compute 2.1"
    assert resp.headers["x-compute-request-id"].startswith("req-")


def test_load_app_routes_project_id_urls(testapp):
    assert testapp.get("/v2.1/admin/flavors/detail").status_int == 200


def test_each_load_app_builds_a_fresh_app(api_conf):
    first, second = service.load_app(), service.load_app()
    assert isinstance(first, urlmap.URLMap)
    assert first is not second


def test_wsgi_service_on_a_free_port(api_conf):
    svc = service.WSGIService(port=0, pool_size=2)
    svc.start()
    try:
        req = urllib.request.Request(
            f"http://127.0.0.1:{svc.port}/v2.1/servers", headers={"X-Auth-Token": "admin:admin"}
        )
        with urllib.request.urlopen(req, timeout=10) as resp:
            assert "servers" in json.loads(resp.read())
    finally:
        svc.stop()
        svc.wait()
