"""The compute API v2.1: its ``APIRouter`` maps the core collections to their controllers.

``servers``, ``flavors`` and ``images`` are the core; everything else (key
pairs, ``OS-EXT-STS:*`` keys, ...) arrives through extensions, see ``contrib``.
"""

from __future__ import annotations

from typing import Any

import sample_api.api.openstack
from sample_api.api.openstack import extensions


class APIRouter(sample_api.api.openstack.APIRouter):
    """Routes requests on the compute API to the appropriate controller and method.

    ``paste.app_factory = sample_api.api.openstack.compute:APIRouter.factory``
    """

    ExtensionManager = extensions.ExtensionManager

    def _setup_routes(self, mapper: Any, ext_mgr: Any, init_only: list[str] | None) -> None:
        # Imported here, not at the top, so that ``compute.versions`` can load
        # without pulling in every controller of the package.
        from sample_api.api.openstack.compute import flavors, images, servers

        if init_only is None or "servers" in init_only:
            self.resources["servers"] = servers.create_resource(ext_mgr)
            mapper.resource(
                "server",
                "servers",
                controller=self.resources["servers"],
                collection={"detail": "GET"},
                member={"action": "POST"},
            )

        if init_only is None or "images" in init_only:
            self.resources["images"] = images.create_resource()
            mapper.resource(
                "image",
                "images",
                controller=self.resources["images"],
                collection={"detail": "GET"},
            )

        if init_only is None or "flavors" in init_only:
            self.resources["flavors"] = flavors.create_resource()
            mapper.resource(
                "flavor",
                "flavors",
                controller=self.resources["flavors"],
                collection={"detail": "GET"},
            )
