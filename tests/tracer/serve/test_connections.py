"""Traces recorded from the server's first frame: ``tracer serve --detail line`` on either server.

The threaded server's worker is a pool thread; eventlet's is the green thread spawned for the connection,
and every green thread shares one OS thread, so keeping concurrent requests apart is the recorder's work.
A real server on 127.0.0.1 (port 0), real HTTP clients, a real store; the traces are read back from it.
"""

from __future__ import annotations

import http.client
import re
import socket
import threading

import pytest

from tracer.model.trace import CALL, Trace
from tracer.serve.server import TracedServer
from tracer.store.traces import TraceStore


def get(port: int, path: str) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request("GET", path, headers={"X-Auth-Token": "admin:admin", "Accept": "application/json"})
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def calls(trace: Trace) -> list[tuple[int, str]]:
    """(depth, qualname) of every recorded call, in order."""
    return [(len(trace.stack(i)), trace.code(i).qualname) for i in range(len(trace)) if trace.kinds[i] == CALL]


#: What each backend's trace starts with, and the hop that reads one request and calls the app.
ROOT = {"threaded": "ServerWithThreadPool.serve_connection", "eventlet": "Server.process_request"}
HANDLE = {"threaded": "RequestHandler.handle", "eventlet": "HttpProtocol.handle_one_request"}


def serving(tmp_path, backend: str):
    store = TraceStore(str(tmp_path / "store"))
    stored: list[int] = []
    server = TracedServer(store, port=0, detail="line", backend=backend,
                          on_stored=lambda tid, _summary: stored.append(tid))
    server.start()
    try:
        yield server, store, stored
    finally:
        server.stop()
        store.close()


@pytest.fixture(params=["threaded", "eventlet"])
def served(tmp_path, request):
    """Either server; the test learns which from ``served[0].server.backend``."""
    yield from serving(tmp_path, request.param)


@pytest.fixture
def threaded(tmp_path):
    yield from serving(tmp_path, "threaded")


@pytest.fixture
def green(tmp_path):
    yield from serving(tmp_path, "eventlet")


def test_a_served_request_is_traced_from_the_worker_taking_the_connection(threaded):
    server, store, stored = threaded
    assert get(server.port, "/v2.1/servers/detail") == 200
    server.stop()
    assert len(stored) == 1
    trace = Trace.from_dict(store.get(stored[0]))
    hops = calls(trace)
    assert hops[0] == (1, "ServerWithThreadPool.serve_connection")
    assert (2, "RequestHandler.handle") in hops
    # the app runs inside the handler: URLMap is called from handle, one level down
    urlmap = hops.index((3, "URLMap.__call__"))
    assert hops[urlmap - 1][1] in ("RequestHandler.handle", "_declared_length")
    assert [depth for depth, _name in hops].count(1) == 1  # one root: the connection
    assert trace.layer(0) == "server"
    assert trace.request_line == "GET /v2.1/servers/detail"
    assert trace.status == 200


def test_concurrent_requests_make_one_trace_each_with_its_own_request(served):
    server, store, stored = served
    paths = [f"/v2.1/{what}" for what in ("servers/detail", "flavors", "flavors/detail", "servers") for _ in range(3)]
    statuses: list[int] = []
    threads = [threading.Thread(target=lambda p=p: statuses.append(get(server.port, p))) for p in paths]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    server.stop()
    assert statuses == [200] * len(paths)
    assert len(stored) == len(paths)
    lines = []
    for tid in stored:
        trace = Trace.from_dict(store.get(tid))
        hops = calls(trace)
        assert hops[0] == (1, ROOT[server.server.backend])
        assert [depth for depth, _name in hops].count(1) == 1
        assert [name for _depth, name in hops].count(HANDLE[server.server.backend]) == 1
        assert [name for _depth, name in hops].count("URLMap.__call__") == 1
        lines.append(trace.request_line)
    assert sorted(lines) == sorted(f"GET {p}" for p in paths)


def test_a_connection_refused_before_the_app_makes_no_trace_and_the_server_goes_on(served):
    server, _store, stored = served
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as sock:
        sock.sendall(b"GET / HTTP/1.1 and more\r\n\r\n")
        answer = b""
        while chunk := sock.recv(4096):
            answer += chunk
        assert b"Error code: 400" in answer  # the server's request handler answers it; the app never sees it
    assert get(server.port, "/v2.1/flavors") == 200
    server.stop()
    assert len(stored) == 1


def test_under_eventlet_a_trace_starts_at_the_green_thread_serving_the_connection(green):
    server, store, stored = green
    assert get(server.port, "/v2.1/servers/detail") == 200
    server.stop()
    assert len(stored) == 1
    trace = Trace.from_dict(store.get(stored[0]))
    hops = calls(trace)
    # eventlet.wsgi.server spawns Server.process_request on a green thread for the connection
    assert hops[:3] == [(1, "Server.process_request"), (2, "HttpProtocol.__init__"), (3, "HttpProtocol.setup")]
    assert trace.code(0).module == "eventlet.wsgi"
    assert (3, "HttpProtocol.handle") in hops and (4, "HttpProtocol.handle_one_request") in hops
    # the environ is built before the app is called, and the app runs inside handle_one_response
    assert hops.index((5, "HttpProtocol.get_environ")) < hops.index((5, "HttpProtocol.handle_one_response"))
    urlmap = hops.index((6, "URLMap.__call__"))
    assert hops[urlmap - 1] == (5, "HttpProtocol.handle_one_response")
    assert [depth for depth, _name in hops].count(1) == 1
    assert trace.layer(0) == "server"
    assert trace.request_line == "GET /v2.1/servers/detail"
    assert trace.status == 200


MARKER = re.compile(rb"green-\d+")


def test_green_threads_waiting_on_each_other_mid_request_keep_their_traces_apart(green):
    """Every connection's green thread stops half way through its headers, and they finish in reverse order.

    So every recording is open at once on the one OS thread, each green thread resuming while the others
    wait: a trace must still hold its own request's frames and values only.
    """
    server, store, stored = green
    count = 6
    sockets = [socket.create_connection(("127.0.0.1", server.port), timeout=30) for _ in range(count)]
    try:
        for n, sock in enumerate(sockets):
            sock.sendall(f"GET /v2.1/servers/detail?name=green-{n} HTTP/1.1\r\nHost: x\r\n".encode())
        for sock in reversed(sockets):
            sock.sendall(b"X-Auth-Token: admin:admin\r\nAccept: application/json\r\n\r\n")
            answer = b""
            while chunk := sock.recv(65536):
                answer += chunk
            assert answer.startswith(b"HTTP/1.1 200 ")
    finally:
        for sock in sockets:
            sock.close()
    server.stop()
    assert len(stored) == count
    seen = []
    for tid in stored:
        trace = Trace.from_dict(store.get(tid))
        hops = calls(trace)
        assert hops[0] == (1, "Server.process_request")
        assert [name for _depth, name in hops].count("HttpProtocol.handle_one_request") == 1
        assert [name for _depth, name in hops].count("URLMap.__call__") == 1
        own = MARKER.search(trace.request["path"].encode()).group(0)
        markers = {m for row in trace.doc["values"] for m in MARKER.findall(str(row[1]).encode())}
        assert markers == {own}, (tid, own, markers)
        seen.append(own.decode())
    # the last connection was answered first, so its trace was stored first
    assert seen == [f"green-{n}" for n in reversed(range(count))]
