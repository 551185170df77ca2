"""Resource, its exception handling, microversions and extensions, through the real pipeline."""

from __future__ import annotations

import webob
import webob.exc

from sample_api.api.openstack import wsgi
from tests.sample_api import fakes

VERSION_HEADERS = {
    "OpenStack-API-Version": "compute 2.1",
    "X-OpenStack-Nova-API-Version": "2.1",
    "Vary": "OpenStack-API-Version, X-OpenStack-Nova-API-Version",
}


def assert_fault(resp, status, name, message=None):
    assert resp.status_int == status
    assert resp.content_type == "application/json"
    assert list(resp.json) == [name]
    assert resp.json[name]["code"] == status
    if message is not None:
        assert resp.json[name]["message"] == message


def assert_version_headers(resp):
    for header, value in VERSION_HEADERS.items():
        assert resp.headers[header] == value


def test_index_gets_context_and_version_headers(fake_testapp):
    resp = fake_testapp.get("/v2.1/things")
    assert resp.status_int == 200
    assert resp.content_type == "application/json"
    assert resp.json["things"] == [{"id": "1"}]
    assert resp.json["context"]["project_id"] == "p1"
    assert_version_headers(resp)


def test_detail_is_routed_before_show(fake_testapp):
    resp = fake_testapp.get("/v2.1/things/detail")
    assert resp.json["things"][0]["id"] == "u-1"


def test_show_passes_url_id(fake_testapp):
    assert fake_testapp.get("/v2.1/things/abc").json["thing"]["id"] == "abc"


def test_project_id_in_url_is_routed(fake_testapp):
    resp = fake_testapp.get("/v2.1/p1/things/detail")
    assert resp.json["things"][0]["id"] == "u-1"


def test_project_id_mismatch_is_400_for_non_admin(fake_testapp):
    resp = fake_testapp.get("/v2.1/other/things", expect_errors=True)
    assert_fault(
        resp,
        400,
        "badRequest",
        "Malformed request URL: URL's project_id 'other' doesn't match Context's project_id 'p1'",
    )
    assert_version_headers(resp)


def test_admin_may_use_another_project_in_url(fake_testapp):
    resp = fake_testapp.get("/v2.1/other/things", extra_environ={"HTTP_X_AUTH_TOKEN": "admin:admin"})
    assert resp.status_int == 200


def test_unknown_path_is_plain_router_404(fake_testapp):
    resp = fake_testapp.get("/v2.1/nothing/here/at/all", expect_errors=True)
    assert resp.status_int == 404
    assert not resp.content_type.startswith("application/json")
    assert "OpenStack-API-Version" not in resp.headers


def test_wrong_method_on_known_path_is_404(fake_testapp):
    resp = fake_testapp.request("/v2.1/things", method="PATCH", expect_errors=True)
    assert resp.status_int == 404


def test_route_without_controller_method_is_404_fault(fake_testapp):
    # routes maps GET /things/new to "new", which the controller does not have.
    resp = fake_testapp.get("/v2.1/things/new", expect_errors=True)
    assert_fault(resp, 404, "itemNotFound")


def test_create_uses_response_code_and_headers(fake_testapp):
    resp = fake_testapp.post_json("/v2.1/things", {"thing": {"name": "x"}})
    assert resp.status_int == 202
    assert resp.json == {"thing": {"thing": {"name": "x"}}}
    assert resp.headers["Location"] == "http://example.test/things/new"
    assert_version_headers(resp)


def test_delete_204_has_empty_body(fake_testapp):
    resp = fake_testapp.delete("/v2.1/things/abc")
    assert resp.status_int == 204
    assert resp.body == b""
    assert "Content-Type" not in resp.headers


def test_body_without_content_type_is_read_as_json(fake_testapp):
    resp = fake_testapp.request("/v2.1/things", method="POST", body=b'{"a": 1}')
    assert resp.json == {"thing": {"a": 1}}


def test_non_json_body_is_415(fake_testapp):
    resp = fake_testapp.post("/v2.1/things", "<a/>", content_type="application/xml", expect_errors=True)
    assert_fault(resp, 415, "badMediaType", "Unsupported Content-Type")
    assert resp.headers["Vary"] == VERSION_HEADERS["Vary"]


