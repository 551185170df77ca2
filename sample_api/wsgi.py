"""The generic WSGI layer, shaped like ``nova/wsgi.py``.

* ``Server`` owns the listening socket and a bounded pool of workers: the
  first hop of every request.
* ``Application`` / ``Middleware`` are the base classes of every paste
  app and filter (their ``factory`` classmethods are what api-paste.ini names).
* ``Router`` hands a request to ``routes``, which picks the controller.
* ``Loader`` turns api-paste.ini into one WSGI callable.

Nothing here knows about compute: it is the plumbing under ``sample_api.api``.
"""

from __future__ import annotations

import functools
import io
import logging
import os
import threading
import warnings
from collections.abc import Callable, Iterator
from concurrent import futures
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any
from wsgiref import simple_server

import routes.middleware
import webob.dec
import webob.exc
from paste import deploy

from sample_api import exception
from sample_api.conf import CONF

LOG = logging.getLogger(__name__)

WSGIApp = Callable[[dict, Callable], Any]
#: Given a function that serves one connection, runs it (around it, a tool may watch what the server does).
ConnectionRunner = Callable[[Callable[[], None]], None]

#: Nova's default size of the green thread pool (``wsgi_default_pool_size``).
DEFAULT_POOL_SIZE = 1000
#: Nova's default listen backlog (``CONF.backlog``).
DEFAULT_BACKLOG = 4096
BACKENDS = ("threaded", "eventlet")


# --------------------------------------------------------------------------
# The server
# --------------------------------------------------------------------------


class _ChunkedInput:
    """Decode a ``Transfer-Encoding: chunked`` request body for wsgiref.

    eventlet decodes chunked bodies itself; the stdlib server does not, so
    without this the app would read raw chunk framing.
    """

    def __init__(self, rfile: Any) -> None:
        self._rfile = rfile
        self._buffer = b""
        self._done = False

    def _next_chunk(self) -> bytes:
        size_line = self._rfile.readline(1024)
        try:
            size = int(size_line.split(b";", 1)[0].strip() or b"0", 16)
        except ValueError:
            size = 0
        if size <= 0:
            # The last chunk: swallow optional trailers up to the blank line.
            while self._rfile.readline(1024).strip():
                pass
            self._done = True
            return b""
        data = self._rfile.read(size)
        self._rfile.readline(1024)  # the CRLF after the chunk data
        return data

    def read(self, size: int = -1) -> bytes:
        while not self._done and (size is None or size < 0 or len(self._buffer) < size):
            self._buffer += self._next_chunk()
        if size is None or size < 0:
            data, self._buffer = self._buffer, b""
        else:
            data, self._buffer = self._buffer[:size], self._buffer[size:]
        return data

    def readline(self, size: int = -1) -> bytes:
        return self.read(size)

    def __iter__(self) -> Iterator[bytes]:
        while True:
            data = self.read(65536)
            if not data:
                return
            yield data


def _declared_length(environ: dict) -> int:
    """The Content-Length of a body small enough to read at once (at most ``CONF.max_request_body_size``),
    else 0: no body, a chunked one, a malformed length, or one the sizelimit filter will refuse unread."""
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0
    return length if 0 < length <= CONF.max_request_body_size else 0


class RequestHandler(simple_server.WSGIRequestHandler):
    """wsgiref's handler without its access log: ``request_log`` logs each request."""

    def setup(self) -> None:
        """Every read on the connection gives up after ``CONF.client_socket_timeout`` seconds of silence,
        so a client that sends half a request and stops does not hold a worker for ever."""
        self.timeout = CONF.client_socket_timeout
        super().setup()

    def handle(self) -> None:
        """wsgiref's ``handle``, plus chunked request bodies and ``wsgi.multithread``."""
        self.raw_requestline = self.rfile.readline(65537)
        if len(self.raw_requestline) > 65536:
            self.requestline = self.request_version = self.command = ""
            self.send_error(414)
            return
        if not self.parse_request():
            return
        environ = self.get_environ()
        stdin = self.rfile
        chunked = environ.get("HTTP_TRANSFER_ENCODING", "").lower() == "chunked"
        length = 0 if chunked else _declared_length(environ)  # chunked framing wins over a Content-Length
        if length:
            # Read a body the API will accept here, under the socket's timeout: the app then never waits on a
            # slow client. A bigger one is left unread for the sizelimit filter to refuse from its header.
            try:
                data = self.rfile.read(length)
            except TimeoutError:
                LOG.debug("%s sent a %d-byte body too slowly: connection closed", self.address_string(), length)
                return
            if len(data) < length:
                return  # the client hung up mid-body: nobody is left to answer
            stdin = io.BytesIO(data)
        if chunked:
            stdin = _ChunkedInput(self.rfile)
            environ.pop("CONTENT_LENGTH", None)
            environ["wsgi.input_terminated"] = True  # "read to EOF" is safe now
        handler = simple_server.ServerHandler(stdin, self.wfile, self.get_stderr(), environ, multithread=True)
        handler.request_handler = self
        handler.run(self.server.get_app())

    def log_message(self, format: str, *args: Any) -> None:
        LOG.debug("%s - " + format, self.address_string(), *args)


