"""sample_api.wsgi: a real Server on both backends, and the Middleware/Router/Loader bases."""

from __future__ import annotations

import http.client
import json
import os
import signal
import threading
import urllib.error
import urllib.request

import pytest
import routes
import webob
import webob.dec

from sample_api import exception, wsgi
from sample_api.conf import CONF
from tests.sample_api import fakes

BACKENDS = ["threaded", "eventlet"]


def _eventlet_available():
    try:
        wsgi._import_eventlet()
    except RuntimeError:
        return False
    return True


@pytest.fixture(params=BACKENDS)
def backend(request):
    if request.param == "eventlet" and not _eventlet_available():
        pytest.skip("eventlet is not installed")
    return request.param


@pytest.fixture
def running_server(backend, api_conf, tmp_path):
    """The fake API served on a free port of 127.0.0.1."""
    api_conf.max_request_body_size = 100
    server = wsgi.Server("osapi_compute", fakes.load_fake_app(tmp_path), port=0, pool_size=4, backend=backend)
    server.start()
    yield server
    server.stop()
    server.wait()


def test_server_answers_real_http(running_server):
    assert running_server.port != 0
    req = urllib.request.Request(
        f"http://127.0.0.1:{running_server.port}/v2.1/things/detail", headers={"X-Auth-Token": "admin:admin"}
    )
    with urllib.request.urlopen(req, timeout=10) as resp:
        assert resp.status == 200
        assert json.loads(resp.read())["things"][0]["id"] == "u-1"
        assert resp.headers["x-compute-request-id"].startswith("req-")


def _post_chunked(port, chunks):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    headers = {"X-Auth-Token": "admin:admin", "Content-Type": "application/json"}
    conn.request("POST", "/v2.1/things", body=iter(chunks), headers=headers, encode_chunked=True)
    resp = conn.getresponse()
    result = resp.status, resp.read()
    conn.close()
    return result


def test_server_reads_chunked_bodies(running_server):
    status, body = _post_chunked(running_server.port, [b'{"name":', b' "x"}'])
    assert status == 202
    assert json.loads(body) == {"thing": {"name": "x"}}


def test_server_limits_chunked_bodies(running_server):
    status, _body = _post_chunked(running_server.port, [b"x" * 60, b"x" * 60])
    assert status == 413


def test_server_stops(backend):
    server = wsgi.Server("t", webob.Response(body=b"hi"), port=0, backend=backend)
    server.start()
    url = f"http://127.0.0.1:{server.port}/"
    assert urllib.request.urlopen(url, timeout=10).read() == b"hi"
    server.stop()
    server.wait()
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(url, timeout=2)


class Interrupted(Exception):
    """What the test's signal handler raises, as tracer serve's SIGTERM handler raises its Stop."""


def test_wait_interrupted_by_a_signal_still_waits_for_the_connection_in_flight_later(backend):
    """A signal handler's exception inside ``wait()`` must not make the next ``wait()`` return early.

    Each connection's work ends by holding its worker (a thread, or eventlet's green thread, whose hub then
    waits) until the test lets it go; ``wait()`` is interrupted by a signal meanwhile. The next ``wait()``
    must return only after that work has finished: tracer serve stores the last trace there.
    """
    held, let_go, finished = threading.Event(), threading.Event(), []

    def around_connection(serve_connection):
        serve_connection()
        held.set()
        let_go.wait(60)
        finished.append(True)

    server = wsgi.Server("t", webob.Response(body=b"hi"), port=0, backend=backend,
                         around_connection=around_connection)
    server.start()
    assert urllib.request.urlopen(f"http://127.0.0.1:{server.port}/", timeout=10).read() == b"hi"
    assert held.wait(30)
    server.stop()

    def interrupt(signum, frame):
        raise Interrupted()

    previous = signal.signal(signal.SIGUSR1, interrupt)
    try:
        sender = threading.Timer(0.3, os.kill, (os.getpid(), signal.SIGUSR1))
        sender.start()
        with pytest.raises(Interrupted):
            server.wait()
        sender.join()
    finally:
        signal.signal(signal.SIGUSR1, previous)
    threading.Timer(0.3, let_go.set).start()
    server.wait()
    assert finished == [True]


