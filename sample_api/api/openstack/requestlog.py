"""The ``request_log`` filter: exactly one INFO line per request.

``127.0.0.1 "GET /v2.1/servers/detail" status: 200 len: 1234 microversion: 2.1 time: 0.012``

It sits inside ``faultwrap``, so it also logs the requests that crash
(status 500), and it reads the microversion that ``Resource`` negotiated
later on the same environ.
"""

from __future__ import annotations

import logging
import time
from typing import Any

import webob
import webob.dec

from sample_api import wsgi as base_wsgi
from sample_api.api.openstack import wsgi

LOG = logging.getLogger(__name__)


class RequestLog(base_wsgi.Middleware):
    """Log the address, method, URI, status, length, microversion and duration of a request."""

    @staticmethod
    def _get_uri(environ: dict) -> str:
        req_uri = environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "")
        if environ.get("QUERY_STRING"):
            req_uri += "?" + environ["QUERY_STRING"]
        return req_uri

    @webob.dec.wsgify(RequestClass=wsgi.Request)
    def __call__(self, req: wsgi.Request) -> Any:
        start = time.monotonic()
        uri = self._get_uri(req.environ)  # before the router rewrites anything
        try:
            res = req.get_response(self.application)
        except Exception:
            self._log_req(req, uri, None, start)
            raise
        self._log_req(req, uri, res, start)
        return res

    def _log_req(self, req: wsgi.Request, uri: str, res: webob.Response | None, start: float) -> None:
        version = getattr(req, "api_version_request", None)
        microversion = "-" if version is None or version.is_null() else version.get_string()
        if res is None:
            status, length = 500, 0
        else:
            status = res.status_int
            length = res.content_length if res.content_length is not None else 0
        LOG.info(
            '%s "%s %s" status: %s len: %s microversion: %s time: %.3f',
            req.environ.get("REMOTE_ADDR", "-"),
            req.method,
            uri,
            status,
            length,
            microversion,
            time.monotonic() - start,
        )
