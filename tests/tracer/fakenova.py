"""A Nova-shaped WSGI app in one file, recorded by the render and walkthrough tests.

It follows the blog walkthrough's path (filter -> Resource.__call__ -> _process_stack -> dispatch ->
controller -> view builder) so renderers can be tested without sample_api, on a stack a
learner would recognise. Imported as ``tests.tracer.fakenova``; record it with
``include=("tests.tracer.fakenova",)``.
"""

from __future__ import annotations

import contextlib
import json

SERVERS = [{"id": f"srv-{n}", "name": f"demo-{n}"} for n in range(1, 6)]


class HTTPNotFound(Exception):
    """What a controller raises for an unknown id."""


class Fault(Exception):
    """The error response ResourceExceptionHandler turns exceptions into."""

    def __init__(self, wrapped: Exception) -> None:
        super().__init__(str(wrapped))
        self.wrapped = wrapped


class ResourceExceptionHandler:
    def __enter__(self):
        return None

    def __exit__(self, ex_type, ex_value, ex_traceback):
        if ex_value is None:
            return True
        if isinstance(ex_value, HTTPNotFound):
            raise Fault(ex_value)
        return False


@contextlib.contextmanager
def transaction():
    """Like sample_api.db._transaction: the with block's exit throws the exception into this generator."""
    try:
        yield SERVERS
    finally:
        pass


class ViewBuilder:
    def detail(self, request, instances):
        """Detailed view of a list of instance."""
        return self._list_view(self.show, request, instances)

    def _list_view(self, func, request, servers):
        """Provide a view for a list of servers."""
        server_list = [func(request, server)["server"] for server in servers]
        return {"servers": server_list}

    def show(self, request, instance):
        return {"server": {"id": instance["id"], "name": self._name(instance)}}

    def _name(self, instance):
        return instance["name"]


class ServersController:
    def __init__(self) -> None:
        self._view_builder = ViewBuilder()

    def detail(self, req):
        servers = self._get_servers(req, is_detail=True)
        return servers

    def _get_servers(self, req, is_detail):
        instance_list = list(SERVERS)
        response = self._view_builder.detail(req, instance_list)
        return response

    def show(self, req, id):
        with transaction() as servers:
            for server in servers:
                if server["id"] == id:
                    return self._view_builder.show(req, server)
            raise HTTPNotFound(f"Instance {id} could not be found.")


class Resource:
    def __init__(self, controller) -> None:
        self.controller = controller

    def __call__(self, environ, start_response):
        path = environ["PATH_INFO"].strip("/").split("/")
        action, action_args = ("detail", {}) if path[-1] == "detail" else ("show", {"id": path[-1]})
        return self._process_stack(environ, action, action_args,
                                   start_response)

    def _process_stack(self, request, action, action_args, start_response):
        meth = getattr(self.controller, action)
        try:
            with ResourceExceptionHandler():
                action_result = self.dispatch(meth, request, action_args)
        except Fault as ex:
            start_response("404 Not Found", [("Content-Type", "application/json")])
            return [json.dumps({"itemNotFound": {"code": 404, "message": str(ex)}}).encode()]
        start_response("200 OK", [("Content-Type", "application/json")])
        return [json.dumps(action_result).encode()]

    def dispatch(self, method, request, action_args):
        return method(req=request, **action_args)


def auth_filter(environ, start_response):
    environ["fake.context"] = environ.get("HTTP_X_AUTH_TOKEN")
    return Resource(ServersController())(environ, start_response)