def test_content_type_without_body_is_ignored(fake_testapp):
    resp = fake_testapp.get("/v2.1/things", headers={"Content-Type": "application/xml"})
    assert resp.status_int == 200


def test_malformed_json_is_400(fake_testapp):
    resp = fake_testapp.post("/v2.1/things", "{nope", content_type="application/json", expect_errors=True)
    assert_fault(resp, 400, "badRequest", "Malformed request body")
    assert_version_headers(resp)


def test_deeply_nested_json_is_400_not_500(fake_testapp):
    resp = fake_testapp.post("/v2.1/things", "[" * 100000, content_type="application/json", expect_errors=True)
    assert_fault(resp, 400, "badRequest", "Malformed request body")


def test_invalid_utf8_body_is_400(fake_testapp):
    resp = fake_testapp.post("/v2.1/things", b"\xff\xfe{", content_type="application/json", expect_errors=True)
    assert_fault(resp, 400, "badRequest", "Malformed request body")


def test_action_dispatches_by_body_key(fake_testapp):
    resp = fake_testapp.post_json("/v2.1/things/t1/action", {"os-start": None})
    assert resp.status_int == 202
    assert resp.body == b""
    assert fakes.CALLS == ["start t1", "extends os-start"]


def test_action_added_by_controller_extension(fake_testapp):
    resp = fake_testapp.post_json("/v2.1/things/t1/action", {"os-stop": None})
    assert resp.status_int == 200
    assert fakes.CALLS == ["stop t1"]


def test_unknown_action_is_400(fake_testapp):
    resp = fake_testapp.post_json("/v2.1/things/t1/action", {"os-explode": None}, expect_errors=True)
    assert_fault(resp, 400, "badRequest", "There is no such action: os-explode")
    assert_version_headers(resp)


def test_action_body_needs_exactly_one_key(fake_testapp):
    for body in ({"os-start": None, "os-stop": None}, {}, ["os-start"]):
        resp = fake_testapp.post_json("/v2.1/things/t1/action", body, expect_errors=True)
        assert_fault(resp, 400, "badRequest", "Malformed request body")


def test_empty_action_body_is_400(fake_testapp):
    resp = fake_testapp.post("/v2.1/things/t1/action", "", content_type="application/json", expect_errors=True)
    assert_fault(resp, 400, "badRequest", "Malformed request body")


def test_forbidden_is_403(fake_testapp):
    resp = fake_testapp.get("/v2.1/things/forbidden", expect_errors=True)
    assert_fault(resp, 403, "forbidden", "Policy doesn't allow things:show to be performed.")
    assert_version_headers(resp)


def test_invalid_is_400(fake_testapp):
    resp = fake_testapp.get("/v2.1/things/invalid", expect_errors=True)
    assert_fault(resp, 400, "badRequest", "Invalid input received: no good")


def test_invalid_with_own_code_keeps_it(fake_testapp):
    resp = fake_testapp.get("/v2.1/things/conflict", expect_errors=True)
    assert_fault(resp, 409, "conflictingRequest")
    assert "Cannot start" in resp.json["conflictingRequest"]["message"]


def test_type_error_is_400(fake_testapp):
    resp = fake_testapp.get("/v2.1/things/typeerror", expect_errors=True)
    assert_fault(resp, 400, "badRequest")


def test_webob_error_becomes_fault(fake_testapp):
    resp = fake_testapp.get("/v2.1/things/gone", expect_errors=True)
    assert_fault(resp, 404, "itemNotFound", "Thing gone could not be found.")
    assert_version_headers(resp)


def test_microversion_latest_and_legacy_header(fake_testapp):
    for headers, version in (
        ({"OpenStack-API-Version": "compute latest"}, "2.19"),
        ({"X-OpenStack-Nova-API-Version": "2.1"}, "2.1"),
        ({"OpenStack-API-Version": "placement 1.9, compute 2.5"}, "2.5"),
    ):
        resp = fake_testapp.get("/v2.1/things", headers=headers)
        assert resp.headers["OpenStack-API-Version"] == f"compute {version}"


def test_new_header_wins_over_legacy(fake_testapp):
    resp = fake_testapp.get(
        "/v2.1/things",
        headers={"OpenStack-API-Version": "compute 2.1", "X-OpenStack-Nova-API-Version": "9.9"},
    )
    assert resp.status_int == 200


