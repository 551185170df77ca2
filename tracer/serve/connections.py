"""Recording that begins where the server does: each connection, from the worker taking it to the answer sent.

A recorder wrapped around the app (``Recorder.wrap``) starts once the server has already read the request
and is calling the app, so its traces begin at the URL map and the server's own work is missing. Handed to
``sample_api.wsgi.Server`` as ``around_connection``, :meth:`ConnectionRecorder.run` starts the recording on
the worker before the server reads the connection: the trace then shows the server accepting it, parsing the
request into a WSGI environ and calling the app, then the app, then the server writing the answer. The
server answers one request per connection (under eventlet it is told to: no keep-alive), so this is still
one trace per request.

The worker is a pool thread of the threaded server, or under eventlet the green thread spawned for the
connection. Green threads share one OS thread, so the recorder tells them apart itself (a context of its
own for each green thread at call level, the running green thread's session at line level); the exchange
noted here is kept the same way, in a context variable.

The app the server calls is :meth:`ConnectionRecorder.app`, a thin WSGI wrapper that only notes what the
trace document needs (the environ, the request body, the status, headers and body the app answered with);
it lives outside the recorded modules, so it adds no hop of its own.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from tracer.record.exchange import buffer_body
from tracer.record.recorder import Recorder

#: The module of eventlet's web server: recorded too when a trace starts at one of its green threads.
EVENTLET_SERVER = "eventlet.wsgi"


@dataclass
class _Exchange:
    """What one connection's request and answer were, as the app saw them."""

    environ: dict | None = None
    request_body: bytes = b""
    status: str = "500 Internal Server Error"
    headers: list = field(default_factory=list)
    body: bytes = b""
    error: BaseException | None = None


class ConnectionRecorder:
    """Records every connection a ``sample_api.wsgi.Server`` serves; each trace goes to ``on_trace``.

    A connection the server refuses before calling the app (a malformed request line, a client that hangs
    up) makes no trace: there is no request to show.
    """

    def __init__(self, recorder: Recorder, app: Callable, on_trace: Callable[[dict], None]) -> None:
        self.recorder = recorder
        self.served = app
        self.on_trace = on_trace
        #: the exchange of the connection being served, in each thread or green thread (each has its own context)
        self._exchange: contextvars.ContextVar[_Exchange | None] = contextvars.ContextVar("exchange", default=None)

    def run(self, serve_connection: Callable[[], None]) -> None:
        """The server's ``around_connection``: serve one connection while recording, then hand the trace on."""
        exchange = _Exchange()
        token = self._exchange.set(exchange)
        session = self.recorder.start(None, self.served)
        try:
            serve_connection()
        finally:
            self.recorder.stop(session)
            self._exchange.reset(token)
        if exchange.environ is None:
            return
        doc = session.finish(exchange.environ, exchange.request_body, exchange.status, exchange.headers,
                             exchange.body, exchange.error)
        self.on_trace(doc)

    def app(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        """The WSGI app the server calls: the served app, with the exchange noted for the trace."""
        exchange = self._exchange.get()
        if exchange is None:  # not inside run(): nothing to note
            return self.served(environ, start_response)
        exchange.environ = environ
        exchange.request_body = buffer_body(environ, self.recorder.max_request_body)
        written: list[bytes] = []

        def noting_start_response(status: str, headers: list, exc_info: object = None) -> Callable:
            exchange.status, exchange.headers = status, list(headers)
            start_response(status, headers, exc_info)
            return written.append

        try:
            result = self.served(environ, noting_start_response)
            try:
                body = b"".join(result)
            finally:
                close = getattr(result, "close", None)
                if close is not None:
                    close()
        except BaseException as exc:
            exchange.error = exc
            raise
        exchange.body = b"".join(written) + body
        return [exchange.body]
