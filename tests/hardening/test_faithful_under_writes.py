"""``tracer serve`` under concurrent writes: a read-only request's trace shows the request the client sent and
the answer it got, because the request and its re-run read the same consistent copy of the database.

Eight clients mix GET, POST and DELETE; the admin's listings of every project's servers see the others' writes
land while they run. At least 99% of the GET traces must be faithful, and every other one must say why.
The suite runs a bounded load (8 clients x 24 requests); the benchmark in benchmarks/ runs 8 x 250.
"""

from __future__ import annotations

import json
import threading

import pytest

from tests.hardening.processes import ServerProcess, request
from tracer.store.traces import TraceStore
from tracer.targets.recipes import InProcessBuilder

CLIENTS = 8
ROUNDS = 4  # each round: a listing, a create, a delete (benchmarks/serve_faithful.py runs 8 x 250)


def client(port: int, number: int, answers: list, failures: list) -> None:
    token = f"load{number}:load{number}"
    try:
        for _ in range(ROUNDS):
            status, _headers, body = request(port, "GET", "/v2.1/servers/detail?all_tenants=1", token="admin:admin")
            answers.append(("GET", status, body))
            status, _headers, body = request(port, "POST", "/v2.1/servers",
                                             json.dumps({"server": {"name": f"w{number}", "flavorRef": "1"}}),
                                             token=token)
            answers.append(("POST", status, body))
            server_id = json.loads(body)["server"]["id"]
            status, _headers, body = request(port, "DELETE", f"/v2.1/servers/{server_id}", token=token)
            answers.append(("DELETE", status, body))
    except Exception as exc:  # noqa: BLE001 - reported by the test
        failures.append(repr(exc))


@pytest.mark.timeout(600)  # a load test: every GET's trace is built by a line-level re-run afterwards
def test_get_traces_stay_faithful_under_concurrent_writes(tmp_path):
    process = ServerProcess("tracer", tmp_path)
    answers: list = []
    failures: list = []
    try:
        threads = [threading.Thread(target=client, args=(process.port, n, answers, failures)) for n in range(CLIENTS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=300)
    finally:
        assert process.stop() == 0
    assert not failures, failures
    assert sorted({(method, status) for method, status, _body in answers}) == [
        ("DELETE", 204), ("GET", 200), ("POST", 202)]
    served_bodies = [body for method, _status, body in answers if method == "GET"]
    faithful, unfaithful = 0, []
    with TraceStore(process.store_dir, builder=InProcessBuilder()) as store:
        for summary in store.list(last=10_000):
            if summary.method != "GET":
                continue
            trace = store.load(summary.id)
            detail = trace.meta["line_detail"]
            if detail["faithful"]:
                faithful += 1
                assert trace.response["body"].encode() in served_bodies  # what a client got, not the re-run's
            else:
                unfaithful.append(detail)
    assert faithful + len(unfaithful) == CLIENTS * ROUNDS
    assert faithful >= 0.99 * CLIENTS * ROUNDS, unfaithful[:3]
    assert all(isinstance(detail["differs"], str) and detail["differs"] for detail in unfaithful)
