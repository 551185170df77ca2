"""A paste filter for old clients that speak the API as it was before microversions (v2)."""

import webob

from sample_api import wsgi as base_wsgi


class LegacyV2Filter(base_wsgi.Middleware):
    """Answers a /v2 request as the v2 API did: at the base version, with no microversion headers."""

    def process_request(self, req: base_wsgi.Request) -> None:
        # TODO: a v2 client's request is answered at the base version, whatever version header it sends.
        return None

    def process_response(self, response: webob.Response) -> webob.Response:
        # TODO: v2 never answered with microversion headers (nor named them in Vary).
        return response
