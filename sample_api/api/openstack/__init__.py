"""The OpenStack API framework: the URL mapper, the base ``APIRouter`` and ``FaultWrapper``.

``APIRouter.__init__`` is where routes are made: the core resources
(``_setup_routes``, written by each API), then the resources of extensions
(``_setup_ext_routes``), then the controller extensions that add actions and
``@extends`` methods to existing resources (``_setup_extensions``).
"""

from __future__ import annotations

import logging
from typing import Any

import routes
import webob.dec
import webob.exc

from sample_api import exception
from sample_api import wsgi as base_wsgi
from sample_api.api.openstack import wsgi

LOG = logging.getLogger(__name__)

#: What a client sees when the API crashed: the details go to the log only.
UNEXPECTED_ERROR = "Unexpected API Error. The sample-api log has the details of what went wrong."


class FaultWrapper(base_wsgi.Middleware):
    """The ``faultwrap`` filter: an exception that escapes the app becomes a ``Fault``.

    This is the last line of defence: a bug anywhere below answers a tidy
    ``computeFault`` 500 and its traceback goes to the log, never to the client.
    """

    @staticmethod
    def status_to_type(status: int, explanation: str | None = None) -> webob.exc.HTTPException:
        """A webob error of the given status (500 for an unknown one)."""
        error_class = webob.exc.status_map.get(status)
        if error_class is None or status < 400:
            error_class = webob.exc.HTTPInternalServerError
        return error_class(explanation=explanation) if explanation else error_class()

    def _error(self, inner: Exception, req: wsgi.Request) -> wsgi.Fault:
        url = req.environ.get("SCRIPT_NAME", "") + req.environ.get("PATH_INFO", "")
        if isinstance(inner, webob.exc.WSGIHTTPException) and inner.code >= 400:
            LOG.info("%s returned with HTTP %s", url, inner.code)
            return wsgi.Fault(inner)
        if isinstance(inner, exception.NovaException) and 400 <= inner.code < 500:
            # Nova's exception messages are written for users: safe to show.
            LOG.info("%s returned with HTTP %s: %s", url, inner.code, inner.format_message())
            return wsgi.Fault(self.status_to_type(inner.code, inner.format_message()))
        LOG.exception("Caught error: %s", inner)
        LOG.info("%s returned with HTTP 500", url)
        return wsgi.Fault(self.status_to_type(500, UNEXPECTED_ERROR))

    @webob.dec.wsgify(RequestClass=wsgi.Request)
    def __call__(self, req: wsgi.Request) -> Any:
        try:
            return req.get_response(self.application)
        except Exception as ex:
            return self._error(ex, req)


class APIMapper(routes.Mapper):
    def connect(self, *args: Any, **kargs: Any) -> Any:
        # Only ".json" may be a format suffix, so a "." elsewhere in a URL
        # (e.g. in a server name) is not eaten as one.
        kargs.setdefault("requirements", {})
        if not kargs["requirements"].get("format"):
            kargs["requirements"]["format"] = "json"
        return routes.Mapper.connect(self, *args, **kargs)


class ProjectMapper(APIMapper):
    """Map each resource twice: ``/servers`` and ``/{project_id}/servers``.

    Old clients put the project id in every URL; newer ones do not. The routes
    without the prefix are connected first so that ``/servers/{id}`` wins over
    ``/{project_id}/servers`` when both could match.
    """

    def resource(self, member_name: str, collection_name: str, **kwargs: Any) -> None:
        parent_resource = kwargs.get("parent_resource")
        if parent_resource is None:
            prefixes = ["", "{project_id}/"]
        else:
            parent = "{}/:{}_id".format(parent_resource["collection_name"], parent_resource["member_name"])
            prefixes = [parent, "{project_id}/" + parent]
        for path_prefix in prefixes:
            routes.Mapper.resource(self, member_name, collection_name, path_prefix=path_prefix, **kwargs)


class APIRouter(base_wsgi.Router):
    """Routes requests on the OpenStack API to the appropriate controller and method."""

    #: The class whose instance loads the extensions (set by each API).
    ExtensionManager: type | None = None

    @classmethod
    def factory(cls, global_config: dict, **local_config: str) -> APIRouter:
        """``paste.app_factory`` for api-paste.ini: a fresh router, fresh extensions."""
        return cls()

    def __init__(self, ext_mgr: Any = None, init_only: list[str] | None = None) -> None:
        if ext_mgr is None:
            if self.ExtensionManager is None:
                raise TypeError("Must specify an ExtensionManager class")
            ext_mgr = self.ExtensionManager()
        mapper = ProjectMapper()
        self.resources: dict[str, wsgi.Resource] = {}
        self._setup_routes(mapper, ext_mgr, init_only)
        self._setup_ext_routes(mapper, ext_mgr, init_only)
        self._setup_extensions(ext_mgr)
        super().__init__(mapper)

    def _setup_ext_routes(self, mapper: ProjectMapper, ext_mgr: Any, init_only: list[str] | None) -> None:
        """Give each ``ResourceExtension`` its own ``Resource`` and routes."""
        for resource in ext_mgr.get_resources():
            LOG.debug("Extending resource: %s", resource.collection)
            if init_only is not None and resource.collection not in init_only:
                continue
            inherits = None
            if resource.inherits:
                inherits = self.resources.get(resource.inherits)
                if not resource.controller and inherits is not None:
                    resource.controller = inherits.controller
            wsgi_resource = wsgi.Resource(resource.controller, inherits=inherits)
            self.resources[resource.collection] = wsgi_resource
            kargs = {
                "controller": wsgi_resource,
                "collection": resource.collection_actions,
                "member": resource.member_actions,
            }
            if resource.parent:
                kargs["parent_resource"] = resource.parent
            mapper.resource(resource.collection, resource.collection, **kargs)
            if resource.custom_routes_fn:
                resource.custom_routes_fn(mapper, wsgi_resource)

    def _setup_extensions(self, ext_mgr: Any) -> None:
        """Attach each ``ControllerExtension`` to the ``Resource`` it extends."""
        for extension in ext_mgr.get_controller_extensions():
            collection = extension.collection
            controller = extension.controller
            ext_name = extension.extension.name
            if collection not in self.resources:
                LOG.warning("Extension %s: Cannot extend resource %s: No such resource", ext_name, collection)
                continue
            LOG.debug("Extension %s extended resource: %s", ext_name, collection)
            resource = self.resources[collection]
            resource.register_actions(controller)
            resource.register_extensions(controller)

    def _setup_routes(self, mapper: ProjectMapper, ext_mgr: Any, init_only: list[str] | None) -> None:
        """Connect the core resources of the API: each API implements this."""
        raise NotImplementedError()