class ServerWithThreadPool(simple_server.WSGIServer):
    """A wsgiref server that hands every connection to a fixed pool of threads.

    ``socketserver.ThreadingMixIn`` would start one thread per connection with
    no upper bound; Nova bounds its workers with a GreenPool, we with this pool.
    """

    def __init__(self, address: tuple[str, int], pool_size: int, backlog: int,
                 around_connection: ConnectionRunner | None = None,
                 protocol: type[RequestHandler] | None = None) -> None:
        self.request_queue_size = backlog
        self._pool = ThreadPoolExecutor(max_workers=pool_size, thread_name_prefix="sample-api-worker")
        #: the connections handed to the pool and not finished yet (``close_pool`` waits for them)
        self._in_flight: set[Future] = set()
        self._in_flight_lock = threading.Lock()
        self._around_connection = around_connection
        super().__init__(address, protocol or RequestHandler)

    def process_request(self, request: Any, client_address: Any) -> None:
        future = self._pool.submit(self._process_request_in_worker, request, client_address)
        with self._in_flight_lock:
            self._in_flight.add(future)
        future.add_done_callback(self._finished)

    def _finished(self, future: Future) -> None:
        with self._in_flight_lock:
            self._in_flight.discard(future)

    def _process_request_in_worker(self, request: Any, client_address: Any) -> None:
        if self._around_connection is None:
            self.serve_connection(request, client_address)
        else:
            self._around_connection(functools.partial(self.serve_connection, request, client_address))

    def serve_connection(self, request: Any, client_address: Any) -> None:
        """On a worker: read one HTTP request from the connection, call the app, write its answer, hang up."""
        try:
            self.finish_request(request, client_address)
        except Exception:
            self.handle_error(request, client_address)
        finally:
            self.shutdown_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        LOG.debug("Connection from %s ended with an error", client_address, exc_info=True)

    def close_pool(self, wait: bool) -> None:
        """Take no more connections; ``wait``: return once every connection handed over is finished.

        It waits on the connections' futures rather than joining the threads: on Python 3.11 and 3.12 an
        exception raised by a signal handler inside Thread.join (Ctrl-C, tracer serve's SIGTERM) can leave
        a thread marked as ended while it still runs, and a later wait would not wait for it.
        """
        self._pool.shutdown(wait=False)
        if wait:
            with self._in_flight_lock:
                in_flight = list(self._in_flight)
            futures.wait(in_flight)
            self._pool.shutdown(wait=True)  # the workers have nothing left to do: they end at once


