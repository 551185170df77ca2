"""FaultWrapper, ProjectMapper and the APIRouter base (sample_api/api/openstack/__init__.py)."""

from __future__ import annotations

import logging

import pytest
import webob
import webob.exc

from sample_api import exception
from sample_api.api import openstack
from sample_api.api.openstack import extensions, wsgi
from tests.sample_api import fakes


def test_crash_is_generic_500_and_traceback_goes_to_log(fake_testapp, caplog):
    caplog.set_level(logging.INFO)
    resp = fake_testapp.get("/v2.1/things/crash", expect_errors=True)
    assert resp.status_int == 500
    fault = resp.json["computeFault"]
    assert fault["code"] == 500
    assert "secret internal detail" not in resp.text
    assert "Traceback" not in resp.text
    assert "Unexpected API Error" in fault["message"]
    errors = [r for r in caplog.records if r.name == "sample_api.api.openstack" and r.levelno == logging.ERROR]
    assert len(errors) == 1
    assert errors[0].exc_info[0] is RuntimeError
    # The microversion had been agreed before the crash: the fault says so.
    assert resp.headers["OpenStack-API-Version"] == "compute 2.1"


def test_escaping_nova_exception_keeps_its_status_and_message(fake_testapp):
    resp = fake_testapp.get("/v2.1/things/notfound", expect_errors=True)
    assert resp.status_int == 404
    assert resp.json == {"itemNotFound": {"code": 404, "message": "Instance nf could not be found."}}


def _wrapped(app):
    return webob.Request.blank("/x").get_response(openstack.FaultWrapper(app))


def test_faultwrapper_passes_normal_responses():
    resp = _wrapped(webob.Response(body=b"fine"))
    assert resp.body == b"fine"


def test_faultwrapper_turns_raised_webob_error_into_fault():
    def app(environ, start_response):
        raise webob.exc.HTTPConflict(explanation="busy")

    resp = _wrapped(app)
    assert resp.json == {"conflictingRequest": {"code": 409, "message": "busy"}}


def test_faultwrapper_hides_server_side_nova_exception():
    def app(environ, start_response):
        raise exception.NovaException("database password is hunter2")

    resp = _wrapped(app)
    assert resp.status_int == 500
    assert "hunter2" not in resp.text


def _match(mapper, path, method="GET"):
    return mapper.match(environ={"PATH_INFO": path, "REQUEST_METHOD": method})


def test_project_mapper_maps_with_and_without_project_id():
    mapper = openstack.ProjectMapper()
    mapper.resource("server", "servers", controller="C", collection={"detail": "GET"}, member={"action": "POST"})
    assert _match(mapper, "/servers/detail")["action"] == "detail"
    assert _match(mapper, "/servers/abc") == {"controller": "C", "action": "show", "id": "abc"}
    prefixed = _match(mapper, "/proj/servers/detail")
    assert prefixed == {"controller": "C", "action": "detail", "project_id": "proj"}
    assert _match(mapper, "/proj/servers/abc/action", "POST")["action"] == "action"
    assert _match(mapper, "/servers/abc/action", "GET") is None


def test_project_mapper_only_takes_json_as_format():
    mapper = openstack.ProjectMapper()
    mapper.resource("server", "servers", controller="C")
    assert _match(mapper, "/servers/a.b")["id"] == "a.b"
    assert _match(mapper, "/servers/abc.json") == {"controller": "C", "action": "show", "id": "abc", "format": "json"}


def test_project_mapper_parent_resource():
    mapper = openstack.ProjectMapper()
    parent = {"member_name": "server", "collection_name": "servers"}
    mapper.resource("tag", "tags", controller="T", parent_resource=parent)
    assert _match(mapper, "/servers/s1/tags")["server_id"] == "s1"
    assert _match(mapper, "/p1/servers/s1/tags/t1")["id"] == "t1"


def test_api_router_needs_an_extension_manager():
    class NoManager(openstack.APIRouter):
        def _setup_routes(self, mapper, ext_mgr, init_only):
            pass

    with pytest.raises(TypeError, match="ExtensionManager"):
        NoManager()


def test_api_router_sets_up_resource_extensions(api_conf):
    class Gadgets(wsgi.Controller):
        def index(self, req):
            return {"gadgets": []}

    class GadgetExt(extensions.ExtensionDescriptor):
        name = alias = "os-gadgets"

        def get_resources(self):
            return [extensions.ResourceExtension("os-gadgets", Gadgets())]

    api_conf.osapi_compute_extension = [GadgetExt]
    router = fakes.FakeAPIRouter()
    assert set(router.resources) == {"things", "extensions", "os-gadgets"}
    resp = webob.Request.blank("/os-gadgets").get_response(router)
    assert resp.json == {"gadgets": []}


def test_controller_extension_of_missing_collection_is_skipped(api_conf, caplog):
    class Orphan(extensions.ExtensionDescriptor):
        name = alias = "orphan"

        def get_controller_extensions(self):
            return [extensions.ControllerExtension(self, "nowhere", wsgi.Controller())]

    api_conf.osapi_compute_extension = [Orphan]
    router = fakes.FakeAPIRouter()
    assert "nowhere" not in router.resources
    assert "Cannot extend resource nowhere" in caplog.text
