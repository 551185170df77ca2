"""Looking up flavors (``nova.compute.flavors``): the controllers' way to the flavors table."""

from __future__ import annotations

from sample_api import db
from sample_api.context import RequestContext


def get_flavor_by_flavor_id(flavorid: str, ctxt: RequestContext) -> dict:
    """The flavor with public id ``flavorid`` (e.g. "2"); raises FlavorNotFound."""
    return db.flavor_get_by_flavor_id(ctxt, flavorid)


def get_all_flavors_sorted_list(
    ctxt: RequestContext, filters: dict | None = None, sort_key: str = "flavorid", sort_dir: str = "asc",
    limit: int | None = None, marker: str | None = None,
) -> list[dict]:
    """One page of flavors; raises MarkerNotFound for an unknown marker."""
    return db.flavor_get_all(ctxt, filters=filters, sort_key=sort_key, sort_dir=sort_dir, limit=limit,
                             marker=marker)
