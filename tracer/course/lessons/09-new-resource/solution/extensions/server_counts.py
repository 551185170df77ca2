"""``os-server-counts``: how many of the caller's servers are in each status."""

import webob.exc

from sample_api import compute
from sample_api.api.openstack import common, extensions, wsgi


class ServerCountsController(wsgi.Controller):
    def __init__(self) -> None:
        super().__init__()
        self.compute_api = compute.API()

    def _counts(self, req: wsgi.Request) -> dict[str, int]:
        context = req.environ["nova.context"]
        servers = self.compute_api.get_all(context, search_opts={"project_id": context.project_id})
        counts: dict[str, int] = {}
        for server in servers:
            status = common.status_from_state(server["vm_state"], server["task_state"])
            counts[status] = counts.get(status, 0) + 1
        return counts

    def index(self, req: wsgi.Request) -> dict:
        return {"server_counts": self._counts(req)}

    def show(self, req: wsgi.Request, id: str) -> dict:
        counts = self._counts(req)
        if id not in counts:
            raise webob.exc.HTTPNotFound(explanation=f"No server of yours is {id}.")
        return {"server_count": {"status": id, "count": counts[id]}}


class Server_counts(extensions.ExtensionDescriptor):
    """Counts of servers by status."""

    name = "ServerCounts"
    alias = "tracer-server-counts"
    namespace = "http://example.org/tracer/server-counts/v1"
    updated = "2015-04-30T00:00:00Z"

    def get_resources(self) -> list[extensions.ResourceExtension]:
        return [extensions.ResourceExtension("os-server-counts", ServerCountsController())]
