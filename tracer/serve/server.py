"""``tracer serve``: sample_api on a real socket with every request recorded into the trace store.

Engine-side wiring (no rich, no Textual): the sample_api app, wrapped by the recorder, served by
``sample_api.wsgi.Server`` (threaded or eventlet). Each finished trace goes onto a queue; one writer
thread compresses it, commits it to the :class:`~tracer.store.traces.TraceStore` and logs one line naming its
id. The request thread only hands the document over, so a slow disk never holds a request (or, under
eventlet, the whole hub) and the CPU-heavy encoding runs beside the next request, not in front of it.

With ``detail="rerun"`` (the command's default) read-only requests are stored as recipes
(:mod:`tracer.targets.recipes`) and an :class:`IdleReplayer` builds their traces once the server has had nothing
to do for a moment; every other request is recorded line by line while it runs.

With ``detail="line"`` or ``"call"``, recording starts on the server's worker before it reads the request
(:mod:`tracer.serve.connections`), so each trace begins with the server's own frames: a pool thread's
``ServerWithThreadPool.serve_connection``, or under eventlet the green thread's ``eventlet.wsgi`` frames
(``Server.process_request``, ``HttpProtocol``), that module being recorded too. A re-run trace (``rerun``) begins
at the app.
"""

from __future__ import annotations

import ipaddress
import logging
import queue
import signal
import threading
from collections.abc import Callable, Sequence
from typing import Any

from tracer.model.redaction import RedactingFilter
from tracer.record.recorder import DEFAULT_INCLUDE, Recorder
from tracer.serve.connections import EVENTLET_SERVER, ConnectionRecorder
from tracer.serve.deltas import ServedDeltas
from tracer.serve.otlp import OtlpExporter
from tracer.store.traces import DEFAULT_MAX_TRACES, EncodedTrace, StoreError, TraceStore, encode_doc
from tracer.targets import recipes
from tracer.targets.choose import target_named
from tracer.targets.sample_api import load_sample_api, make_server, max_request_body_size

LOG = logging.getLogger("tracer.serve")

#: Traces waiting for the writer; when it falls this far behind, requests wait (backpressure, not memory).
QUEUE_SIZE = 256
#: How recording can go: ``rerun`` keeps read-only requests as recipes and records the others line by line.
DETAILS = ("rerun", "line", "call")
_RECORDING = {
    "rerun": "read-only requests kept to be re-run line by line when idle, the others recorded line by line",
    "line": "line-level recording",
    "call": "call-level recording",
}
#: How long the server must have had no request before the replayer builds a trace (seconds).
IDLE_SECONDS = 0.5

_STOP = object()


class Stop(Exception):
    """Raised in the main thread by the SIGTERM handler, so that SIGTERM stops the server as Ctrl-C does."""


def raise_stop(signum: int, frame: Any) -> None:
    raise Stop()


