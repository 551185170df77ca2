"""A naming rule for new servers, and who asked for each.

TODO: make ``create`` a generator: before the core ``create``, refuse (400) a name with a space in
it; after it, add ``tracer:requested_by`` (the user's id) to the new server in the answer.
"""

from sample_api.api.openstack import extensions, wsgi


class NamingController(wsgi.Controller):
    @wsgi.extends
    def create(self, req: wsgi.Request, resp_obj: wsgi.ResponseObject, body: dict) -> None:
        pass  # runs only after the server was made: too late to refuse it


class Naming(extensions.ExtensionDescriptor):
    """Server names without spaces."""

    name = "Naming"
    alias = "tracer-naming"
    namespace = "http://example.org/tracer/naming/v1"
    updated = "2015-04-30T00:00:00Z"

    def get_controller_extensions(self) -> list[extensions.ControllerExtension]:
        return [extensions.ControllerExtension(self, "servers", NamingController())]
