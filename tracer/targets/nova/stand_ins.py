"""What real Nova expects around it, answered in-process: Keystone's token check, Glance, Neutron, the cell pool.

Each stand-in replaces exactly the seam Nova's own functional tests replace (the ``authtoken`` paste filter,
``nova.image.glance.API.get``, ``nova.network.neutron.get_client``, the cell workers' ``spawn_on``), so every
Nova function between them runs as it would in a deployment.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable
from typing import Any

#: The headers keystonemiddleware's authtoken filter sets after checking a token; a client may not send them.
IDENTITY_HEADERS = (
    "X-Identity-Status", "X-User-Id", "X-User-Name", "X-User", "X-Project-Id", "X-Project-Name", "X-Tenant-Id",
    "X-Tenant-Name", "X-Tenant", "X-Roles", "X-Service-Catalog", "X-User-Domain-Id", "X-User-Domain-Name",
    "X-Project-Domain-Id", "X-Project-Domain-Name", "X-Service-Token", "X-Service-Roles", "X-Is-Admin-Project",
)
_IDENTITY_KEYS = tuple("HTTP_" + name.upper().replace("-", "_") for name in IDENTITY_HEADERS)


def token_filter_factory(global_conf: dict, **local_conf: Any) -> Callable:
    """The paste filter put where Nova's pipeline has keystonemiddleware's ``authtoken``."""
    return TokenFilter


class TokenFilter:
    """Turns ``X-Auth-Token: user:project`` into the headers authtoken sets, for Nova's ``NovaKeystoneContext``.

    The user ``admin`` gets the roles admin, member and reader; anyone else member and reader. Headers of the
    same names sent by the client are dropped first (a client could otherwise claim any identity). The
    identity goes into a copy of the environ handed to the next layer, so the request a trace shows is the
    one the client sent; the context Nova built is handed back in ``environ['nova.context']`` (not a
    header), so the trace says who the request ran as.
    """

    def __init__(self, app: Callable) -> None:
        self.app = app

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        token = environ.get("HTTP_X_AUTH_TOKEN", "")
        user, _, project = token.partition(":")
        if not user or ":" in project:
            body = (b'{"error": {"code": 401, "title": "Unauthorized", '
                    b'"message": "The request you have made requires authentication."}}')
            start_response("401 Unauthorized", [("Content-Type", "application/json"),
                                                ("Content-Length", str(len(body))),
                                                ("WWW-Authenticate", "Keystone uri='http://127.0.0.1:8774/identity'")])
            return [body]
        project = project or user
        inner = {key: value for key, value in environ.items() if key not in _IDENTITY_KEYS}
        roles = "admin,member,reader" if user == "admin" else "member,reader"
        inner.update({
            "HTTP_X_IDENTITY_STATUS": "Confirmed", "HTTP_X_USER_ID": user, "HTTP_X_USER_NAME": user,
            "HTTP_X_PROJECT_ID": project, "HTTP_X_PROJECT_NAME": project, "HTTP_X_ROLES": roles,
            "HTTP_X_USER_DOMAIN_ID": "default", "HTTP_X_PROJECT_DOMAIN_ID": "default",
        })
        try:
            return self.app(inner, start_response)
        finally:
            # who the request ran as, for the trace (the context NovaKeystoneContext built; no header)
            if "nova.context" in inner:
                environ["nova.context"] = inner["nova.context"]


# -- Glance ----------------------------------------------------------------------------------------

IMAGE_ID = "70a599e0-31e7-49b7-b260-868f441e862b"
IMAGE = {
    "id": IMAGE_ID, "name": "cirros-0.6.2-x86_64-disk", "status": "active", "visibility": "public",
    "container_format": "bare", "disk_format": "qcow2", "size": 21430272, "min_disk": 0, "min_ram": 0,
    "checksum": "c8fc807773e5354afe61636071771906", "owner": "admin", "protected": False,
    "created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z", "deleted": False,
    "deleted_at": None, "is_public": True, "properties": {"hw_architecture": "x86_64"},
}


def image_get(api: object, context: object, id_or_uri: str, include_locations: bool = False,
              show_deleted: bool = True) -> dict:
    """``nova.image.glance.API.get`` answered from one public image (Glance is another service)."""
    from nova import exception

    if id_or_uri != IMAGE_ID:
        raise exception.ImageNotFound(image_id=id_or_uri)
    image = copy.deepcopy(IMAGE)
    if include_locations:
        image["locations"] = []
    return image


# -- Neutron ---------------------------------------------------------------------------------------

NETWORK_ID = "3cb9bc59-5699-4588-a4b1-b87f96708bc6"


class NeutronClient:
    """The few calls of python-neutronclient these requests make, answered from one network and no ports."""

    def __init__(self, project_id: str | None) -> None:
        self.project_id = project_id

    def list_networks(self, retrieve_all: bool = True, **params: Any) -> dict:
        if params.get("shared"):  # the one network is the project's own, not shared
            return {"networks": []}
        return {"networks": [{"id": NETWORK_ID, "name": "private", "status": "ACTIVE", "shared": False,
                              "admin_state_up": True, "subnets": [], "tenant_id": self.project_id,
                              "project_id": self.project_id, "port_security_enabled": True}]}

    def list_ports(self, retrieve_all: bool = True, **params: Any) -> dict:
        return {"ports": []}

    def list_subnets(self, retrieve_all: bool = True, **params: Any) -> dict:
        return {"subnets": []}

    def list_floatingips(self, retrieve_all: bool = True, **params: Any) -> dict:
        return {"floatingips": []}

    def list_security_groups(self, retrieve_all: bool = True, **params: Any) -> dict:
        return {"security_groups": [{"id": "aec9df91-db1f-4f4b-a8c6-6f8b0a6b5d44", "name": "default",
                                     "description": "Default security group", "tenant_id": self.project_id,
                                     "security_group_rules": []}]}

    def show_quota(self, project_id: str) -> dict:
        return {"quota": {"network": 100, "subnet": 100, "port": 500, "security_group": 10,
                          "security_group_rule": 100, "floatingip": 50}}

    def list_extensions(self, *args: Any, **kwargs: Any) -> dict:
        return {"extensions": []}


def neutron_client(context: Any, admin: bool = False) -> NeutronClient:
    """``nova.network.neutron.get_client``: Neutron is another service."""
    return NeutronClient(getattr(context, "project_id", None))


# -- the cell workers --------------------------------------------------------------------------------


def synchronous_spawn_on(real_spawn_on: Callable) -> Callable:
    """``nova.thread_pool_factory.spawn_on`` running the per-cell queries in the calling thread.

    Nova queries each cell from a thread pool; a recorder follows one thread, so those queries would be
    missing from the trace. Nova's own tests run them synchronously too, with a ``futurist.SynchronousExecutor``.
    """
    import futurist
    from nova import thread_pool_factory

    executor = futurist.SynchronousExecutor()

    def spawn_on(executor_type: Any, func: Callable, *args: Any, **kwargs: Any) -> Any:
        if executor_type is thread_pool_factory.ExecutorType.SCATTER_GATHER:
            return executor.submit(func, *args, **kwargs)
        return real_spawn_on(executor_type, func, *args, **kwargs)

    spawn_on.__wrapped__ = real_spawn_on  # type: ignore[attr-defined]
    return spawn_on
