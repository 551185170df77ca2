"""A copy of the compute APIRouter whose servers route has lost something."""

from typing import Any

from sample_api.api.openstack import compute
from sample_api.api.openstack.compute import flavors, images, servers


class APIRouter(compute.APIRouter):
    """The compute router, with our own _setup_routes."""

    def _setup_routes(self, mapper: Any, ext_mgr: Any, init_only: list[str] | None) -> None:
        self.resources["servers"] = servers.create_resource(ext_mgr)
        # TODO: GET /servers/detail answers 404 with this route. What is missing?
        mapper.resource(
            "server",
            "servers",
            controller=self.resources["servers"],
            member={"action": "POST"},
        )

        self.resources["images"] = images.create_resource()
        mapper.resource("image", "images", controller=self.resources["images"], collection={"detail": "GET"})

        self.resources["flavors"] = flavors.create_resource()
        mapper.resource("flavor", "flavors", controller=self.resources["flavors"], collection={"detail": "GET"})