def test_bad_microversion_is_400(fake_testapp):
    for value in ("2.01", "two", "compute", "2"):
        resp = fake_testapp.get("/v2.1/things", headers={"X-OpenStack-Nova-API-Version": value}, expect_errors=True)
        assert_fault(resp, 400, "badRequest")
        assert "is of invalid format" in resp.json["badRequest"]["message"]


def test_unsupported_microversion_is_406(fake_testapp):
    resp = fake_testapp.get("/v2.1/things", headers={"OpenStack-API-Version": "compute 2.20"}, expect_errors=True)
    assert_fault(
        resp,
        406,
        "computeFault",
        "Version 2.20 is not supported by the API. Minimum is 2.1 and maximum is 2.19.",
    )
    # No version was agreed, so none is claimed.
    assert "OpenStack-API-Version" not in resp.headers


def test_extends_runs_after_method_and_reads_request_cache(fake_testapp):
    resp = fake_testapp.get("/v2.1/things/detail")
    assert resp.json["things"] == [{"id": "u-1", "cached_name": "first"}]
    assert fakes.CALLS == ["extends detail"]


def test_generator_extension_wraps_the_method(fake_testapp):
    resp = fake_testapp.get("/v2.1/things/abc")
    assert resp.json["thing"] == {"id": "abc", "wrapped": True}
    assert fakes.CALLS == ["pre show", "post show"]


def test_post_process_extensions_run_in_reverse_registration_order():
    calls = []

    def make(name):
        def ext(req, resp_obj):
            calls.append(name)

        return ext

    resource = wsgi.Resource(fakes.ThingsController())
    response, post = resource.pre_process_extensions([make("first"), make("second")], None, {})
    assert response is None
    resource.post_process_extensions(post, wsgi.ResponseObject({}), None, {})
    assert calls == ["second", "first"]


def test_controller_metaclass_collects_actions_and_extensions():
    assert fakes.ThingsController.wsgi_actions == {"os-start": "_start"}
    assert sorted(fakes.ThingsExtensionController.wsgi_extensions) == [
        ("_start_ext", "os-start"),
        ("detail", None),
        ("show", None),
    ]


def test_controller_builds_view_builder():
    class Builder:
        pass

    class WithBuilder(wsgi.Controller):
        _view_builder_class = Builder

    assert isinstance(WithBuilder()._view_builder, Builder)
    assert wsgi.Controller()._view_builder is None


def test_request_cache_by_key():
    req = wsgi.Request.blank("/")
    req.cache_db_items("flavors", [{"id": "1", "name": "tiny"}])
    req.cache_db_instance({"uuid": "u", "name": "vm"})
    assert req.get_db_item("flavors", "1")["name"] == "tiny"
    assert req.get_db_instance("u")["name"] == "vm"
    assert req.get_db_instance("absent") is None
    assert list(req.get_db_instances()) == ["u"]


def test_request_content_type_rules():
    assert wsgi.Request.blank("/", headers={"Content-Type": "text/plain"}).get_content_type() is None
    assert wsgi.Request.blank("/").get_content_type() is None
    json_req = wsgi.Request.blank("/", headers={"Content-Type": "application/json; charset=UTF-8"})
    assert json_req.get_content_type() == "application/json"
    assert wsgi.Request.blank("/", headers={"Accept": "text/html"}).best_match_content_type() == "application/json"


def test_fault_body_for_each_status():
    expected = {
        400: "badRequest",
        401: "unauthorized",
        409: "conflictingRequest",
        429: "overLimit",
        410: "computeFault",
    }
    for status, name in expected.items():
        error = webob.exc.status_map[status](explanation="why")
        resp = wsgi.Request.blank("/").get_response(wsgi.Fault(error))
        assert resp.status_int == status
        assert resp.json == {name: {"code": status, "message": "why"}}
        assert resp.content_type == "application/json"


def test_fault_carries_retry_after_for_429():
    error = webob.exc.HTTPTooManyRequests(explanation="slow down", headers={"Retry-After": "30"})
    resp = wsgi.Request.blank("/").get_response(wsgi.Fault(error))
    assert resp.json["overLimit"]["retryAfter"] == "30"
