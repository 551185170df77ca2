"""A naming rule for new servers, and who asked for each."""

import webob.exc

from sample_api.api.openstack import extensions, wsgi


class NamingController(wsgi.Controller):
    @wsgi.extends
    def create(self, req: wsgi.Request, body: dict):
        name = body.get("server", {}).get("name", "")
        if " " in name:
            raise webob.exc.HTTPBadRequest(explanation=f"Server names may not contain spaces: {name!r}")
        resp_obj = yield
        context = req.environ["nova.context"]
        resp_obj.obj["server"]["tracer:requested_by"] = context.user_id


class Naming(extensions.ExtensionDescriptor):
    """Server names without spaces."""

    name = "Naming"
    alias = "tracer-naming"
    namespace = "http://example.org/tracer/naming/v1"
    updated = "2015-04-30T00:00:00Z"

    def get_controller_extensions(self) -> list[extensions.ControllerExtension]:
        return [extensions.ControllerExtension(self, "servers", NamingController())]