def test_busy_port_fails_at_construction():
    first = wsgi.Server("a", webob.Response(), port=0)
    try:
        with pytest.raises(OSError):
            wsgi.Server("b", webob.Response(), port=first.port)
    finally:
        first.stop()


def test_unknown_backend_is_refused():
    with pytest.raises(ValueError, match="unknown server backend"):
        wsgi.Server("a", webob.Response(), port=0, backend="gunicorn")


def test_missing_eventlet_gives_install_hint(monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_eventlet(name, *args, **kwargs):
        if name.startswith("eventlet"):
            raise ImportError("No module named 'eventlet'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_eventlet)
    with pytest.raises(RuntimeError, match=r"pip install \.\[eventlet\]"):
        wsgi.Server("a", webob.Response(), port=0, backend="eventlet")


class Tagger(wsgi.Middleware):
    def process_request(self, req):
        if req.path == "/stop":
            return webob.Response(body=b"stopped early")
        return None

    def process_response(self, response):
        response.headers["X-Tagged"] = "yes"
        return response


def test_middleware_process_request_and_response():
    app = Tagger.factory({})(webob.Response(body=b"inner"))
    assert isinstance(app, Tagger)
    resp = webob.Request.blank("/go").get_response(app)
    assert (resp.body, resp.headers["X-Tagged"]) == (b"inner", "yes")
    early = webob.Request.blank("/stop").get_response(app)
    assert early.body == b"stopped early"
    assert "X-Tagged" not in early.headers


def test_router_dispatches_to_matched_controller_or_404():
    @webob.dec.wsgify
    def controller(req):
        return webob.Response(text=repr(req.environ["wsgiorg.routing_args"][1]["action"]))

    mapper = routes.Mapper()
    mapper.connect("/things", controller=controller, action="index")
    router = wsgi.Router(mapper)
    assert webob.Request.blank("/things").get_response(router).text == "'index'"
    missing = webob.Request.blank("/other").get_response(router)
    assert missing.status_int == 404


def test_loader_errors(tmp_path):
    with pytest.raises(exception.ConfigNotFound):
        wsgi.Loader(str(tmp_path / "absent.ini"))
    with pytest.raises(exception.PasteAppNotFound):
        wsgi.Loader(CONF.api_paste_config).load_app("no_such_app")


def test_half_sent_requests_are_dropped_after_the_socket_timeout(backend, api_conf, tmp_path):
    """More half-sent requests than workers: each is dropped after ``client_socket_timeout`` seconds of silence,
    so a normal request that waited behind them is still answered (without the timeout it would wait for
    as long as those clients cared to stay)."""
    import socket
    import time

    api_conf.client_socket_timeout = 1.0
    server = wsgi.Server("osapi_compute", fakes.load_fake_app(tmp_path), port=0, pool_size=2, backend=backend)
    server.start()
    stalled = []
    try:
        for _ in range(6):
            sock = socket.create_connection(("127.0.0.1", server.port), timeout=10)
            sock.sendall(b"POST /v2.1/things HTTP/1.1\r\nHost: x\r\nContent-Length: 50\r\n\r\n{\"half")
            stalled.append(sock)
        started = time.monotonic()
        req = urllib.request.Request(f"http://127.0.0.1:{server.port}/v2.1/things/detail",
                                     headers={"X-Auth-Token": "admin:admin"})
        with urllib.request.urlopen(req, timeout=30) as resp:
            assert resp.status == 200
        assert time.monotonic() - started < 10
        for sock in stalled:  # each dropped (eventlet first answers that the body never came), none served
            answer = sock.recv(1024)
            assert answer == b"" or answer.split(b"\r\n")[0].split(b" ")[1].startswith(b"4"), answer
    finally:
        for sock in stalled:
            sock.close()
        server.stop()
        server.wait()
