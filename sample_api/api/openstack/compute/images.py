"""The images controller: ``/images``, ``/images/detail``, ``/images/{id}`` (read-only).

Nova's images API is a thin proxy to glance (deprecated since 2.36); the
view builder renames glance's fields (``min_ram`` → ``minRam``, ``active`` → ``ACTIVE``).
"""

from __future__ import annotations

import webob.exc

from sample_api import exception, image
from sample_api.api.openstack import common, wsgi
from sample_api.api.openstack.compute.views import images as views_images

#: Query parameters passed on to the image service.
SUPPORTED_FILTERS = ("name", "status")


class ImagesController(wsgi.Controller):
    """Lists and shows images through ``image.API``."""

    _view_builder_class = views_images.ViewBuilder

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._image_api = image.API()

    @staticmethod
    def _get_filters(req: wsgi.Request) -> dict:
        """``?name=...`` matches exactly; ``?status=ACTIVE`` matches glance's ``active``."""
        filters = {param: req.params[param] for param in SUPPORTED_FILTERS if param in req.params}
        if "status" in filters:
            filters["status"] = filters["status"].lower()
        return filters

    def show(self, req: wsgi.Request, id: str) -> dict:
        """``GET /images/{id}``."""
        context = req.environ["nova.context"]
        try:
            image_ = self._image_api.get(context, id)
        except exception.ImageNotFound:
            raise webob.exc.HTTPNotFound(explanation="Image not found.") from None
        req.cache_db_items("images", [image_], "id")
        return self._view_builder.show(req, image_)

    def index(self, req: wsgi.Request) -> dict:
        """``GET /images``: id, name and links of each image."""
        return self._view_builder.index(req, self._get_images(req))

    def detail(self, req: wsgi.Request) -> dict:
        """``GET /images/detail``: every key of each image."""
        images = self._get_images(req)
        req.cache_db_items("images", images, "id")
        return self._view_builder.detail(req, images)

    def _get_images(self, req: wsgi.Request) -> list[dict]:
        context = req.environ["nova.context"]
        page_params = common.get_pagination_params(req)
        try:
            return self._image_api.get_all(context, filters=self._get_filters(req), **page_params)
        except exception.Invalid as e:
            raise webob.exc.HTTPBadRequest(explanation=e.format_message()) from None


def create_resource(ext_mgr=None) -> wsgi.Resource:
    return wsgi.Resource(ImagesController())
