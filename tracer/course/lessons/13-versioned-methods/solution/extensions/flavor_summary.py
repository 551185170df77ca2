"""``GET /os-flavor-summary``: each flavor's name and RAM, at a glance (and, from 2.16, its vcpus)."""

from sample_api import db
from sample_api.api.openstack import extensions, wsgi


class FlavorSummaryController(wsgi.Controller):
    @wsgi.Controller.api_version("2.16")
    def index(self, req: wsgi.Request) -> dict:
        return self._index(req, vcpus=True)

    @wsgi.Controller.api_version("2.1", "2.15")  # noqa: F811
    def index(self, req: wsgi.Request) -> dict:  # noqa: F811
        return self._index(req)

    def _index(self, req: wsgi.Request, vcpus: bool = False) -> dict:
        context = req.environ["nova.context"]
        summary = []
        for flavor in db.flavor_get_all(context):
            item = {"name": flavor["name"], "ram": flavor["memory_mb"]}
            if vcpus:
                item["vcpus"] = flavor["vcpus"]
            summary.append(item)
        return {"flavors": summary}


class Flavor_summary(extensions.ExtensionDescriptor):
    """A summary of the flavors."""

    name = "FlavorSummary"
    alias = "tracer-flavor-summary"
    namespace = "http://example.org/tracer/flavor-summary/v1"
    updated = "2015-04-30T00:00:00Z"

    def get_resources(self) -> list[extensions.ResourceExtension]:
        return [extensions.ResourceExtension("os-flavor-summary", FlavorSummaryController())]
