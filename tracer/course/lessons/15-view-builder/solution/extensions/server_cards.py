"""``GET /os-server-cards``: a small card per server of the caller's project."""

from sample_api import compute
from sample_api.api.openstack import common, extensions, wsgi

COLLECTION = "os-server-cards"


class CardViewBuilder(common.ViewBuilder):
    """How a card looks: id, name, status and links."""

    _collection_name = COLLECTION

    def show(self, request: wsgi.Request, instance: dict) -> dict:
        return {
            "card": {
                "id": instance["uuid"],
                "name": instance["display_name"],
                "status": common.status_from_state(instance["vm_state"], instance["task_state"]),
                "links": self._get_links(request, instance["uuid"], self._collection_name),
            }
        }

    def index(self, request: wsgi.Request, instances: list[dict]) -> dict:
        return {"cards": [self.show(request, instance)["card"] for instance in instances]}


class ServerCardsController(wsgi.Controller):
    _view_builder_class = CardViewBuilder

    def __init__(self) -> None:
        super().__init__()
        self.compute_api = compute.API()

    def index(self, req: wsgi.Request) -> dict:
        context = req.environ["nova.context"]
        instances = self.compute_api.get_all(context, search_opts={"project_id": context.project_id})
        return self._view_builder.index(req, instances)


class Server_cards(extensions.ExtensionDescriptor):
    """Server cards."""

    name = "ServerCards"
    alias = "tracer-server-cards"
    namespace = "http://example.org/tracer/server-cards/v1"
    updated = "2015-04-30T00:00:00Z"

    def get_resources(self) -> list[extensions.ResourceExtension]:
        return [extensions.ResourceExtension(COLLECTION, ServerCardsController())]
