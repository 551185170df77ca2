"""The flavors controller: ``/flavors``, ``/flavors/detail``, ``/flavors/{id}`` (read-only)."""

from __future__ import annotations

import webob.exc

from sample_api import exception
from sample_api.api.openstack import common, wsgi
from sample_api.api.openstack.compute.views import flavors as flavors_view
from sample_api.compute import flavors


class FlavorsController(wsgi.Controller):
    """Lists and shows flavors; members only ever see public, enabled ones."""

    _view_builder_class = flavors_view.ViewBuilder

    def index(self, req: wsgi.Request) -> dict:
        """``GET /flavors``: id, name and links of each flavor."""
        return self._view_builder.index(req, self._get_flavors(req))

    def detail(self, req: wsgi.Request) -> dict:
        """``GET /flavors/detail``: what novaclient's ``flavors.list()`` asks for."""
        limited_flavors = self._get_flavors(req)
        req.cache_db_items("flavors", limited_flavors, "flavorid")
        return self._view_builder.detail(req, limited_flavors)

    def show(self, req: wsgi.Request, id: str) -> dict:
        """``GET /flavors/{id}``: one flavor by its public id."""
        context = req.environ["nova.context"]
        try:
            flavor = flavors.get_flavor_by_flavor_id(id, ctxt=context)
        except exception.FlavorNotFound as e:
            raise webob.exc.HTTPNotFound(explanation=e.format_message()) from None
        req.cache_db_items("flavors", [flavor], "flavorid")
        return self._view_builder.show(req, flavor)

    @staticmethod
    def _parse_is_public(is_public: str | None) -> bool | None:
        """Absent → public only; "none" (any case) → public and private; else a strict boolean."""
        if is_public is None:
            return True
        if is_public.lower() == "none":
            return None
        try:
            return common.bool_from_string(is_public, strict=True)
        except ValueError:
            raise webob.exc.HTTPBadRequest(explanation=f"Invalid is_public filter [{is_public}]") from None

    @staticmethod
    def _int_filter(req: wsgi.Request, param: str) -> int:
        try:
            return int(req.params[param])
        except ValueError:
            raise webob.exc.HTTPBadRequest(explanation=f"Invalid {param} filter [{req.params[param]}]") from None

    def _get_flavors(self, req: wsgi.Request) -> list[dict]:
        """Filters from the query string (``minRam``, ``minDisk``, ``is_public``), then one page."""
        context = req.environ["nova.context"]
        filters: dict = {}
        if context.is_admin:
            filters["is_public"] = self._parse_is_public(req.params.get("is_public"))
        else:
            # Members cannot widen the search: openstacksdk's is_public=None changes nothing for them.
            filters["is_public"] = True
            filters["disabled"] = False
        if "minRam" in req.params:
            filters["min_memory_mb"] = self._int_filter(req, "minRam")
        if "minDisk" in req.params:
            filters["min_root_gb"] = self._int_filter(req, "minDisk")
        limit, marker = common.get_limit_and_marker(req)
        try:
            return flavors.get_all_flavors_sorted_list(context, filters=filters, limit=limit, marker=marker)
        except exception.MarkerNotFound:
            raise webob.exc.HTTPBadRequest(explanation=f"marker [{marker}] not found") from None


def create_resource(ext_mgr=None) -> wsgi.Resource:
    return wsgi.Resource(FlavorsController())
