"""Adds ``tracer:owner`` (``<user_id>@<project_id>``) to every server."""

from sample_api.api.openstack import extensions, wsgi

KEY = "tracer:owner"


class OwnerController(wsgi.Controller):
    """Post-processes server bodies: runs after the core show/detail, before serialization."""

    def _extend(self, server: dict, instance: dict) -> None:
        server[KEY] = f"{instance['user_id']}@{instance['project_id']}"

    @wsgi.extends
    def show(self, req: wsgi.Request, resp_obj: wsgi.ResponseObject, id: str) -> None:
        server = resp_obj.obj["server"]
        self._extend(server, req.get_db_instance(server["id"]))

    @wsgi.extends
    def detail(self, req: wsgi.Request, resp_obj: wsgi.ResponseObject) -> None:
        for server in resp_obj.obj["servers"]:
            self._extend(server, req.get_db_instance(server["id"]))


class Owner(extensions.ExtensionDescriptor):
    """Shows who owns each server."""

    name = "Owner"
    alias = "tracer-owner"
    namespace = "http://example.org/tracer/owner/v1"
    updated = "2015-04-30T00:00:00Z"

    def get_controller_extensions(self) -> list[extensions.ControllerExtension]:
        return [extensions.ControllerExtension(self, "servers", OwnerController())]
