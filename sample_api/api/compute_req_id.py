"""The ``compute_req_id`` filter: give every request an id, and tell the client.

Nova takes this from oslo.middleware's ``RequestId``. The id is what ties a
client's error report to the one log line of its request: the auth filter
copies it into the ``RequestContext``, and the response carries it back in
``x-openstack-request-id`` (and Nova's older ``x-compute-request-id``).
"""

from __future__ import annotations

import webob
import webob.dec

from sample_api import context
from sample_api import wsgi as base_wsgi

ENV_REQUEST_ID = "openstack.request_id"
HTTP_RESP_HEADER_REQUEST_ID = "x-openstack-request-id"


class ComputeReqIdMiddleware(base_wsgi.Middleware):
    """Put ``req-<uuid>`` in ``environ['openstack.request_id']`` and in the response headers."""

    compat_headers = ["x-compute-request-id"]

    @webob.dec.wsgify(RequestClass=base_wsgi.Request)
    def __call__(self, req: base_wsgi.Request) -> webob.Response:
        req_id = context.generate_request_id()
        req.environ[ENV_REQUEST_ID] = req_id
        response = req.get_response(self.application)
        for header in [HTTP_RESP_HEADER_REQUEST_ID, *self.compat_headers]:
            if header not in response.headers:
                response.headers.add(header, req_id)
        return response
