"""Secret canaries: send secrets everywhere a client can put one, then grep every byte both servers wrote.

Each canary is unique and holds characters that change when escaped (a quote, a slash, a non-ASCII letter,
``+``, ``&``, ``%``), so it is looked for raw, URL-encoded (both ways), JSON-escaped (both ways) and in
base64. ``sample-api serve`` and ``tracer serve`` run with ``--debug`` (every log level); what they wrote is
their whole output and, for ``tracer serve``, every file of the store with every compressed trace, recipe,
source file and database snapshot in it expanded.
"""

from __future__ import annotations

import base64
import json
import sqlite3
import uuid
import zlib
from pathlib import Path
from urllib.parse import quote, quote_plus

import pytest

from tests.hardening.processes import ServerProcess, request
from tracer.store.traces import DB_NAME


def canary(number: int) -> str:
    return f'Cn{number:02d}ry"/ü+&%={number * 7919:05d}'


def forms(secret: str) -> set[bytes]:
    raw = secret.encode()
    return {raw, quote(secret, safe="").encode(), quote_plus(secret).encode(), json.dumps(secret)[1:-1].encode(),
            json.dumps(secret, ensure_ascii=False)[1:-1].encode(), base64.b64encode(raw),
            base64.urlsafe_b64encode(raw)}


def server(**fields: object) -> dict:
    return {"server": {"name": "web", "flavorRef": "1", **fields}}


def send_secrets(port: int) -> list[str]:
    """Every place a secret can ride in; returns the canaries sent."""
    sent: list[str] = []

    def next_canary() -> str:
        sent.append(canary(len(sent)))
        return sent[-1]

    status, _headers, data = request(port, "POST", "/v2.1/servers", json.dumps(server(adminPass=next_canary())))
    assert status == 202, data
    server_id = json.loads(data)["server"]["id"]
    request(port, "POST", f"/v2.1/servers/{server_id}/action",
            json.dumps({"changePassword": {"adminPass": next_canary()}}))
    status, _headers, data = request(port, "POST", "/v2.1/servers", json.dumps(server(adminPass=[next_canary()])))
    assert status == 400, data
    # a secret under a key that is not secret, inside a secret value: a dict, and a dict inside a list
    for password in ({"x": next_canary()}, [{"x": next_canary()}], {"x": [{"y": next_canary()}]}):
        status, _headers, data = request(port, "POST", "/v2.1/servers", json.dumps(server(adminPass=password)))
        assert status == 400, data
    status, _headers, data = request(port, "POST", f"/v2.1/servers/{server_id}/action",
                                     json.dumps({"changePassword": {"adminPass": {"x": next_canary()}}}))
    assert status == 400, data
    request(port, "GET", "/v2.1/servers?name=web&password=" + quote(next_canary(), safe=""))
    request(port, "GET", "/v2.1/servers/detail?auth_token=" + quote_plus(next_canary()))
    request(port, "GET", "/v2.1/flavors", headers={"Authorization": "Bearer " + next_canary()})
    request(port, "POST", "/identity/v3/auth/tokens", json.dumps({"auth": {"identity": {"methods": ["password"],
            "password": {"user": {"name": "demo", "domain": {"id": "default"}, "password": next_canary()}}}}}),
            token=None)
    deep = '{"server": {"name": "web", "flavorRef": "1", "metadata": ' + "[" * 900 + json.dumps(
        {"password": next_canary()}) + "]" * 900 + "}}"
    assert request(port, "POST", "/v2.1/servers", deep)[0] == 400
    nested = "[" * 10_000 + json.dumps({"adminPass": next_canary()}) + "]" * 10_000
    assert request(port, "POST", "/v2.1/servers", nested)[0] == 400
    malformed = '{"server": {"name": "web", "adminPass": ' + json.dumps(next_canary()) + ", oops"
    assert request(port, "POST", "/v2.1/servers", malformed)[0] == 400
    fernet = "gAAAAABp" + base64.urlsafe_b64encode(next_canary().encode() * 8).decode()  # a keystone token's shape
    sent.append(fernet)
    assert request(port, "POST", "/v2.1/servers", json.dumps(server()), token=fernet)[0] == 401
    # a keystone UUID token sent by mistake: noauth2 takes it as the user and the project, as Nova's does, so it
    # is written into the server's row and an admin's listing of every project shows it
    for token in (uuid.uuid4().hex, str(uuid.uuid4())):
        sent.append(token)
        status, _headers, data = request(port, "POST", "/v2.1/servers", json.dumps(server()), token=token)
        assert status == 202, data
        listed = json.loads(request(port, "GET", "/v2.1/servers/detail", token=token)[2])["servers"]
        assert listed[0]["user_id"] == token
    status, _headers, data = request(port, "GET", "/v2.1/servers/detail?all_tenants=1", token="admin:admin")
    assert status == 200 and sent[-1].encode() in data  # the answer is unchanged: the token is the user id
    return sent


def written_bytes(process: ServerProcess) -> list[tuple[str, bytes]]:
    """Everything the server wrote: its output, and for tracer serve each store file and each blob in it."""
    found = [("output", process.log_path.read_bytes())]
    if process.kind != "tracer":
        return found
    for path in sorted(Path(process.store_dir).rglob("*")):
        if path.is_file():
            found.append((path.name, path.read_bytes()))
    conn = sqlite3.connect(process.store_dir / DB_NAME)
    try:
        for table, column in (("traces", "doc"), ("files", "text"), ("snapshots", "data")):
            for (blob,) in conn.execute(f"SELECT {column} FROM {table}"):  # noqa: S608 - fixed names
                found.append((table, zlib.decompress(blob)))
    finally:
        conn.close()
    return found


@pytest.mark.parametrize("kind", ["sample-api", "tracer"])
def test_no_canary_anywhere_the_servers_wrote(kind, tmp_path):
    process = ServerProcess(kind, tmp_path, "--debug", *(["--detail", "line"] if kind == "tracer" else []))
    try:
        sent = send_secrets(process.port)
    finally:
        assert process.stop() == 0
    everything = written_bytes(process)
    assert sum(len(data) for _where, data in everything) > 10_000  # the servers did write: logs, traces
    hits = [f"{secret!r} as {form!r} in {where}" for secret in sent for form in forms(secret)
            for where, data in everything if form in data]
    assert not hits, "\n".join(hits[:20])


def test_tracer_serve_recipes_and_their_snapshots_hold_no_canary(tmp_path):
    """With the default detail read-only requests become recipes plus database snapshots: no canary there."""
    process = ServerProcess("tracer", tmp_path)
    try:
        request(process.port, "GET", "/v2.1/servers/detail")  # a recipe and its snapshot before any secret
        sent = send_secrets(process.port)
        for _ in range(3):
            request(process.port, "GET", "/v2.1/servers/detail")
    finally:
        assert process.stop() == 0
    everything = written_bytes(process)
    assert any(where == "snapshots" for where, _data in everything)
    hits = [f"{secret!r} as {form!r} in {where}" for secret in sent for form in forms(secret)
            for where, data in everything if form in data]
    assert not hits, "\n".join(hits[:20])
