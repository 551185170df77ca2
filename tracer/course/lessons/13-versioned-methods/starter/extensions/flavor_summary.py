"""``GET /os-flavor-summary``: each flavor's name and RAM, at a glance.

TODO: from microversion 2.16, each flavor also shows its ``vcpus``; before 2.16 the answer must not change.
"""

from sample_api import db
from sample_api.api.openstack import extensions, wsgi


class FlavorSummaryController(wsgi.Controller):
    def index(self, req: wsgi.Request) -> dict:
        context = req.environ["nova.context"]
        flavors = db.flavor_get_all(context)
        return {"flavors": [{"name": f["name"], "ram": f["memory_mb"]} for f in flavors]}


class Flavor_summary(extensions.ExtensionDescriptor):
    """A summary of the flavors."""

    name = "FlavorSummary"
    alias = "tracer-flavor-summary"
    namespace = "http://example.org/tracer/flavor-summary/v1"
    updated = "2015-04-30T00:00:00Z"

    def get_resources(self) -> list[extensions.ResourceExtension]:
        return [extensions.ResourceExtension("os-flavor-summary", FlavorSummaryController())]
