"""A tiny API on the real framework, so the framework is tested without the compute controllers."""

from __future__ import annotations

from pathlib import Path

import webob.exc

from sample_api import exception
from sample_api import wsgi as base_wsgi
from sample_api.api import openstack
from sample_api.api.openstack import extensions, wsgi
from sample_api.conf import PACKAGE_DIR

#: Every call an extension makes is appended here, so tests can see the order.
CALLS: list[str] = []


class ThingsController(wsgi.Controller):
    def index(self, req):
        return {"things": [{"id": "1"}], "context": req.environ["nova.context"].to_dict()}

    def detail(self, req):
        req.cache_db_instances([{"uuid": "u-1", "name": "first"}])
        return {"things": [{"id": "u-1"}]}

    def show(self, req, id):
        errors = {
            "forbidden": exception.PolicyNotAuthorized(action="things:show"),
            "invalid": exception.InvalidInput(reason="no good"),
            "conflict": exception.InstanceInvalidState(
                instance_uuid="x", attr="vm_state", state="active", method="start"
            ),
            "gone": webob.exc.HTTPNotFound(explanation="Thing gone could not be found."),
            "crash": RuntimeError("secret internal detail"),
            "notfound": exception.InstanceNotFound(instance_id="nf"),
        }
        if id in errors:
            raise errors[id]
        if id == "typeerror":
            return len(None)  # a bug in the controller: TypeError
        return {"thing": {"id": id}}

    @wsgi.response(202)
    def create(self, req, body):
        resp = wsgi.ResponseObject({"thing": body})
        resp["Location"] = "http://example.test/things/new"
        return resp

    @wsgi.response(204)
    def delete(self, req, id):
        return None

    @wsgi.response(202)
    @wsgi.action("os-start")
    def _start(self, req, id, body):
        CALLS.append(f"start {id}")
        return None


class ThingsExtensionController(wsgi.Controller):
    """Adds a key to detail (plain @extends) and wraps show (a generator extension)."""

    @wsgi.extends
    def detail(self, req, resp_obj):
        CALLS.append("extends detail")
        for thing in resp_obj.obj["things"]:
            thing["cached_name"] = req.get_db_instance(thing["id"])["name"]

    @wsgi.extends
    def show(self, req, id):
        CALLS.append("pre show")
        resp_obj = yield
        CALLS.append("post show")
        resp_obj.obj["thing"]["wrapped"] = True

    @wsgi.extends(action="os-start")
    def _start_ext(self, req, resp_obj, id, body):
        CALLS.append("extends os-start")

    @wsgi.action("os-stop")
    def _stop(self, req, id, body):
        CALLS.append(f"stop {id}")


class Things_ext(extensions.ExtensionDescriptor):
    """Extends the fake things."""

    name = "ThingsExt"
    alias = "os-things-ext"
    namespace = "http://example.test/things"
    updated = "2015-04-30T00:00:00Z"

    def get_controller_extensions(self):
        return [extensions.ControllerExtension(self, "things", ThingsExtensionController())]


def fake_extensions(ext_mgr):
    """A factory for ``CONF.osapi_compute_extension``."""
    Things_ext(ext_mgr)


class FakeAPIRouter(openstack.APIRouter):
    ExtensionManager = extensions.ExtensionManager

    def _setup_routes(self, mapper, ext_mgr, init_only):
        self.resources["things"] = wsgi.Resource(ThingsController())
        mapper.resource(
            "thing",
            "things",
            controller=self.resources["things"],
            collection={"detail": "GET"},
            member={"action": "POST"},
        )


def write_paste_config(folder: Path) -> str:
    """The real api-paste.ini with the compute router swapped for ``FakeAPIRouter``."""
    text = (PACKAGE_DIR / "api-paste.ini").read_text()
    real = "sample_api.api.openstack.compute:APIRouter.factory"
    assert real in text
    path = folder / "api-paste.ini"
    path.write_text(text.replace(real, "tests.sample_api.fakes:FakeAPIRouter.factory"))
    return str(path)


def load_fake_app(folder: Path) -> base_wsgi.WSGIApp:
    return base_wsgi.Loader(write_paste_config(folder)).load_app("osapi_compute")