def is_loopback(host: str) -> bool:
    """True for 127.0.0.0/8, ::1 and ``localhost``: only this machine can connect."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def format_trace_line(trace_id: int, summary: tuple) -> str:
    """``trace 42: GET /v2.1/servers/detail 200 12.3 ms (user admin, project admin)`` from ``store.summarize``.

    Never ``user:project``: under noauth2 that is the very X-Auth-Token the client sent.
    """
    _at, user, project, method, path, status, duration_us, _hops, _events, _rid = summary
    who = f"user {user}, project {project}" if user else "anonymous"
    return f"trace {trace_id}: {method} {path} {status} {duration_us / 1000:.1f} ms ({who})"


class TraceWriter:
    """Stores every trace handed to :meth:`submit`, then reports its id through ``on_stored``.

    ``background=True``: one writer thread behind a bounded queue, so the request only hands the
    document over. ``background=False``: stored in the caller's thread before the response goes
    out. ``on_stored(trace_id, summary)`` runs after the commit; a trace that cannot be stored is
    logged and dropped (the API keeps answering).
    """

    def __init__(self, store: TraceStore, on_stored: Callable[[int, tuple], None] | None = None,
                 background: bool = True, queue_size: int = QUEUE_SIZE,
                 on_doc: Callable[[dict], None] | None = None) -> None:
        self.store = store
        self.on_stored = on_stored
        self.on_doc = on_doc  # also given each whole trace, in the writer thread (the OTLP export)
        self.stored = 0
        self.failed = 0
        self._count_lock = threading.Lock()
        self._queue: queue.Queue | None = None
        self._thread: threading.Thread | None = None
        if background:
            self._queue = queue.Queue(maxsize=queue_size)
            self._thread = threading.Thread(target=self._run, name="tracer-store-writer", daemon=True)
            self._thread.start()

    def submit(self, doc: dict | recipes.Recipe) -> None:
        """The recorder's ``on_trace`` (and the recipe recorder's ``on_recipe``): queue it or store it now.

        Queueing waits only when the queue is full.
        """
        if self._queue is not None:
            self._queue.put(doc)
        else:
            self._store(doc)

    def close(self) -> None:
        """Store everything queued, then stop the thread."""
        if self._queue is not None and self._thread is not None:
            self._queue.put(_STOP)
            self._thread.join()
            self._thread = None

    def _run(self) -> None:
        assert self._queue is not None
        while True:
            doc = self._queue.get()
            if doc is _STOP:
                return
            self._store(doc)

    def _store(self, doc: dict | recipes.Recipe) -> None:
        try:
            if isinstance(doc, recipes.Recipe):
                summary = doc.summary
                trace_id = self.store.add_recipe(doc)
            else:
                encoded: EncodedTrace = encode_doc(doc)
                summary = encoded.summary
                trace_id = self.store.add_encoded(encoded)
        except Exception as exc:  # noqa: BLE001 - one bad trace must not stop the server
            with self._count_lock:
                self.failed += 1
            if isinstance(doc, recipes.Recipe):
                method, path = doc.summary[3], doc.summary[4]
            else:
                request = doc.get("request") or {}
                method, path = request.get("method"), request.get("path")
            LOG.error("could not store the trace of %s %s: %s", method, path, exc)
            return
        with self._count_lock:
            self.stored += 1
        if self.on_doc is not None and not isinstance(doc, recipes.Recipe):
            self.on_doc(doc)
        if self.on_stored is not None:
            try:
                self.on_stored(trace_id, summary)
            except Exception:  # noqa: BLE001
                LOG.exception("on_stored failed for trace %s", trace_id)


class IdleReplayer:
    """Builds the traces of the recipes in the store, newest first, while the server has nothing to do.

    A build re-runs the request line by line (tens of times the request's own time) on the server's own
    app: done between requests, it never slows one down for long; one that fails is logged and left as a
    recipe (``tracer show ID`` says why).
    """

    def __init__(self, store: TraceStore, activity: recipes.Activity, idle_seconds: float = IDLE_SECONDS,
                 on_doc: Callable[[dict], None] | None = None) -> None:
        self.store = store
        self.on_doc = on_doc  # given each trace built
        self.activity = activity
        self.idle_seconds = idle_seconds
        self.built = 0
        self.failed: set[int] = set()
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="tracer-replayer", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        """Stop after the trace being built, if any (a big one takes seconds: say so)."""
        self._stopping.set()
        if self._thread.is_alive():
            self._thread.join(timeout=1.0)
            if self._thread.is_alive():
                LOG.warning("tracer: finishing the trace being built before stopping ...")
                self._thread.join()

    def _run(self) -> None:
        while not self._stopping.wait(self.idle_seconds):
            while not self._stopping.is_set() and self.activity.idle_for(self.idle_seconds):
                waiting = [tid for tid in self.store.pending(last=len(self.failed) + 1) if tid not in self.failed]
                if not waiting:
                    break
                try:
                    doc = self.store.get(waiting[0])
                    self.built += 1
                    if self.on_doc is not None:
                        self.on_doc(doc)
                except StoreError as exc:
                    self.failed.add(waiting[0])
                    LOG.warning("%s", exc)
                except Exception:  # noqa: BLE001 - the replayer must outlive one bad recipe
                    self.failed.add(waiting[0])
                    LOG.exception("building trace %s failed", waiting[0])


class TracedServer:
    """sample_api served over HTTP with recording on (``record=False``: the same server, untraced).

    ``start()``, ``stop()`` (stops accepting, lets requests in flight finish, then stores every queued
    trace) and ``port`` mirror ``sample_api.wsgi.Server``; the benchmark and the tests use it in-process.
    """

    def __init__(
        self,
        store: TraceStore | None,
        host: str = "127.0.0.1",
        port: int = 8774,
        pool_size: int | None = None,
        backlog: int | None = None,
        backend: str = "threaded",
        include: Sequence[str] = DEFAULT_INCLUDE,
        detail: str = "rerun",
        db_path: str | None = None,
        extensions_dir: str | None = None,
        on_stored: Callable[[int, tuple], None] | None = None,
        record: bool = True,
        background_writer: bool | None = None,
        target: str = "sample_api",
        otlp_endpoint: str | None = None,
    ) -> None:
        self.store = store
        self.exporter = OtlpExporter(otlp_endpoint) if otlp_endpoint and record else None
        on_doc = self.exporter.export if self.exporter is not None else None
        chosen = None
        if target == "sample_api":
            app = load_sample_api(db_path, extensions_dir)
        else:  # another app (real Nova): no recipes to re-run, so "rerun" records each request line by line
            chosen = target_named(target)
            app, _twin = chosen.load_twins(db_path, extensions_dir)
            detail = "line" if detail == "rerun" else detail
        self.writer: TraceWriter | None = None
        self.recorder: Recorder | None = None
        self.replayer: IdleReplayer | None = None
        self.deltas: ServedDeltas | None = None
        self.connections: ConnectionRecorder | None = None
        around_connection = None
        self._recorded_app = app
        if record:
            if store is None:
                raise ValueError("recording needs a store")
            if detail not in DETAILS:
                raise ValueError(f"detail must be one of {', '.join(DETAILS)}")
            labels = chosen.labels if chosen is not None else None
            # The trace starts on the server's worker, before the request is read: its own frames come first.
            from_the_server = detail != "rerun" and chosen is None
            recorded = tuple(include)
            if from_the_server and backend == "eventlet":
                recorded += (EVENTLET_SERVER,)  # the server's frames there are eventlet's own code
            self.recorder = Recorder(include=recorded, detail="line" if detail == "rerun" else detail,
                                     labels=labels, max_request_body=max_request_body_size())
            if background_writer is None:
                background_writer = backend != "eventlet"
            self.writer = TraceWriter(store, on_stored, background=background_writer, on_doc=on_doc)
            served = app
            self.deltas = ServedDeltas(served)  # each request's deltas go with its trace or its recipe
            submit = self.writer.submit
            if chosen is not None:
                stamp, writer = chosen.stamp, self.writer
                submit = lambda doc: writer.submit(stamp(doc))  # noqa: E731
            if from_the_server:
                self.connections = ConnectionRecorder(self.recorder, self.deltas.app, self.deltas.attach(submit))
                app = self.connections.app
                around_connection = self.deltas.around(self.connections.run)
            else:
                # a request recorded live gets the deltas it saw; a recipe gets those of its re-run, when built
                app = self.deltas.watched(self.recorder.wrap(self.deltas.app, self.deltas.attach(submit)))
            if detail == "rerun":
                activity = recipes.Activity()
                app = recipes.RecipeRecorder(served, app, self.writer.submit, include,
                                             recipes.code_digests(include), extensions_dir, activity)
                store.builder = recipes.ServedAppBuilder(served)
                self.replayer = IdleReplayer(store, activity, on_doc=on_doc)
        kwargs: dict[str, Any] = {"pool_size": pool_size, "backend": backend}
        if around_connection is not None:
            kwargs["around_connection"] = around_connection
        if backlog is not None:
            kwargs["backlog"] = backlog
        try:
            self.server = make_server(app, host=host, port=port, **kwargs)
        except BaseException:
            if self.writer is not None:
                self.writer.close()
            if self.deltas is not None:
                self.deltas.close()
            raise
        self.host, self.port = self.server.host, self.server.port
        self._stopped = False
        self._installed = False

    def start(self) -> None:
        if self.recorder is not None:
            self.recorder.install(self._recorded_app)
            self._installed = True
        self.server.start()
        if self.replayer is not None:
            self.replayer.start()

    def wait(self) -> None:
        self.server.wait()

    def stop(self) -> None:
        """Stop accepting, finish the requests in flight, store every trace still queued."""
        if self._stopped:
            return
        self._stopped = True
        self.server.stop()
        self.server.wait()
        if self.replayer is not None:
            self.replayer.stop()
        if self._installed and self.recorder is not None:
            self._installed = False
            self.recorder.uninstall()
        if self.writer is not None:
            self.writer.close()
        if self.deltas is not None:
            self.deltas.close()
        if self.exporter is not None:
            self.exporter.shutdown()


def setup_logging(debug: bool = False) -> None:
    """One line per request on stderr: the trace lines; sample_api itself speaks only at WARNING."""
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(message)s", datefmt="%H:%M:%S"))
    handler.addFilter(RedactingFilter())  # sample_api's lines, webob's, ours: no secret at any level
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.DEBUG if debug else logging.WARNING)
    LOG.setLevel(logging.INFO)


def serve(
    store_dir: str | None = None,
    max_traces: int = DEFAULT_MAX_TRACES,
    host: str = "127.0.0.1",
    port: int = 8774,
    pool_size: int | None = None,
    backlog: int | None = None,
    backend: str = "threaded",
    include: Sequence[str] = DEFAULT_INCLUDE,
    detail: str = "rerun",
    db_path: str | None = None,
    extensions_dir: str | None = None,
    say: Callable[[str], None] | None = None,
    target: str = "sample_api",
    otlp_endpoint: str | None = None,
) -> int:
    """Run until Ctrl-C or SIGTERM; returns the exit status. Raises StoreError / OSError before serving."""
    say = say or (lambda text: LOG.warning("%s", text))
    store = TraceStore(store_dir, max_traces=max_traces)
    if not is_loopback(host):
        LOG.warning(
            "!!! tracer serve is listening on %s, not loopback: anyone who can reach it can use the API "
            "(any 'admin:admin' token is admin) and every request body lands in %s. !!!", host, store.file,
        )

    def on_stored(trace_id: int, summary: tuple) -> None:
        LOG.info("%s", format_trace_line(trace_id, summary))

    try:
        server = TracedServer(store, host=host, port=port, pool_size=pool_size, backlog=backlog, backend=backend,
                              include=include, detail=detail, db_path=db_path, extensions_dir=extensions_dir,
                              on_stored=on_stored, target=target, otlp_endpoint=otlp_endpoint)
    except BaseException:
        store.close()
        raise
    previous = signal.signal(signal.SIGTERM, raise_stop)
    server.start()
    say(f"tracer: serving the compute API on http://{server.host}:{server.port}/v2.1 ({backend} server, "
        f"{_RECORDING[detail] if target == 'sample_api' or detail != 'rerun' else _RECORDING['line']}, "
        f"target {target}); traces go to {store.file}; Ctrl-C to stop")
    if server.exporter is not None:
        say(f"tracer: each trace also goes to {server.exporter.url} as OTLP spans (one per hop)")
    try:
        server.wait()
    except (KeyboardInterrupt, Stop):
        pass
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)  # a second SIGTERM must not cut the final flush
        try:
            server.stop()
        except (KeyboardInterrupt, Stop):
            pass
        signal.signal(signal.SIGTERM, previous)
        stored = server.writer.stored if server.writer else 0
        waiting = len(store.pending()) if server.replayer is not None else 0
        store.close()
    later = f"; {waiting} not built yet, each is built when first opened" if waiting else ""
    say(f"tracer: stopped ({stored} traces stored this run{later})")
    return 0


__all__ = ["StoreError", "TraceWriter", "TracedServer", "format_trace_line", "is_loopback", "serve"]
