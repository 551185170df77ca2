"""How a flavor looks in the API at microversion 2.1."""

from __future__ import annotations

import webob

from sample_api.api.openstack import common


class ViewBuilder(common.ViewBuilder):
    """Flavors are shown by their public ``flavorid`` ("1", "2" ...), never their row id."""

    _collection_name = "flavors"

    def basic(self, request: webob.Request, flavor: dict) -> dict:
        return {
            "flavor": {
                "id": flavor["flavorid"],
                "name": flavor["name"],
                "links": self._get_links(request, flavor["flavorid"], self._collection_name),
            },
        }

    def show(self, request: webob.Request, flavor: dict) -> dict:
        return {
            "flavor": {
                "id": flavor["flavorid"],
                "name": flavor["name"],
                "ram": flavor["memory_mb"],
                "disk": flavor["root_gb"],
                "vcpus": flavor["vcpus"],
                "links": self._get_links(request, flavor["flavorid"], self._collection_name),
                # In Kilo these came from the flavorextradata, flavor_disabled,
                # flavor_access, flavor_swap and flavor_rxtx extensions.
                "OS-FLV-EXT-DATA:ephemeral": flavor["ephemeral_gb"],
                "OS-FLV-DISABLED:disabled": flavor["disabled"],
                "os-flavor-access:is_public": flavor["is_public"],
                # A historical quirk kept by every later version: no swap is "", not 0.
                "swap": flavor["swap"] or "",
                "rxtx_factor": flavor["rxtx_factor"],
            },
        }

    def index(self, request: webob.Request, flavors: list[dict]) -> dict:
        return self._list_view(self.basic, request, flavors, "flavors")

    def detail(self, request: webob.Request, flavors: list[dict]) -> dict:
        return self._list_view(self.show, request, flavors, "flavors/detail")

    def _list_view(self, func, request: webob.Request, flavors: list[dict], coll_name: str) -> dict:
        flavor_list = [func(request, flavor)["flavor"] for flavor in flavors]
        flavors_links = self._get_collection_links(request, flavors, coll_name, "flavorid")
        flavors_dict = {"flavors": flavor_list}
        if flavors_links:
            flavors_dict["flavors_links"] = flavors_links
        return flavors_dict