def _import_eventlet() -> Any:
    """Import eventlet only when asked for: it is an optional dependency."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # eventlet warns that it is deprecated
            import eventlet
            import eventlet.wsgi
    except ImportError as exc:
        raise RuntimeError("the eventlet backend needs eventlet: install with pip install .[eventlet]") from exc
    return eventlet


def _green_pool_around(eventlet: Any, size: int, around_connection: ConnectionRunner) -> Any:
    """A ``GreenPool`` whose green threads each run their work (one connection) through ``around_connection``.

    ``eventlet.wsgi.server`` spawns one green thread per connection on the pool it is given; wrapping the
    pool's ``spawn`` is how a tool gets to stand around that green thread's whole life, from the accepted
    socket to the answer written, without touching eventlet's code.
    """

    class GreenPoolAroundConnection(eventlet.GreenPool):
        def spawn(self, function: Callable, *args: Any, **kwargs: Any) -> Any:
            work = functools.partial(function, *args, **kwargs)
            return super().spawn(around_connection, work)

    return GreenPoolAroundConnection(size)


class Server:
    """Serve one WSGI app on one socket, as ``nova.wsgi.Server`` does.

    The socket is bound in ``__init__`` (so ``.port`` is known at once and a
    busy port fails early); ``start()`` begins accepting in a background
    thread; ``stop()`` stops accepting; ``wait()`` blocks until it is done.
    ``protocol`` (threaded backend only) is the class that reads each request,
    a :class:`RequestHandler` (Nova's server takes eventlet's ``HttpProtocol``
    the same way). ``around_connection`` is handed each connection's work on
    its worker (a pool thread, or under eventlet the green thread spawned for
    the connection), to run it: ``tracer serve`` starts recording there, so a
    trace begins with the server's own frames rather than with the app. Under
    eventlet it also turns keep-alive off, so that, as with the threaded
    server, each connection carries one request and so one trace.
    """

    def __init__(
        self,
        name: str,
        app: WSGIApp,
        host: str = "127.0.0.1",
        port: int = 8774,
        pool_size: int | None = None,
        backlog: int = DEFAULT_BACKLOG,
        backend: str = "threaded",
        around_connection: ConnectionRunner | None = None,
        protocol: type[RequestHandler] | None = None,
    ) -> None:
        if backend not in BACKENDS:
            raise ValueError(f"unknown server backend {backend!r}; choose one of {', '.join(BACKENDS)}")
        if backlog < 1:
            raise ValueError("The backlog must be more than 0")
        if protocol is not None and backend != "threaded":
            raise ValueError("protocol needs the threaded backend")
        if protocol is not None and not (isinstance(protocol, type) and issubclass(protocol, RequestHandler)):
            raise ValueError("protocol must be a subclass of sample_api.wsgi.RequestHandler")
        self.name = name
        self.app = app
        self.backend = backend
        self.pool_size = pool_size or DEFAULT_POOL_SIZE
        self.backlog = backlog
        self._around_connection = around_connection
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()
        #: set by the server's thread as its very last step (see ``wait``)
        self._finished = threading.Event()
        try:
            if backend == "eventlet":
                self._eventlet = _import_eventlet()
                self._socket = self._eventlet.listen((host, port), backlog=backlog)
                self.host, self.port = self._socket.getsockname()[:2]
            else:
                self._server = ServerWithThreadPool((host, port), self.pool_size, backlog, around_connection,
                                                    protocol)
                self._server.set_app(app)
                self.host, self.port = self._server.server_address[:2]
        except OSError:
            LOG.error("Could not bind to %s:%s", host, port)
            raise
        LOG.info("%s listening on %s:%s (%s backend)", self.name, self.host, self.port, backend)

    def start(self) -> None:
        """Start accepting connections in a background thread."""
        target = self._run_eventlet if self.backend == "eventlet" else self._run_threaded
        self._thread = threading.Thread(target=self._run_then_say_finished, args=(target,),
                                        name=f"{self.name}-server", daemon=True)
        self._thread.start()

    def _run_then_say_finished(self, run: Callable[[], None]) -> None:
        try:
            run()
        finally:
            self._finished.set()

    def _run_threaded(self) -> None:
        self._server.serve_forever(poll_interval=0.1)

    def _run_eventlet(self) -> None:
        """Run ``eventlet.wsgi.server`` with a ``GreenPool`` on this thread's hub.

        Nova spawns the server as a green thread of the main hub; we give the
        hub its own OS thread so that ``stop()`` can be called from anywhere.
        """
        import greenlet  # installed with eventlet

        eventlet = self._eventlet
        if self._around_connection is None:
            pool = eventlet.GreenPool(self.pool_size)
        else:
            pool = _green_pool_around(eventlet, self.pool_size, self._around_connection)
        server = eventlet.spawn(
            eventlet.wsgi.server,
            self._socket,
            self.app,
            custom_pool=pool,
            keepalive=self._around_connection is None,  # watched: one request per connection
            # eventlet ends every body properly (chunked ones too): tell webob so.
            environ={"wsgi.input_terminated": True},
            log=LOG,
            log_output=False,  # request_log already logs one line per request
            socket_timeout=CONF.client_socket_timeout,  # a half-sent request does not hold a green thread
            debug=False,  # never send tracebacks to clients
        )
        while not self._stopping.is_set() and not server.dead:
            eventlet.sleep(0.1)
        # GreenletExit at accept(): eventlet.wsgi.server closes idle keep-alive
        # connections, waits for requests in flight, then closes the socket.
        server.kill()
        try:
            server.wait()
        except greenlet.GreenletExit:
            pass  # the normal end of a killed green thread

    def stop(self) -> None:
        """Stop accepting new connections (requests in flight still finish)."""
        LOG.info("Stopping WSGI server %s", self.name)
        self._stopping.set()
        if self.backend == "threaded":
            if self._thread is not None:
                self._server.shutdown()
            self._server.server_close()
        elif self._thread is None:
            self._socket.close()

    def wait(self) -> None:
        """Block until the server has stopped and its workers are idle."""
        if self._thread is not None:
            # Waits on an event, not on Thread.join: on Python 3.11 and 3.12 an exception raised by a signal
            # handler (Ctrl-C, or tracer serve's SIGTERM) inside join() can leave the thread marked as ended
            # while it still runs, and the process would then exit under eventlet's green threads (which run
            # on this thread), still finishing the requests in flight.
            while not self._finished.wait(0.5):  # a short timeout keeps Ctrl-C responsive
                pass
            self._thread.join()
        if self.backend == "threaded":
            self._server.close_pool(wait=True)


# --------------------------------------------------------------------------
# Apps, filters, router, loader
# --------------------------------------------------------------------------


class Request(webob.Request):
    """The framework-wide request class; ``api.openstack.wsgi.Request`` adds caching."""


class Application:
    """Base WSGI app: paste builds it through ``factory``."""

    @classmethod
    def factory(cls, global_config: dict, **local_config: str) -> Application:
        """Used by ``paste.app_factory = module:Class.factory`` in api-paste.ini."""
        return cls(**local_config)

    @webob.dec.wsgify(RequestClass=Request)
    def __call__(self, req: Request) -> webob.Response:
        raise NotImplementedError("You must implement __call__")


class Middleware(Application):
    """Base paste filter: wraps the next app and may answer early.

    ``process_request`` returning a response short-circuits the pipeline;
    ``process_response`` may change what the inner app answered.
    """

    @classmethod
    def factory(cls, global_config: dict, **local_config: str) -> Callable[[WSGIApp], Middleware]:
        """Used by ``paste.filter_factory = module:Class.factory`` in api-paste.ini."""

        def _factory(app: WSGIApp) -> Middleware:
            return cls(app, **local_config)

        return _factory

    def __init__(self, application: WSGIApp) -> None:
        self.application = application

    def process_request(self, req: Request) -> webob.Response | None:
        """Return a response to stop here, or None to call the next app."""
        return None

    def process_response(self, response: webob.Response) -> webob.Response:
        """Change or replace what the next app answered."""
        return response

    @webob.dec.wsgify(RequestClass=Request)
    def __call__(self, req: Request) -> webob.Response:
        response = self.process_request(req)
        if response:
            return response
        response = req.get_response(self.application)
        return self.process_response(response)


class Router:
    """Turn a URL into a controller through a ``routes.Mapper``.

    ``RoutesMiddleware`` matches the URL and stores the result in
    ``environ['wsgiorg.routing_args']``, then calls ``_dispatch``, which
    returns the matched controller (a ``Resource``) as the next WSGI app.
    """

    def __init__(self, mapper: routes.Mapper) -> None:
        self.map = mapper
        self._router = routes.middleware.RoutesMiddleware(self._dispatch, self.map)

    @webob.dec.wsgify(RequestClass=Request)
    def __call__(self, req: Request) -> WSGIApp:
        return self._router

    @staticmethod
    @webob.dec.wsgify(RequestClass=Request)
    def _dispatch(req: Request) -> WSGIApp | webob.exc.HTTPException:
        match = req.environ["wsgiorg.routing_args"][1]
        if not match:
            # A plain webob error, not a Fault: no route, no controller.
            return webob.exc.HTTPNotFound()
        app = match["controller"]
        return app


class Loader:
    """Build WSGI apps from a PasteDeploy ini file (``nova.wsgi.Loader``)."""

    def __init__(self, config_path: str | None = None) -> None:
        if config_path is None:
            from sample_api.conf import CONF

            config_path = CONF.api_paste_config
        if not os.path.isfile(config_path):
            raise exception.ConfigNotFound(path=config_path)
        self.config_path = os.path.abspath(config_path)

    def load_app(self, name: str) -> WSGIApp:
        """Return the app (or composite) called ``name`` in the ini file."""
        try:
            LOG.debug("Loading app %s from %s", name, self.config_path)
            return deploy.loadapp(f"config:{self.config_path}", name=name)
        except LookupError:
            LOG.exception("Couldn't lookup app: %s", name)
            raise exception.PasteAppNotFound(name=name, path=self.config_path) from None
