"""How a server looks in the API, at 2.1 and at the microversions that changed it.

The walk a learner traces for ``GET /servers/detail``: ``detail`` →
``_list_view(self.show, ...)`` → ``show`` once per server. Three keys are
missing on purpose: ``OS-EXT-STS:*`` are added afterwards by the
extended_status extension, as in Kilo; ``OS-EXT-SRV-ATTR:*`` likewise, for
admins only. Later microversions add a key each, asked with
``api_version_request.is_supported``: ``locked`` (2.9), ``host_status`` (2.16,
when the controller says the caller may see it) and ``description`` (2.19).
"""

from __future__ import annotations

import functools
import hashlib
from datetime import datetime

import webob

from sample_api import compute
from sample_api.api.openstack import api_version_request, common
from sample_api.api.openstack.compute.views import flavors as views_flavors
from sample_api.api.openstack.compute.views import images as views_images


class ViewBuilder(common.ViewBuilder):
    """Builds server bodies; one ``show`` per server, whatever the list size."""

    _collection_name = "servers"

    #: Only these statuses carry a ``progress`` percentage.
    _progress_statuses = ("ACTIVE", "BUILD", "REBUILD", "RESIZE", "VERIFY_RESIZE", "MIGRATING")
    #: Only these statuses carry a ``fault``.
    _fault_statuses = ("ERROR", "DELETED")
    #: Keys Kilo's extensions added to show and detail only (not to the answers of update and rebuild).
    _extension_keys = ("key_name", "config_drive", "security_groups", "OS-EXT-AZ:availability_zone",
                       "OS-SRV-USG:launched_at", "OS-SRV-USG:terminated_at", "os-extended-volumes:volumes_attached")

    def __init__(self) -> None:
        self.compute_api = compute.API()
        self._flavor_builder = views_flavors.ViewBuilder()
        self._image_builder = views_images.ViewBuilder()

    def create(self, request: webob.Request, instance: dict) -> dict:
        """The short answer to POST /servers (the controller adds ``adminPass``)."""
        return {
            "server": {
                "id": instance["uuid"],
                "links": self._get_links(request, instance["uuid"], self._collection_name),
                # Kilo: from the disk_config and security_groups extensions.
                "OS-DCF:diskConfig": self._get_disk_config(instance),
                "security_groups": self._get_security_groups(instance),
            },
        }

    def basic(self, request: webob.Request, instance: dict) -> dict:
        """The three keys of a ``GET /servers`` item: id, name, links."""
        return {
            "server": {
                "id": instance["uuid"],
                "name": instance["display_name"],
                "links": self._get_links(request, instance["uuid"], self._collection_name),
            },
        }

    def show(self, request: webob.Request, instance: dict, show_host_status: bool = False,
             show_extension_keys: bool = True) -> dict:
        """Every key of one server at the request's microversion, except the ones extensions add.

        ``show_extension_keys=False`` is the server as ``PUT /servers/{id}`` and the ``rebuild`` action answer
        it: in Kilo the extensions that added the keys below (and the ``OS-EXT-IPS`` keys of each address)
        extended only show and detail, so those answers never had them; disk_config and access_ips
        extended update and rebuild too. Nova's view builder still leaves them out there.
        """
        server = {
            "server": {
                "id": instance["uuid"],
                "name": instance["display_name"],
                "status": self._get_vm_status(instance),
                "tenant_id": instance["project_id"],
                "user_id": instance["user_id"],
                "metadata": dict(instance["metadata"]),
                "hostId": self._get_host_id(instance),
                "image": self._get_image(request, instance),
                "flavor": self._get_flavor(request, instance),
                "created": common.isotime(instance["created_at"]),
                "updated": common.isotime(instance["updated_at"] or instance["created_at"]),
                "addresses": self._get_addresses(request, instance, extend_address=show_extension_keys),
                "accessIPv4": instance["access_ip_v4"] or "",
                "accessIPv6": instance["access_ip_v6"] or "",
                "links": self._get_links(request, instance["uuid"], self._collection_name),
                # In Kilo each of the following keys came from its own extension
                # (keypairs, config_drive, security_groups, disk_config,
                # availability_zone, server_usage, extended_volumes).
                "key_name": instance["key_name"],
                "config_drive": instance["config_drive"],
                "security_groups": self._get_security_groups(instance),
                "OS-DCF:diskConfig": self._get_disk_config(instance),
                "OS-EXT-AZ:availability_zone": instance["availability_zone"] or "",
                "OS-SRV-USG:launched_at": self._usage_time(instance["launched_at"]),
                "OS-SRV-USG:terminated_at": self._usage_time(instance["terminated_at"]),
                "os-extended-volumes:volumes_attached": [],
            },
        }
        if not show_extension_keys:
            for key in self._extension_keys:
                del server["server"][key]
        status = server["server"]["status"]
        if status in self._fault_statuses and instance.get("fault"):
            server["server"]["fault"] = self._get_fault(instance["fault"])
        if status in self._progress_statuses:
            server["server"]["progress"] = instance["progress"] or 0
        if api_version_request.is_supported(request, min_version="2.9"):
            server["server"]["locked"] = bool(instance["locked_by"])
        if show_host_status:
            server["server"]["host_status"] = self.compute_api.get_instance_host_status(instance)
        if api_version_request.is_supported(request, min_version="2.19"):
            server["server"]["description"] = instance["display_description"]
        return server

    def index(self, request: webob.Request, instances: list[dict]) -> dict:
        """``GET /servers``: the short form of each server."""
        return self._list_view(self.basic, request, instances, "servers")

    def detail(self, request: webob.Request, instances: list[dict], show_host_status: bool = False) -> dict:
        """``GET /servers/detail``: the full form of each server, built by ``show``."""
        show = functools.partial(self.show, show_host_status=show_host_status) if show_host_status else self.show
        return self._list_view(show, request, instances, "servers/detail")

    def _list_view(self, func, request: webob.Request, servers: list[dict], coll_name: str) -> dict:
        """Apply ``func`` (``basic`` or ``show``) to each server; add a next link if the page is full."""
        server_list = [func(request, server)["server"] for server in servers]
        servers_links = self._get_collection_links(request, servers, coll_name)
        servers_dict = {"servers": server_list}
        if servers_links:
            servers_dict["servers_links"] = servers_links
        return servers_dict

    @staticmethod
    def _get_vm_status(instance: dict) -> str:
        return common.status_from_state(instance["vm_state"], instance["task_state"])

    @staticmethod
    def _get_host_id(instance: dict) -> str:
        """A hash of (project, host): tells a user which of *their* servers share a host, not its name."""
        if not instance["host"]:
            return ""
        return hashlib.sha224((instance["project_id"] + instance["host"]).encode("utf-8")).hexdigest()

    def _get_image(self, request: webob.Request, instance: dict) -> dict | str:
        """``{"id", "links"}``, or ``""`` for a server booted from a volume (no image)."""
        image_id = instance["image_ref"]
        if not image_id:
            return ""
        bookmark = self._image_builder._get_bookmark_link(request, image_id, "images")
        return {"id": image_id, "links": [{"rel": "bookmark", "href": bookmark}]}

    def _get_flavor(self, request: webob.Request, instance: dict) -> dict:
        """The flavor's public id (e.g. "2") and a bookmark; 2.1 does not embed the flavor."""
        flavor_id = instance["flavor"]["flavorid"]
        bookmark = self._flavor_builder._get_bookmark_link(request, flavor_id, "flavors")
        return {"id": flavor_id, "links": [{"rel": "bookmark", "href": bookmark}]}

    def _get_addresses(self, request: webob.Request, instance: dict, extend_address: bool = True) -> dict:
        """IPs grouped by network label; the OS-EXT-IPS keys were Kilo's extended_ips extensions."""
        addresses: dict[str, list[dict]] = {}
        for ip in instance["info_cache"]["network_info"]:
            address = {"version": ip["version"], "addr": ip["address"]}
            if extend_address:
                address["OS-EXT-IPS:type"] = ip["type"]
                address["OS-EXT-IPS-MAC:mac_addr"] = ip["mac_address"]
            addresses.setdefault(ip["network"], []).append(address)
        return addresses

    @staticmethod
    def _get_fault(fault: dict) -> dict:
        return {"code": fault["code"], "created": common.isotime(fault["created_at"]), "message": fault["message"]}

    @staticmethod
    def _get_security_groups(instance: dict) -> list[dict]:
        # Trimmed: the demo cloud has one security group, Nova's "default".
        return [{"name": "default"}]

    @staticmethod
    def _get_disk_config(instance: dict) -> str:
        return "AUTO" if instance["auto_disk_config"] else "MANUAL"

    @staticmethod
    def _usage_time(value: datetime | None) -> str | None:
        """server_usage printed the naive timestamp with microseconds and no ``Z``."""
        return value.strftime("%Y-%m-%dT%H:%M:%S.%f") if value else None
