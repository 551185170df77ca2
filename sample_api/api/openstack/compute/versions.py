"""The version documents: ``GET /`` lists the API versions, ``GET /v2.1`` describes one.

Clients such as openstacksdk start here: they read ``version`` and
``min_version`` of v2.1 to choose a microversion before any other call.
Neither document needs a token.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import webob
import webob.dec
import webob.exc

from sample_api import wsgi as base_wsgi
from sample_api.api.openstack import api_version_request, wsgi
from sample_api.conf import CONF

LINKS = {
    "v2.0": {"html": "http://docs.openstack.org/"},
    "v2.1": {"html": "http://docs.openstack.org/"},
}

VERSIONS = {
    "v2.0": {
        "id": "v2.0",
        "status": "DEPRECATED",
        "version": "",
        "min_version": "",
        "updated": "2011-01-21T11:33:21Z",
        "links": [{"rel": "describedby", "type": "text/html", "href": LINKS["v2.0"]["html"]}],
        "media-types": [{"base": "application/json", "type": "application/vnd.openstack.compute+json;version=2"}],
    },
    "v2.1": {
        "id": "v2.1",
        "status": "CURRENT",
        "version": api_version_request._MAX_API_VERSION,
        "min_version": api_version_request._MIN_API_VERSION,
        "updated": "2013-07-23T11:33:21Z",
        "links": [{"rel": "describedby", "type": "text/html", "href": LINKS["v2.1"]["html"]}],
        "media-types": [{"base": "application/json", "type": "application/vnd.openstack.compute+json;version=2.1"}],
    },
}


def base_url(req: webob.Request) -> str:
    """``http://<host of the request>``, or ``CONF.osapi_compute_link_prefix`` when set."""
    return (CONF.osapi_compute_link_prefix or req.host_url).rstrip("/")


def _version_href(req: webob.Request, version_id: str) -> str:
    return "{}/{}/".format(base_url(req), "v2.1" if version_id.startswith("v2.1") else "v2")


class Versions(base_wsgi.Application):
    """``GET /``: every version, with a self link. No microversion headers here."""

    @webob.dec.wsgify(RequestClass=wsgi.Request)
    def __call__(self, req: wsgi.Request) -> webob.Response:
        if req.path_info not in ("", "/"):
            return webob.exc.HTTPNotFound()
        if req.method not in ("GET", "HEAD"):
            return webob.exc.HTTPMethodNotAllowed()
        versions = []
        for version_id in sorted(VERSIONS):
            version = VERSIONS[version_id]
            versions.append(
                {
                    "id": version["id"],
                    "status": version["status"],
                    "version": version["version"],
                    "min_version": version["min_version"],
                    "updated": version["updated"],
                    "links": [{"rel": "self", "href": _version_href(req, version_id)}],
                }
            )
        response = webob.Response(content_type="application/json", charset=None)
        response.body = json.dumps({"versions": versions}).encode("utf-8")
        return response


class VersionsController(wsgi.Controller):
    def show(self, req: wsgi.Request) -> dict:
        """The v2.1 document: its self link first, then the describedby link."""
        version = copy.deepcopy(VERSIONS["v2.1"])
        version["links"].insert(0, {"rel": "self", "href": _version_href(req, "v2.1")})
        return {"version": version}


class VersionsV21(wsgi.Resource):
    """``GET /v2.1``: a ``Resource`` with no router in front of it, so it names its own action."""

    def __init__(self) -> None:
        super().__init__(VersionsController())

    @classmethod
    def factory(cls, global_config: dict, **local_config: str) -> VersionsV21:
        return cls()

    def get_action_args(self, request_environment: dict) -> dict[str, Any]:
        if request_environment.get("REQUEST_METHOD") in ("GET", "HEAD"):
            return {"action": "show"}
        return {"action": None}  # no such method: 404


def create_resource() -> VersionsV21:
    return VersionsV21()
