"""Adds the ``pause`` and ``unpause`` server actions.

An action extension: its controller has ``@wsgi.action`` methods, and the
``ControllerExtension`` registers them on the *servers* resource, so
``POST /servers/{id}/action {"pause": null}`` lands here.
"""

from __future__ import annotations

from sample_api import compute, exception
from sample_api.api.openstack import common, extensions, wsgi

ALIAS = "os-pause-server"


class PauseServerController(wsgi.Controller):
    """Pause keeps the server in memory but stops its CPUs; unpause resumes it."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.compute_api = compute.API()

    @wsgi.response(202)
    @wsgi.action("pause")
    def _pause(self, req: wsgi.Request, id: str, body: dict) -> None:
        """``{"pause": null}``: only an ACTIVE server can be paused (else 409)."""
        context = req.environ["nova.context"]
        server = common.get_instance(self.compute_api, context, id)
        context.can(f"os_compute_api:{ALIAS}:pause",
                    {"project_id": server["project_id"], "user_id": server["user_id"]})
        try:
            self.compute_api.pause(context, server)
        except exception.InstanceInvalidState as state_error:
            common.raise_http_conflict_for_instance_invalid_state(state_error, "pause", id)

    @wsgi.response(202)
    @wsgi.action("unpause")
    def _unpause(self, req: wsgi.Request, id: str, body: dict) -> None:
        """``{"unpause": null}``: only a PAUSED server can be unpaused (else 409)."""
        context = req.environ["nova.context"]
        server = common.get_instance(self.compute_api, context, id)
        context.can(f"os_compute_api:{ALIAS}:unpause",
                    {"project_id": server["project_id"], "user_id": server["user_id"]})
        try:
            self.compute_api.unpause(context, server)
        except exception.InstanceInvalidState as state_error:
            common.raise_http_conflict_for_instance_invalid_state(state_error, "unpause", id)


class Pause_server(extensions.ExtensionDescriptor):
    """Enable pause/unpause server actions."""

    name = "PauseServer"
    alias = ALIAS
    namespace = "http://docs.openstack.org/compute/ext/pause-server/api/v2.1"
    updated = "2014-04-14T00:00:00Z"

    def get_controller_extensions(self) -> list[extensions.ControllerExtension]:
        return [extensions.ControllerExtension(self, "servers", PauseServerController())]
