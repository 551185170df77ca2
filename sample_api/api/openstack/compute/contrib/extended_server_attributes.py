"""Adds ``OS-EXT-SRV-ATTR:host``, ``:hypervisor_hostname`` and ``:instance_name``, for admins only.

From microversion 2.3 admins see seven more: ``reservation_id``, ``launch_index``,
``hostname``, ``kernel_id``, ``ramdisk_id``, ``root_device_name`` and ``user_data``.

These keys reveal the cloud's inside (which machine runs the server), so the
policy rule is ``admin_api``. The check is soft (``fatal=False``): a member's
request still succeeds, just without the keys.
"""

from __future__ import annotations

from sample_api.api.openstack import api_version_request, extensions, wsgi

ALIAS = "OS-EXT-SRV-ATTR"
V23_ATTRIBUTES = ("reservation_id", "launch_index", "hostname", "kernel_id", "ramdisk_id", "root_device_name",
                  "user_data")


class ExtendedServerAttributesController(wsgi.Controller):
    """Post-processes server bodies when the caller is an admin."""

    def _extend_server(self, req: wsgi.Request, server: dict, instance: dict) -> None:
        server[f"{ALIAS}:host"] = instance["host"]
        server[f"{ALIAS}:hypervisor_hostname"] = instance["node"]
        server[f"{ALIAS}:instance_name"] = instance["name"]
        if api_version_request.is_supported(req, min_version="2.3"):
            for attr in V23_ATTRIBUTES:
                server[f"{ALIAS}:{attr}"] = instance[attr]

    @wsgi.extends
    def show(self, req: wsgi.Request, resp_obj: wsgi.ResponseObject, id: str) -> None:
        context = req.environ["nova.context"]
        if context.can("os_compute_api:os-extended-server-attributes", fatal=False):
            server = resp_obj.obj["server"]
            self._extend_server(req, server, req.get_db_instance(server["id"]))

    @wsgi.extends
    def detail(self, req: wsgi.Request, resp_obj: wsgi.ResponseObject) -> None:
        context = req.environ["nova.context"]
        if context.can("os_compute_api:os-extended-server-attributes", fatal=False):
            for server in resp_obj.obj["servers"]:
                self._extend_server(req, server, req.get_db_instance(server["id"]))


class Extended_server_attributes(extensions.ExtensionDescriptor):
    """Extended Server Attributes support."""

    name = "ExtendedServerAttributes"
    alias = ALIAS
    namespace = "http://docs.openstack.org/compute/ext/extended_status/api/v1.1"
    updated = "2011-11-03T00:00:00Z"

    def get_controller_extensions(self) -> list[extensions.ControllerExtension]:
        return [extensions.ControllerExtension(self, "servers", ExtendedServerAttributesController())]
