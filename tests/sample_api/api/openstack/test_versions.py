"""The version documents of GET / and GET /v2.1."""

from __future__ import annotations


def test_versions_list(fake_testapp):
    resp = fake_testapp.get("/", extra_environ={"HTTP_HOST": "api.example:8774", "HTTP_X_AUTH_TOKEN": ""})
    assert resp.content_type == "application/json"
    versions = {v["id"]: v for v in resp.json["versions"]}
    assert versions["v2.1"]["status"] == "CURRENT"
    assert versions["v2.1"]["version"] == "2.19"
    assert versions["v2.1"]["min_version"] == "2.1"
    assert versions["v2.1"]["links"] == [{"rel": "self", "href": "http://api.example:8774/v2.1/"}]
    assert versions["v2.0"]["status"] == "DEPRECATED"
    assert set(versions["v2.0"]) == {"id", "status", "version", "min_version", "updated", "links"}
    assert "OpenStack-API-Version" not in resp.headers


def test_version_document_needs_no_token(fake_app):
    import webtest

    app = webtest.TestApp(fake_app)
    for path in ("/v2.1", "/v2.1/"):
        resp = app.get(path, extra_environ={"HTTP_HOST": "api.example:8774"})
        version = resp.json["version"]
        assert version["id"] == "v2.1"
        assert (version["version"], version["min_version"]) == ("2.19", "2.1")
        assert version["links"][0] == {"rel": "self", "href": "http://api.example:8774/v2.1/"}
        assert version["links"][1]["rel"] == "describedby"
        assert version["media-types"][0]["base"] == "application/json"
        assert resp.headers["OpenStack-API-Version"] == "compute 2.1"
        assert resp.headers["x-compute-request-id"].startswith("req-")


def test_link_prefix_overrides_host(fake_testapp, api_conf):
    api_conf.osapi_compute_link_prefix = "https://public.example/"
    resp = fake_testapp.get("/v2.1")
    assert resp.json["version"]["links"][0]["href"] == "https://public.example/v2.1/"


def test_unknown_root_path_is_404(fake_testapp):
    assert fake_testapp.get("/v3", expect_errors=True).status_int == 404


def test_post_to_version_document_is_404(fake_testapp):
    assert fake_testapp.post_json("/v2.1", {}, expect_errors=True).status_int == 404
