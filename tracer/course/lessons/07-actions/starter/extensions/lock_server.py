"""Adds the ``lock`` and ``unlock`` server actions.

A locked server is only remembered by this controller (the demo database has no column
for it): the point is the path a request takes, not the bookkeeping.
"""

from sample_api import compute
from sample_api.api.openstack import common, extensions, wsgi


class LockServerController(wsgi.Controller):
    def __init__(self) -> None:
        super().__init__()
        self.compute_api = compute.API()
        self.locked: set[str] = set()

    # Given (nothing to change here): GET /servers/<id> shows whether this controller remembers the
    # server as locked, as "tracer:locked". The check reads it to see what your actions did.
    @wsgi.extends
    def show(self, req: wsgi.Request, resp_obj: wsgi.ResponseObject, id: str) -> None:
        server = resp_obj.obj["server"]
        server["tracer:locked"] = server["id"] in self.locked

    # TODO: this method is never reached. Register it as the action "lock", answering 202.
    def _lock(self, req: wsgi.Request, id: str, body: dict) -> None:
        context = req.environ["nova.context"]
        server = common.get_instance(self.compute_api, context, id)
        self.locked.add(server["uuid"])

    # TODO: add the "unlock" action: it forgets the server, also answering 202.


class Lock_server(extensions.ExtensionDescriptor):
    """Lock and unlock servers."""

    name = "LockServer"
    alias = "tracer-lock-server"
    namespace = "http://example.org/tracer/lock-server/v1"
    updated = "2015-04-30T00:00:00Z"

    def get_controller_extensions(self) -> list[extensions.ControllerExtension]:
        return [extensions.ControllerExtension(self, "servers", LockServerController())]
