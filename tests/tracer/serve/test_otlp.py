"""``tracer serve --otlp-endpoint``: each request reaches a real OTLP/HTTP receiver as one span tree.

The receiver is an HTTP server started here on 127.0.0.1 that decodes what it is sent with
opentelemetry-proto, as a collector would. The spans are checked against the traces the same server
stored: one span per hop, each under the span of its caller, with the hop's layer, function, file and line,
and no secret anywhere in the bytes that left the process.
"""

from __future__ import annotations

import gzip
import http.client
import json
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.tracer.serve.test_serve import ServeProcess
from tracer.cli.main import main
from tracer.model.trace import Trace
from tracer.store.traces import TraceStore

trace_service = pytest.importorskip("opentelemetry.proto.collector.trace.v1.trace_service_pb2")

TOKEN = "otlpuser:otlpproject"  # the X-Auth-Token: a secret as a whole
ADMIN_PASS = "Canary-0tlp-never-exported"


class Receiver:
    """An OTLP/HTTP traces endpoint: keeps each request's raw bytes and its decoded spans."""

    def __init__(self) -> None:
        self.raw: list[bytes] = []
        self.spans: list = []
        self.paths: list[str] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                if self.headers.get("Content-Encoding") == "gzip":
                    body = gzip.decompress(body)
                request = trace_service.ExportTraceServiceRequest.FromString(body)
                with lock:
                    receiver.raw.append(body)
                    receiver.paths.append(self.path)
                    for resource_spans in request.resource_spans:
                        for scope_spans in resource_spans.scope_spans:
                            receiver.spans.extend(scope_spans.spans)
                reply = trace_service.ExportTraceServiceResponse().SerializeToString()
                self.send_response(200)
                self.send_header("Content-Type", "application/x-protobuf")
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def log_message(self, *args: object) -> None:
                pass

        lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def roots(self) -> list:
        return [span for span in self.spans if not span.parent_span_id]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def attributes(span) -> dict:
    out = {}
    for kv in span.attributes:
        value = kv.value
        out[kv.key] = value.string_value if value.HasField("string_value") else value.int_value
    return out


def request(port: int, method: str, path: str, body: dict | None = None) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    data = json.dumps(body).encode() if body is not None else None
    headers = {"X-Auth-Token": TOKEN, "Accept": "application/json"}
    if data is not None:
        headers["Content-Type"] = "application/json"
    conn.request(method, path, body=data, headers=headers)
    status = conn.getresponse().status
    conn.close()
    return status


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


def test_each_request_arrives_as_one_span_tree_with_nothing_secret(tmp_path, receiver):
    serve = ServeProcess(tmp_path, "--otlp-endpoint", f"http://127.0.0.1:{receiver.port}")
    try:
        assert "OTLP spans" in serve.log
        assert request(serve.port, "GET", "/v2.1/servers/detail") == 200  # kept as a recipe, built when idle
        created = {"server": {"name": "otlp-web", "flavorRef": "1", "imageRef": "e9d98eb1-4218-4508-ae7d-52f850e0be7c",
                              "adminPass": ADMIN_PASS}}
        assert request(serve.port, "POST", "/v2.1/servers", created) == 202  # recorded while it runs
        deadline = time.monotonic() + 90
        while len(receiver.roots()) < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        assert serve.stop() == 0
    assert receiver.paths and set(receiver.paths) == {"/v1/traces"}  # the default OTLP/HTTP path was added

    roots = receiver.roots()
    assert sorted(attributes(r)["http.request.method"] for r in roots) == ["GET", "POST"]
    by_id = {span.span_id: span for span in receiver.spans}
    for span in receiver.spans:
        if span.parent_span_id:
            parent = by_id[span.parent_span_id]
            assert parent.trace_id == span.trace_id  # a tree per request, never across requests
            assert parent.start_time_unix_nano <= span.start_time_unix_nano
            assert span.end_time_unix_nano <= parent.end_time_unix_nano
    assert len({r.trace_id for r in roots}) == 2

    with TraceStore(str(tmp_path / "store")) as store:
        stored = [Trace.from_dict(store.get(row.id)) for row in store.list(last=10)]
    for trace in stored:
        root = next(r for r in roots if attributes(r).get("openstack.request_id") == trace.meta["request_id"])
        assert root.kind == root.SPAN_KIND_SERVER
        assert attributes(root)["http.response.status_code"] == trace.status
        spans = [s for s in receiver.spans if s.trace_id == root.trace_id and s is not root]
        # one span per hop (comprehensions are part of their function), under the span of its caller
        hops = [c for c in trace.calls if not trace.code(c).is_inline]
        assert len(spans) == len(hops)

        def caller(call: int, trace: Trace = trace) -> str:
            parent = trace.parent[call]
            while parent >= 0 and trace.code(parent).is_inline:
                parent = trace.parent[parent]
            return trace.code(parent).qualname if parent >= 0 else trace.request_line.partition("?")[0]

        expected = Counter((trace.code(c).qualname, caller(c)) for c in hops)
        got = Counter((s.name, by_id[s.parent_span_id].name) for s in spans)
        assert got == expected
        for span in spans:
            attrs = attributes(span)
            code = next(trace.code(c) for c in hops if trace.code(c).qualname == span.name
                        and attrs["code.function.name"] == f"{trace.code(c).module}.{trace.code(c).qualname}")
            assert attrs["tracer.layer"] == code.layer
            assert attrs["code.file.path"] == code.filename
            assert attrs["code.line.number"] == code.firstlineno
    names = {s.name for s in receiver.spans}
    assert {"NoAuthMiddleware.__call__", "Resource._process_stack", "ServersController.detail",
            "ServersController.create"} <= names

    everything = b"".join(receiver.raw)
    assert ADMIN_PASS.encode() not in everything
    assert TOKEN.encode() not in everything


def test_a_bad_endpoint_is_one_line(capsys):
    for bad in ("ftp://collector:4318", "collector:4318", "http://:4318", "http://127.0.0.1:99999"):
        assert main(["serve", "--port", "0", "--otlp-endpoint", bad]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and err.startswith("tracer: error: --otlp-endpoint"), err
