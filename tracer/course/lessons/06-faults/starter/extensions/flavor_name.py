"""Adds ``tracer:flavor_name`` to every server: the name of its flavor, e.g. ``m1.small``."""

from sample_api.api.openstack import extensions, wsgi

KEY = "tracer:flavor_name"


class FlavorNameController(wsgi.Controller):
    def _extend(self, server: dict, instance: dict) -> None:
        server[KEY] = instance["flavor_name"]

    @wsgi.extends
    def show(self, req: wsgi.Request, resp_obj: wsgi.ResponseObject, id: str) -> None:
        server = resp_obj.obj["server"]
        self._extend(server, req.get_db_instance(server["id"]))

    @wsgi.extends
    def detail(self, req: wsgi.Request, resp_obj: wsgi.ResponseObject) -> None:
        for server in resp_obj.obj["servers"]:
            self._extend(server, req.get_db_instance(server["id"]))


class Flavor_name(extensions.ExtensionDescriptor):
    """Shows the flavor's name on each server."""

    name = "FlavorName"
    alias = "tracer-flavor-name"
    namespace = "http://example.org/tracer/flavor-name/v1"
    updated = "2015-04-30T00:00:00Z"

    def get_controller_extensions(self) -> list[extensions.ControllerExtension]:
        return [extensions.ControllerExtension(self, "servers", FlavorNameController())]
