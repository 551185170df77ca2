"""Bad input against both servers over real HTTP: each request gets Nova's answer, never a 500, never a hang.

The table says what Nova answers (status, fault name, words of its message). Both ``sample-api serve`` and
``tracer serve`` run as real processes; ``tracer serve`` must also keep a trace of every request it answered.
Each row runs as its own project (``u<n>:p<n>``), so one row's servers never count against another's quota.
"""

from __future__ import annotations

import json
import socket
import sqlite3
import time

import pytest

from sample_api.db_seed import WEB_01
from tests.hardening.processes import ServerProcess, request
from tracer.store.traces import DB_NAME


def server(**fields: object) -> str:
    return json.dumps({"server": {"name": "web", "flavorRef": "1", **fields}})


NESTED = "[" * 10_000 + "]" * 10_000
#: (what, method, path, headers, body, status, fault name or None for webob's plain errors, words of the message)
CASES = [
    ("min_count is the string 0", "POST", "/v2.1/servers", {}, server(min_count="0"), 400, "badRequest",
     "min_count must be >= 1"),
    ("min_count is empty", "POST", "/v2.1/servers", {}, server(min_count=""), 400, "badRequest",
     "min_count must be an integer"),
    ("max_count has 5,000 digits", "POST", "/v2.1/servers", {}, server(max_count="9" * 5000), 400, "badRequest",
     "max_count must be an integer"),
    ("microversion with 5,000 nines", "GET", "/v2.1/servers", {"OpenStack-API-Version": "compute 2." + "9" * 5000},
     None, 400, "badRequest", "is of invalid format"),
    ("legacy microversion with 5,000 nines", "GET", "/v2.1/servers",
     {"X-OpenStack-Nova-API-Version": "2." + "9" * 5000}, None, 400, "badRequest", "is of invalid format"),
    ("JSON nested 10,000 levels", "POST", "/v2.1/servers", {}, NESTED, 400, "badRequest", "Malformed request body"),
    ("900 levels inside a field", "POST", "/v2.1/servers", {},
     '{"server": {"name": "web", "flavorRef": "1", "metadata": ' + "[" * 900 + "]" * 900 + "}}", 400,
     "badRequest", "Invalid input for field/attribute metadata"),
    ("more servers than the quota", "POST", "/v2.1/servers", {}, server(min_count=11, max_count=11), 403,
     "forbidden", "Quota exceeded for instances: Requested 11, but already used 0 of 10 instances"),
    ("more cores than the quota", "POST", "/v2.1/servers", {}, server(flavorRef="5", min_count=3), 403,
     "forbidden", "Quota exceeded for cores"),
    ("not JSON", "POST", "/v2.1/servers", {}, "{not json", 400, "badRequest", "Malformed request body"),
    ("a UTF-16 body", "POST", "/v2.1/servers", {}, server().encode("utf-16"), 400, "badRequest",
     "Malformed request body"),
    ("bytes that are not UTF-8", "POST", "/v2.1/servers", {}, b"\xff\xfe\xfa", 400, "badRequest",
     "Malformed request body"),
    ("a name with a control character", "POST", "/v2.1/servers", {}, server(name="web\u0007"), 400, "badRequest",
     "Invalid input for field/attribute name"),
    ("a name that starts with a space", "POST", "/v2.1/servers", {}, server(name=" web"), 400, "badRequest",
     "Invalid input for field/attribute name"),
    ("adminPass is a list", "POST", "/v2.1/servers", {}, server(adminPass=["not-echoed-0451"]), 400, "badRequest",
     "Invalid input for field/attribute adminPass. Value: ***"),
    ("limit is negative", "GET", "/v2.1/servers?limit=-1", {}, None, 400, "badRequest", "limit param must be positive"),
    ("limit is a word", "GET", "/v2.1/servers?limit=abc", {}, None, 400, "badRequest", "must be an integer"),
    ("an unknown marker", "GET", "/v2.1/servers?marker=nope", {}, None, 400, "badRequest", "marker [nope] not found"),
    # Nova looks the marker up across projects (an elevated context): another project's server is a place in
    # the list, so a member gets 200 with the page after it, as for an own server; only an unknown id is a 400
    ("another project's server as the marker", "GET", f"/v2.1/servers?marker={WEB_01}", {}, None, 200, None,
     '{"servers": ['),
    ("an unknown server", "GET", "/v2.1/servers/nope", {}, None, 404, "itemNotFound", "could not be found"),
    ("an unknown action", "POST", "/v2.1/servers/nope/action", {}, '{"bogus": null}', 400, "badRequest",
     "There is no such action: bogus"),
    ("an unknown content type", "POST", "/v2.1/servers", {"Content-Type": "application/xml"}, server(), 415,
     "badMediaType", "Unsupported Content-Type"),
    ("a body over the size limit", "POST", "/v2.1/servers", {}, "x" * 200_000, 413, None, "Request is too large."),
    ("a huge Content-Length and no body", "POST", "/v2.1/servers", {"Content-Length": "99999999"}, None, 413, None,
     "Request is too large."),
    ("no token", "GET", "/v2.1/servers", {"X-Auth-Token": ""}, None, 401, "unauthorized", "Authentication required"),
    ("an empty key pair name", "POST", "/v2.1/os-keypairs", {}, '{"keypair": {"name": ""}}', 400, "badRequest",
     "Invalid input for field/attribute name"),
    ("a path of 10,000 characters", "GET", "/v2.1/" + "x" * 10_000, {}, None, 404, None, "could not be found"),
]


