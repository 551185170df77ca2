"""``os-server-counts``: how many of the caller's servers are in each status.

TODO:
- index: {"server_counts": {"ACTIVE": 2, ...}} for the caller's project;
- show: {"server_count": {"status": id, "count": n}}, or a 404 when no server has that status;
- the descriptor: get_resources() must return the ResourceExtension "os-server-counts".
"""

import webob.exc  # noqa: F401  (for the 404)

from sample_api import compute
from sample_api.api.openstack import common, extensions, wsgi  # noqa: F401


class ServerCountsController(wsgi.Controller):
    def __init__(self) -> None:
        super().__init__()
        self.compute_api = compute.API()

    def index(self, req: wsgi.Request) -> dict:
        return {"server_counts": {}}  # TODO


class Server_counts(extensions.ExtensionDescriptor):
    """Counts of servers by status."""

    name = "ServerCounts"
    alias = "tracer-server-counts"
    namespace = "http://example.org/tracer/server-counts/v1"
    updated = "2015-04-30T00:00:00Z"

    # TODO: get_resources()
