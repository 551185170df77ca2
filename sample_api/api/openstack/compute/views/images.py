"""How an image looks in the API at microversion 2.1 (Nova's proxy view of glance)."""

from __future__ import annotations

import webob

from sample_api.api.openstack import common


class ViewBuilder(common.ViewBuilder):
    """Glance speaks lower-case statuses; the compute API shows its own words."""

    _collection_name = "images"

    _status_map = {
        "active": "ACTIVE",
        "queued": "SAVING",
        "saving": "SAVING",
        "deleted": "DELETED",
        "pending_delete": "DELETED",
        "killed": "ERROR",
    }
    _progress_map = {"queued": 25, "saving": 50, "active": 100}

    def basic(self, request: webob.Request, image: dict) -> dict:
        return {
            "image": {
                "id": image["id"],
                "name": image["name"],
                "links": self._get_links(request, image["id"], self._collection_name),
            },
        }

    def show(self, request: webob.Request, image: dict) -> dict:
        return {
            "image": {
                "id": image["id"],
                "name": image["name"],
                "minRam": int(image["min_ram"] or 0),
                "minDisk": int(image["min_disk"] or 0),
                "metadata": dict(image["properties"]),
                "created": common.isotime(image["created_at"]),
                "updated": common.isotime(image["updated_at"]),
                "status": self._status_map.get(image["status"], "UNKNOWN"),
                "progress": self._progress_map.get(image["status"], 0),
                "links": self._get_links(request, image["id"], self._collection_name),
                # Kilo: from the image_size extension.
                "OS-EXT-IMG-SIZE:size": image["size"],
            },
        }

    def index(self, request: webob.Request, images: list[dict]) -> dict:
        return self._list_view(self.basic, request, images, "images")

    def detail(self, request: webob.Request, images: list[dict]) -> dict:
        return self._list_view(self.show, request, images, "images/detail")

    def _list_view(self, func, request: webob.Request, images: list[dict], coll_name: str) -> dict:
        images_list = [func(request, image)["image"] for image in images]
        images_links = self._get_collection_links(request, images, coll_name, "id")
        images_dict = {"images": images_list}
        if images_links:
            images_dict["images_links"] = images_links
        return images_dict
