"""Per-hop deltas in the traces ``tracer serve`` records: each request's own, stored with its trace (or its recipe),
shown by ``tracer show ID --deltas``, never mixed between concurrent requests and never holding a secret."""

from __future__ import annotations

import json
import re
import threading

import pytest

from tests.tracer.serve.test_serve import ServeProcess, request, stored_rows
from tracer.cli.main import main
from tracer.store.traces import TraceStore
from tracer.targets.recipes import InProcessBuilder

ADMIN_PASS = "Canary-served-delta-S3cret"
IMAGE = "e9d98eb1-4218-4508-ae7d-52f850e0be7c"
THREADS, PER_THREAD = 4, 6
USER = re.compile(r"user_id='(u\d+)'")


def context_added(doc: dict) -> str:
    """What the auth layer's delta says it put in the environ as nova.context."""
    auth = next(entry for entry in doc["deltas"] if entry["hop"].endswith(":NoAuthMiddleware.__call__"))
    return next(new for op, key, _old, new in auth["environ"] if op == "+" and key == "nova.context")


@pytest.mark.timeout(300)
@pytest.mark.parametrize("backend", ["threaded", "eventlet"])
def test_each_served_request_keeps_its_own_deltas(tmp_path, backend, capsys):
    server = ServeProcess(tmp_path, "--pool-size", "8", backend=backend)
    failures: list[str] = []

    def client(t: int) -> None:
        for n in range(PER_THREAD):
            status, _body = request(server.port, "GET", f"/v2.1/servers/detail?name=t{t}-{n}", token=f"u{t}:p{t}")
            if status != 200:
                failures.append(f"t{t}-{n}: HTTP {status}")

    try:
        threads = [threading.Thread(target=client, args=(t,)) for t in range(THREADS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        body = {"server": {"name": "web", "flavorRef": "1", "imageRef": IMAGE, "adminPass": ADMIN_PASS}}
        status, _answer = request(server.port, "POST", "/v2.1/servers", json.dumps(body))
        assert status == 202
    finally:
        assert server.stop() == 0, server.log
    assert failures == []
    for _id, _method, _path, _status, raw in stored_rows(server.store_dir):
        assert ADMIN_PASS.encode() not in raw
    with TraceStore(server.store_dir, builder=InProcessBuilder()) as store:
        ids = store.ids()
        assert len(ids) == THREADS * PER_THREAD + 1
        for tid in ids:
            trace = store.load(tid)  # a recipe's trace is built here, and carries the deltas served with it
            deltas = trace.doc["deltas"]
            hops = [entry["hop"].partition(":")[2] for entry in deltas]
            assert hops[:2] == ["URLMap.__call__", "ComputeReqIdMiddleware.__call__"] and len(hops) == 8, hops
            request_id = trace.doc["response"]["headers"]["x-openstack-request-id"]
            added = {name: new for op, name, _old, new in deltas[1]["headers"] if op == "+"}
            assert added["x-openstack-request-id"] == repr(request_id)  # the header this very client got
            # a GET was kept as a recipe (its deltas come from the re-run that built it, which answered exactly
            # what the client got); the POST was recorded, and its deltas seen, while it ran
            assert (trace.meta.get("served_as") == "recipe") == (trace.request["method"] == "GET")
            # and the router hop's note says how the router routed it, as for a trace of tracer run
            route = trace.doc["route"]
            assert route["script_name"] == "/v2.1" and route["method"] == trace.request["method"]
            assert route["match"]["action"] == ("detail" if trace.request["method"] == "GET" else "create"), route
            if trace.request["method"] == "GET":
                assert trace.meta["line_detail"]["faithful"] is True, trace.meta["line_detail"]
                own = re.search(r"name=t(\d+)-", trace.request["path"]).group(1)
                assert USER.findall(context_added(trace.doc)) == [f"u{own}"], (tid, context_added(trace.doc))
            else:
                assert "user_id='admin'" in context_added(trace.doc)
                assert ADMIN_PASS not in json.dumps(deltas)
    assert main(["show", str(ids[0]), "--store", str(server.store_dir), "--deltas"]) == 0
    out = capsys.readouterr().out
    assert "Δ + nova.context: <RequestContext" in out
    assert "Δ ~ SCRIPT_NAME: '' → '/v2.1'" in out
