"""A paste filter for old clients that speak the API as it was before microversions (v2)."""

import webob

from sample_api import wsgi as base_wsgi

VERSION_HEADERS = ("OpenStack-API-Version", "X-OpenStack-Nova-API-Version")


class LegacyV2Filter(base_wsgi.Middleware):
    """Answers a /v2 request as the v2 API did: at the base version, with no microversion headers."""

    def process_request(self, req: base_wsgi.Request) -> None:
        for name in VERSION_HEADERS:
            req.headers.pop(name, None)  # no version asked: the API answers at 2.1
        return None

    def process_response(self, response: webob.Response) -> webob.Response:
        for name in VERSION_HEADERS:
            response.headers.pop(name, None)
        vary = [part.strip() for part in response.headers.get("Vary", "").split(",")]
        kept = [part for part in vary if part and part not in VERSION_HEADERS]
        if kept:
            response.headers["Vary"] = ", ".join(kept)
        else:
            response.headers.pop("Vary", None)
        return response
