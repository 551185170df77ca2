"""``GET /os-server-cards``: a small card per server of the caller's project.

TODO: write CardViewBuilder (show for one card, index for the list) and let the controller use it;
the controller below shapes the cards itself, which is the view builder's job.
"""

from sample_api import compute
from sample_api.api.openstack import common, extensions, wsgi  # noqa: F401  (your view builder needs common)

COLLECTION = "os-server-cards"


class ServerCardsController(wsgi.Controller):
    def __init__(self) -> None:
        super().__init__()
        self.compute_api = compute.API()

    def index(self, req: wsgi.Request) -> dict:
        context = req.environ["nova.context"]
        instances = self.compute_api.get_all(context, search_opts={"project_id": context.project_id})
        return {"cards": [{"id": i["uuid"], "name": i["display_name"]} for i in instances]}


class Server_cards(extensions.ExtensionDescriptor):
    """Server cards."""

    name = "ServerCards"
    alias = "tracer-server-cards"
    namespace = "http://example.org/tracer/server-cards/v1"
    updated = "2015-04-30T00:00:00Z"

    def get_resources(self) -> list[extensions.ResourceExtension]:
        return [extensions.ResourceExtension(COLLECTION, ServerCardsController())]

