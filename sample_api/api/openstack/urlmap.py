"""The ``osapi_compute`` composite: send a URL to the app mounted at its longest prefix.

``/v2.1/servers/detail`` → the app mounted at ``/v2.1/+``, with
``SCRIPT_NAME='/v2.1'`` and ``PATH_INFO='/servers/detail'``: from here on
the API only sees the path below its mount point.

A mount point ending in ``/+`` (as in Nova's api-paste.ini) matches only when
something follows the slash, so ``/v2.1`` and ``/v2.1/`` go to the version
document while ``/v2.1/servers`` goes to the API. Nova's URLMap also picks an
app by the ``Accept`` header; with one media type we keep prefix matching only.
"""

from __future__ import annotations

import logging
import urllib.parse
from collections.abc import Callable
from typing import Any

import webob.exc

LOG = logging.getLogger(__name__)


def normalize_url(url: str) -> str:
    """``/v2.1/`` → ``/v2.1``; ``/`` → ``""`` (the root matches every path)."""
    url = url.strip()
    if not url.startswith("/"):
        raise ValueError(f"URL map keys must start with '/': {url!r}")
    return url.rstrip("/") if not url.endswith("/+") else url


class URLMap:
    """A WSGI app that picks the next app by URL prefix, longest prefix first."""

    def __init__(self) -> None:
        self.applications: list[tuple[str, Callable]] = []

    def __setitem__(self, url: str, app: Callable) -> None:
        url = normalize_url(url)
        self.applications = [(u, a) for u, a in self.applications if u != url]
        self.applications.append((url, app))
        self.applications.sort(key=lambda item: len(item[0]), reverse=True)

    def _match(self, path_info: str) -> tuple[Callable | None, str | None]:
        """The app for ``path_info`` and the prefix to move into SCRIPT_NAME."""
        for app_url, app in self.applications:
            if app_url.endswith("/+"):
                # "/v2.1/+": "/v2.1/" and at least one more character.
                if path_info.startswith(app_url[:-1]) and len(path_info) >= len(app_url):
                    return app, app_url[:-2]
            elif path_info == app_url or path_info.startswith(app_url + "/"):
                return app, app_url
        return None, None

    def __call__(self, environ: dict, start_response: Callable) -> Any:
        if not _url_is_utf8(environ):
            # webob would fail to decode it later, deep inside the API: refuse it here.
            return webob.exc.HTTPBadRequest(explanation="The URL is not valid UTF-8.")(environ, start_response)
        path_info = environ.get("PATH_INFO", "")
        app, app_url = self._match(path_info)
        if app is None:
            return webob.exc.HTTPNotFound()(environ, start_response)
        environ["SCRIPT_NAME"] = environ.get("SCRIPT_NAME", "") + app_url
        environ["PATH_INFO"] = path_info[len(app_url) :]
        return app(environ, start_response)


def _url_is_utf8(environ: dict) -> bool:
    """Servers hand over the path unquoted and the query still quoted, both as latin-1 text."""
    try:
        environ.get("PATH_INFO", "").encode("latin-1").decode("utf-8")
        urllib.parse.unquote_to_bytes(environ.get("QUERY_STRING", "").encode("latin-1")).decode("utf-8")
    except UnicodeError:
        return False
    return True


def urlmap_factory(loader: Any, global_conf: dict, **local_conf: str) -> URLMap:
    """``use = call:...urlmap:urlmap_factory``: each ``/path = app`` line becomes a mount."""
    urlmap = URLMap()
    for path, app_name in local_conf.items():
        urlmap[path] = loader.get_app(app_name, global_conf=global_conf)
    return urlmap
