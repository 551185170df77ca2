"""Traces recorded from the server's first frame: ``tracer serve --detail line`` on the threaded server.

A real server on 127.0.0.1 (port 0), real HTTP clients, a real store; the traces are read back from it.
"""

from __future__ import annotations

import http.client
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


@pytest.fixture
def served(tmp_path):
    store = TraceStore(str(tmp_path / "store"))
    stored: list[int] = []
    server = TracedServer(store, port=0, detail="line", on_stored=lambda tid, _summary: stored.append(tid))
    server.start()
    try:
        yield server, store, stored
    finally:
        server.stop()
        store.close()


def test_a_served_request_is_traced_from_the_worker_taking_the_connection(served):
    server, store, stored = served
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
        assert hops[0][1] == "ServerWithThreadPool.serve_connection"
        assert [name for _depth, name in hops].count("RequestHandler.handle") == 1
        lines.append(trace.request_line)
    assert sorted(lines) == sorted(f"GET {p}" for p in paths)


def test_a_connection_refused_before_the_app_makes_no_trace_and_the_server_goes_on(served):
    server, _store, stored = served
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as sock:
        sock.sendall(b"GET / HTTP/1.1 and more\r\n\r\n")
        answer = b""
        while chunk := sock.recv(4096):
            answer += chunk
        assert b"Error code: 400" in answer  # wsgiref answers it; the app never sees it
    assert get(server.port, "/v2.1/flavors") == 200
    server.stop()
    assert len(stored) == 1