@pytest.fixture(scope="module", params=["sample-api", "tracer"])
def running(request, tmp_path_factory):
    process = ServerProcess(request.param, tmp_path_factory.mktemp(request.param))
    yield process
    process.stop()


def test_each_bad_request_gets_novas_answer_and_never_a_500(running):
    problems = []
    for number, (what, method, path, headers, body, status, fault, words) in enumerate(CASES):
        started = time.monotonic()
        got, _headers, data = request(running.port, method, path, body, headers, token=f"u{number}:p{number}")
        took = time.monotonic() - started
        text = data.decode("utf-8", "replace")
        if got != status or words not in text or took > 5:
            problems.append(f"{what}: {got} in {took:.1f} s: {text[:200]}")
        elif fault is not None and set(json.loads(data)) != {fault}:
            problems.append(f"{what}: fault {text[:200]}")
    assert not problems, "\n".join(problems)


def test_unicode_and_emoji_names_are_accepted(running):
    status, _headers, data = request(running.port, "POST", "/v2.1/servers", server(name="été 服务器 🚀"),
                                     token="unicode:unicode")
    assert status == 202, data
    server_id = json.loads(data)["server"]["id"]
    status, _headers, data = request(running.port, "GET", f"/v2.1/servers/{server_id}", token="unicode:unicode")
    assert json.loads(data)["server"]["name"] == "été 服务器 🚀"


def test_the_quota_lets_max_count_shrink_to_what_fits(running):
    """Nova creates as many as fit when that is at least min_count (here 10 of 1-2000), then refuses."""
    status, _headers, data = request(running.port, "POST", "/v2.1/servers", server(min_count=1, max_count=2000),
                                     token="many:many")
    assert status == 202, data
    _status, _headers, listed = request(running.port, "GET", "/v2.1/servers?limit=1000", token="many:many")
    assert len(json.loads(listed)["servers"]) == 10
    status, _headers, data = request(running.port, "POST", "/v2.1/servers", server(), token="many:many")
    assert status == 403 and "already used 10 of 10 instances" in json.loads(data)["forbidden"]["message"]


def test_a_300_mb_body_is_refused_from_its_header_before_it_is_read(running):
    """The header and 1 KB of the body are sent, nothing more: the 413 comes back anyway, and memory stays flat."""
    before = running.rss_kb()
    with socket.create_connection(("127.0.0.1", running.port), timeout=10) as sock:
        sock.sendall(b"POST /v2.1/servers HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Auth-Token: demo:demo\r\n"
                     b"Content-Type: application/json\r\nContent-Length: 300000000\r\n\r\n" + b"x" * 1024)
        answer = sock.recv(65536)
    assert answer.split(b"\r\n", 1)[0].endswith(b" 413 Request Entity Too Large"), answer[:200]
    assert running.rss_kb() - before < 20_000


def test_tracer_serve_keeps_a_trace_of_every_bad_request(tmp_path):
    """The deeply nested bodies used to cost tracer serve its trace (and give a plain-text 500)."""
    process = ServerProcess("tracer", tmp_path, "--detail", "line")
    try:
        for number in (5, 6, 14):
            what, method, path, headers, body, status, _fault, _words = CASES[number]
            got, _headers, _data = request(process.port, method, path, body, headers, token=f"u{number}:p{number}")
            assert got == status, what
    finally:
        assert process.stop() == 0
    conn = sqlite3.connect(process.store_dir / DB_NAME)
    try:
        statuses = [status for (status,) in conn.execute("SELECT status FROM traces ORDER BY id")]
    finally:
        conn.close()
    assert statuses == [400, 400, 400]
