"""Start the API: build the WSGI app from api-paste.ini and serve it (``nova/service.py``).

``load_app`` is what tests and tracer call to get the whole app in-process;
``WSGIService`` adds a ``wsgi.Server`` around it for ``sample-api serve``.
"""

from __future__ import annotations

import logging

from sample_api import db, wsgi
from sample_api.conf import CONF

LOG = logging.getLogger(__name__)


def load_app(name: str = "osapi_compute") -> wsgi.WSGIApp:
    """Configure the database, then build the app ``name`` of ``CONF.api_paste_config``.

    Each call builds fresh routers and a fresh extension manager, so a change
    to ``CONF`` (or to a learner's extension file) shows in the next app.
    """
    db.configure(CONF.db_path)
    return wsgi.Loader(CONF.api_paste_config).load_app(name)


class WSGIService:
    """Provides ability to launch an API from a paste configuration."""

    def __init__(
        self,
        name: str = "osapi_compute",
        host: str = "127.0.0.1",
        port: int = 8774,
        pool_size: int | None = None,
        backlog: int = wsgi.DEFAULT_BACKLOG,
        backend: str = "threaded",
    ) -> None:
        self.name = name
        self.app = load_app(name)
        self.server = wsgi.Server(
            name, self.app, host=host, port=port, pool_size=pool_size, backlog=backlog, backend=backend
        )
        self.host = self.server.host
        self.port = self.server.port

    def start(self) -> None:
        self.server.start()

    def stop(self) -> None:
        self.server.stop()

    def wait(self) -> None:
        self.server.wait()
