"""Adds ``OS-EXT-STS:task_state``, ``:vm_state`` and ``:power_state`` to servers.

The core view builder shows only ``status``, a summary. In Kilo this extension
added the raw states afterwards: its ``@wsgi.extends`` methods run after the
controller's ``show``/``detail`` and edit ``resp_obj.obj`` in place. The rows
come from the request's cache (``req.get_db_instance``), not a second query.
"""

from __future__ import annotations

from sample_api.api.openstack import extensions, wsgi

ALIAS = "OS-EXT-STS"


class ExtendedStatusController(wsgi.Controller):
    """Post-processes server bodies; never answers a request on its own."""

    def _extend_server(self, server: dict, instance: dict) -> None:
        for state in ("task_state", "vm_state", "power_state"):
            server[f"{ALIAS}:{state}"] = instance[state]

    @wsgi.extends
    def show(self, req: wsgi.Request, resp_obj: wsgi.ResponseObject, id: str) -> None:
        context = req.environ["nova.context"]
        if context.can("os_compute_api:os-extended-status", fatal=False):
            server = resp_obj.obj["server"]
            # The core show() cached this row: see ServersController._get_server.
            self._extend_server(server, req.get_db_instance(server["id"]))

    @wsgi.extends
    def detail(self, req: wsgi.Request, resp_obj: wsgi.ResponseObject) -> None:
        context = req.environ["nova.context"]
        if context.can("os_compute_api:os-extended-status", fatal=False):
            for server in resp_obj.obj["servers"]:
                self._extend_server(server, req.get_db_instance(server["id"]))


class Extended_status(extensions.ExtensionDescriptor):
    """Extended Status support."""

    name = "ExtendedStatus"
    alias = ALIAS
    namespace = "http://docs.openstack.org/compute/ext/extended_status/api/v1.1"
    updated = "2011-11-03T00:00:00Z"

    def get_controller_extensions(self) -> list[extensions.ControllerExtension]:
        return [extensions.ControllerExtension(self, "servers", ExtendedStatusController())]
