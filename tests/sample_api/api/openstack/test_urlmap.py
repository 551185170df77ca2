"""The URL map: longest prefix first, prefix moved into SCRIPT_NAME, "/+" needs more path."""

from __future__ import annotations

import webob

from sample_api.api.openstack import urlmap


def echo(name):
    def app(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [f"{name} {environ['SCRIPT_NAME']}|{environ['PATH_INFO']}".encode()]

    return app


def make_map():
    mapping = urlmap.URLMap()
    mapping["/"] = echo("root")
    mapping["/v2.1"] = echo("doc")
    mapping["/v2.1/+"] = echo("api")
    return mapping


def get(mapping, path):
    return webob.Request.blank(path).get_response(mapping)


def test_api_path_moves_prefix_into_script_name():
    assert get(make_map(), "/v2.1/servers/detail").text == "api /v2.1|/servers/detail"


def test_version_document_exact_paths():
    mapping = make_map()
    assert get(mapping, "/v2.1").text == "doc /v2.1|"
    assert get(mapping, "/v2.1/").text == "doc /v2.1|/"


def test_root_catches_the_rest():
    mapping = make_map()
    assert get(mapping, "/").text == "root |/"
    assert get(mapping, "/v2.10").text == "root |/v2.10"


def test_no_match_is_404():
    mapping = urlmap.URLMap()
    mapping["/only"] = echo("only")
    assert get(mapping, "/other").status_int == 404


def test_longest_prefix_wins_whatever_the_order():
    mapping = urlmap.URLMap()
    mapping["/a/+"] = echo("short")
    mapping["/a/b/+"] = echo("long")
    assert get(mapping, "/a/b/c").text == "long /a/b|/c"
    assert get(mapping, "/a/x").text == "short /a|/x"


def test_real_paste_config_mounts(fake_app):
    assert isinstance(fake_app, urlmap.URLMap)
    assert [url for url, _app in fake_app.applications] == ["/identity", "/v2.1/+", "/v2.1", ""]


def raw_get(app, path_info, query=""):
    """Servers unquote the path (as latin-1 text) but not the query: build the environ that way."""
    req = webob.Request.blank("/", headers={"X-Auth-Token": "alice:p1"})
    req.environ.update(PATH_INFO=path_info, QUERY_STRING=query)
    return req.get_response(app)


def test_url_that_is_not_utf8_is_400_not_500(fake_app):
    for path_info, query in (("/v2.1/things/\xff", ""), ("/v2.1/things", "limit=%ff"), ("/v2.1/things", "a=\xff")):
        resp = raw_get(fake_app, path_info, query)
        assert resp.status_int == 400
        assert "not valid UTF-8" in resp.text


def test_utf8_url_passes(fake_app):
    resp = raw_get(fake_app, "/v2.1/things/\xc3\xa9", "a=%C3%A9")
    assert resp.status_int == 200
