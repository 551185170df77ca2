"""The image API, as ``nova.image.API``.

Nova asks the glance service for images over HTTP; this miniature keeps them
in a local table, but controllers still go through this one class, so a
trace shows the same hop: controller → ``image.API().get`` → storage.
"""

from __future__ import annotations

from sample_api import db
from sample_api.context import RequestContext


class API:
    """Read images (no upload, no delete: those belong to glance)."""

    def get(self, context: RequestContext, image_id: str) -> dict:
        """One image; raises ImageNotFound."""
        return db.image_get(context, image_id)

    def get_all(
        self, context: RequestContext, filters: dict | None = None, limit: int | None = None,
        marker: str | None = None,
    ) -> list[dict]:
        """A page of images, newest first; raises MarkerNotFound for an unknown marker."""
        return db.image_get_all(context, filters=filters, limit=limit, marker=marker)
