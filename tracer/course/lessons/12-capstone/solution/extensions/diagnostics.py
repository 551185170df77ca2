"""``GET /servers/{server_id}/diagnostics``: an admin-only report on one server."""

from sample_api import compute, policy
from sample_api.api.openstack import common, extensions, wsgi

RULE = "os_compute_api:os-server-diagnostics"
policy.RULES.setdefault(RULE, policy.ADMIN_API)


class DiagnosticsController(wsgi.Controller):
    def __init__(self) -> None:
        super().__init__()
        self.compute_api = compute.API()

    def index(self, req: wsgi.Request, server_id: str) -> dict:
        context = req.environ["nova.context"]
        server = common.get_instance(self.compute_api, context, server_id)
        context.can(RULE, {"project_id": server["project_id"]})
        flavor = server["flavor"]
        return {
            "diagnostics": {
                "vm_state": server["vm_state"],
                "power_state": server["power_state"],
                "memory_mb": flavor["memory_mb"],
                "vcpus": flavor["vcpus"],
            }
        }


class Diagnostics(extensions.ExtensionDescriptor):
    """Server diagnostics, for admins."""

    name = "ServerDiagnostics"
    alias = "tracer-server-diagnostics"
    namespace = "http://example.org/tracer/server-diagnostics/v1"
    updated = "2015-04-30T00:00:00Z"

    def get_resources(self) -> list[extensions.ResourceExtension]:
        parent = {"member_name": "server", "collection_name": "servers"}
        return [extensions.ResourceExtension("diagnostics", DiagnosticsController(), parent=parent)]
