"""A paste filter that tells the client who the API thinks it is talking to."""

import webob.dec

from sample_api import wsgi as base_wsgi


class WhoAmI(base_wsgi.Middleware):
    """Adds ``X-Tracer-User: <user_id>:<project_id>`` to every response."""

    @webob.dec.wsgify(RequestClass=base_wsgi.Request)
    def __call__(self, req: base_wsgi.Request) -> webob.Response:
        context = req.environ.get("nova.context")
        response = req.get_response(self.application)
        if context is None:
            return response  # no context yet: is this filter in the right place?
        response.headers["X-Tracer-User"] = f"{context.user_id}:{context.project_id}"
        return response
