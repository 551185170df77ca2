"""``tracer serve`` end to end: a real server process, real clients, and what lands in the store.

Every test here starts ``tracer serve`` as a subprocess on a free 127.0.0.1 port with a temporary
store, talks to it over HTTP (python-novaclient, or http.client for error cases), stops it with
SIGTERM (which stores every queued trace) or SIGKILL, and then reads the store directly.
"""

from __future__ import annotations

import http.client
import json
import logging
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
import zlib
from pathlib import Path

import pytest

from tracer.model.trace import CALL, RETURN, Trace
from tracer.serve import server as serve_mod
from tracer.store.traces import DB_NAME, TraceStore
from tracer.targets import recipes
from tracer.targets.recipes import InProcessBuilder

ROOT = Path(__file__).resolve().parents[3]
TRACER = [sys.executable, "-c", "import sys; from tracer.cli.main import main; sys.exit(main())"]
TOKEN = "admin:admin"
ADMIN_PASS = "Sw0rdfish-never-stored"
SERVING = re.compile(r"serving the compute API on http://127\.0\.0\.1:(\d+)/v2\.1")


class ServeProcess:
    """``tracer serve`` in a subprocess; stderr goes to a file so that a chatty server never blocks."""

    def __init__(self, tmp_path: Path, *args: str, backend: str = "threaded", detail: str = "rerun") -> None:
        self.store_dir = tmp_path / "store"
        self.log_path = tmp_path / f"serve-{backend}.log"
        self._log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(
            [*TRACER, "serve", "--port", "0", "--store", str(self.store_dir), "--server", backend,
             "--detail", detail, *args],
            cwd=ROOT, stdout=self._log, stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while True:
            found = SERVING.search(self.log)
            if found:
                self.port = int(found.group(1))
                return
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.kill()
                pytest.fail(f"tracer serve did not start:\n{self.log}")
            time.sleep(0.05)

    @property
    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self) -> int:
        """SIGTERM, as Ctrl-C would: the server finishes, stores what is queued and exits 0."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        code = self.proc.wait(timeout=120)
        self._log.close()
        return code

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(timeout=30)
        self._log.close()


def request(port: int, method: str, path: str, body: str | None = None, token: str | None = TOKEN,
            headers: dict | None = None) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        sent = {"Accept": "application/json", **(headers or {})}
        if token:
            sent["X-Auth-Token"] = token
        if body is not None:
            sent["Content-Type"] = "application/json"
        conn.request(method, path, body=body, headers=sent)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def stored_rows(store_dir: Path) -> list[tuple[int, str, str, int, bytes]]:
    """(id, method, path, status, decompressed document or recipe) of every stored trace, oldest first, read
    raw; then (0, "FILE" or "SNAPSHOT", "", 0, bytes) for every source file and database snapshot."""
    conn = sqlite3.connect(store_dir / DB_NAME)
    try:
        rows = conn.execute("SELECT id, method, path, status, doc FROM traces ORDER BY id").fetchall()
        files = [zlib.decompress(text) for (text,) in conn.execute("SELECT text FROM files")]
        snapshots = [zlib.decompress(data) for (data,) in conn.execute("SELECT data FROM snapshots")]
    finally:
        conn.close()
    return [(tid, method, path, status, zlib.decompress(blob)) for tid, method, path, status, blob in rows] + [
        (0, "FILE", "", 0, text) for text in files
    ] + [(0, "SNAPSHOT", "", 0, data) for data in snapshots]


def stored_recipes(store_dir: Path) -> dict[int, dict]:
    """The recipes still waiting in the store (requests whose trace is not built yet), by id."""
    conn = sqlite3.connect(store_dir / DB_NAME)
    try:
        rows = conn.execute("SELECT id, doc FROM traces WHERE snapshot IS NOT NULL").fetchall()
    finally:
        conn.close()
    return {tid: recipes.decode(blob) for tid, blob in rows}


def assert_complete(trace: Trace) -> None:
    """Every frame that opened also closed: nothing cut off, nothing from elsewhere left open."""
    kinds = [trace.kinds[i] for i in range(len(trace))]
    assert kinds.count(CALL) == kinds.count(RETURN), trace.request_line
    assert not trace.truncated and "recorder_errors" not in trace.meta


def novaclient_for(port: int):
    from keystoneauth1 import session, token_endpoint
    from novaclient import client

    sess = session.Session(auth=token_endpoint.Token(f"http://127.0.0.1:{port}/v2.1", TOKEN))
    return client.Client("2.1", session=sess)


# -- end to end ------------------------------------------------------------------------------------


def test_novaclient_and_error_requests_each_make_one_complete_trace(tmp_path):
    server = ServeProcess(tmp_path)
    expected: list[tuple[str, str, int]] = []
    try:
        nova = novaclient_for(server.port)
        flavors = nova.flavors.list()
        expected.append(("GET", "/v2.1/flavors/detail", 200))
        assert flavors
        assert nova.servers.list()
        expected.append(("GET", "/v2.1/servers/detail", 200))
        status, body = request(server.port, "GET", "/v2.1/images")
        assert status == 200
        expected.append(("GET", "/v2.1/images", 200))
        status, body = request(server.port, "GET", "/v2.1/images/detail")
        expected.append(("GET", "/v2.1/images/detail", 200))
        image_id = next(image["id"] for image in json.loads(body)["images"] if image["status"] == "ACTIVE")

        created = nova.servers.create("traced-vm", image_id, flavors[0].id, admin_pass=ADMIN_PASS)
        expected.append(("POST", "/v2.1/servers", 202))
        assert created.adminPass == ADMIN_PASS
        got = nova.servers.get(created.id)
        expected.append(("GET", f"/v2.1/servers/{created.id}", 200))
        assert got.name == "traced-vm"
        summaries = nova.servers.list(detailed=False)
        expected.append(("GET", "/v2.1/servers", 200))
        assert created.id in {s.id for s in summaries}
        for call, action in ((nova.servers.reboot, "reboot"), (nova.servers.stop, "os-stop"),
                             (nova.servers.start, "os-start")):
            call(created.id)
            expected.append(("POST", f"/v2.1/servers/{created.id}/action", 202))
            assert action
        nova.servers.delete(created.id)
        expected.append(("DELETE", f"/v2.1/servers/{created.id}", 204))

        errors = [
            ("GET", "/v2.1/servers/no-such-server", None, TOKEN, 404),
            ("GET", "/v2.1/servers/detail", None, None, 401),
            ("POST", "/v2.1/servers", '{"server": {}}', TOKEN, 400),
            ("POST", "/v2.1/servers", "{not json", TOKEN, 400),
            ("GET", "/v2.1/servers?all_tenants=1", None, "demo:demo", 403),
            ("POST", f"/v2.1/servers/{got.id}/action", '{"no-such-action": null}', TOKEN, 400),
        ]
        for method, path, body, token, status in errors:
            assert request(server.port, method, path, body, token)[0] == status, path
            expected.append((method, path, status))
    finally:
        assert server.stop() == 0, server.log

    rows = [row for row in stored_rows(server.store_dir) if row[0]]
    assert [(method, path, status) for _id, method, path, status, _doc in rows] == expected
    log = server.log
    # no secret in any stored byte, checked before the traces are built (and again after, below)
    for _id, _method, _path, _status, doc in stored_rows(server.store_dir):
        for secret in (TOKEN, "demo:demo", ADMIN_PASS):
            assert secret.encode() not in doc, secret
    waiting = stored_recipes(server.store_dir)
    with TraceStore(server.store_dir, builder=InProcessBuilder()) as store:
        for tid, method, path, status, _doc in rows:
            trace = store.load(tid)  # a recipe's trace is built here, by re-running the request
            assert (trace.request["method"], trace.request["path"], trace.status) == (method, path, status)
            assert_complete(trace)
            assert len(trace.calls) > 10  # the whole path, not only the outermost hop
            assert f"trace {tid}: {method} {path} {status} " in log
            # read-only requests were kept as recipes (or built by the idle server), the others recorded live
            assert (trace.meta.get("served_as") == "recipe") == (method == "GET"), (tid, method, path)
            if method == "GET":  # and the re-run answered exactly what the client got
                assert trace.meta["line_detail"]["faithful"] is True, (tid, trace.meta["line_detail"])
        assert store.pending() == []
    assert waiting and all(rows[tid - 1][1] == "GET" for tid in waiting)
    assert TOKEN not in log and ADMIN_PASS not in log  # the log names who asked, never in the token's form
    # No secret in any stored byte: not the token, not the password (sent and answered).
    for _id, _method, _path, _status, doc in stored_rows(server.store_dir):
        for secret in (TOKEN, "demo:demo", ADMIN_PASS):
            assert secret.encode() not in doc, secret
    for name in (DB_NAME, DB_NAME + "-wal"):
        path = server.store_dir / name
        if path.exists():
            assert ADMIN_PASS.encode() not in path.read_bytes()


def test_the_nova_cli_logs_in_through_identity_and_every_request_is_traced_without_the_password(tmp_path):
    nova = Path(sys.executable).with_name("nova")
    if not nova.exists():
        pytest.skip("python-novaclient's nova command is not installed")
    password = "cli-Passw0rd-never-stored"
    server = ServeProcess(tmp_path)
    try:
        env = {
            "PATH": str(nova.parent), "OS_AUTH_URL": f"http://127.0.0.1:{server.port}/identity",
            "OS_USERNAME": "admin", "OS_PASSWORD": password, "OS_PROJECT_NAME": "admin",
            "OS_USER_DOMAIN_ID": "default", "OS_PROJECT_DOMAIN_ID": "default",
        }
        done = subprocess.run([str(nova), "list"], env=env, capture_output=True, text=True, timeout=120)
    finally:
        assert server.stop() == 0, server.log
    assert done.returncode == 0, done.stderr
    assert all(name in done.stdout for name in ("web-01", "web-02", "db-01", "batch-01")), done.stdout
    rows = [row for row in stored_rows(server.store_dir) if row[0]]
    seen = [(method, path.split("?")[0], status) for _id, method, path, status, _doc in rows]
    assert ("POST", "/identity/v3/auth/tokens", 201) in seen
    assert seen[-1] == ("GET", "/v2.1/servers/detail", 200)  # after logging in and reading the version
    for _id, _method, _path, _status, doc in stored_rows(server.store_dir):
        assert password.encode() not in doc and TOKEN.encode() not in doc


def test_an_opaque_token_is_stored_nowhere(tmp_path):
    """A real client sending a real (opaque) token by mistake: noauth2 takes it whole as the user and the
    project; neither the stored trace, nor its row, nor ``tracer list`` holds it."""
    token = "gAAAAABopaque-keystone-token-4567"
    server = ServeProcess(tmp_path)
    try:
        status, _body = request(server.port, "GET", "/v2.1/servers/detail", token=token)
    finally:
        assert server.stop() == 0, server.log
    assert status == 200
    rows = [row for row in stored_rows(server.store_dir) if row[0]]
    assert [(method, path, status) for _id, method, path, status, _doc in rows] == [
        ("GET", "/v2.1/servers/detail", 200)]
    assert not stored_recipes(server.store_dir)  # recorded while it ran, not kept as a recipe
    for _id, _method, _path, _status, doc in stored_rows(server.store_dir):
        assert token.encode() not in doc
    assert token.encode() not in (server.store_dir / DB_NAME).read_bytes()
    listed = run_tracer("list", "--store", str(server.store_dir))
    assert listed.returncode == 0 and "[redacted]" in listed.stdout and token not in listed.stdout


# -- concurrency -----------------------------------------------------------------------------------

MARKER = re.compile(r"t\d+-\d+")
#: the first frame of a trace recorded at call level, on each server
SERVER_ROOT = {"threaded": "ServerWithThreadPool.serve_connection", "eventlet": "Server.process_request"}
THREADS, PER_THREAD = 8, 250


@pytest.mark.timeout(300)
@pytest.mark.parametrize("backend", ["threaded", "eventlet"])
def test_2000_concurrent_requests_make_2000_unmixed_traces(tmp_path, backend):
    """8 client threads x 250 requests, each with its own ``?name=t<thread>-<n>`` marker; SIGTERM right after
    the last answer, and every trace is stored (the server waits for the green threads still finishing theirs).

    Call-level recording keeps this under a minute per backend; the isolation it checks is the
    same at line level (sessions are per thread / green thread either way).
    """
    server = ServeProcess(tmp_path, "--max-traces", "5000", "--pool-size", "16", backend=backend, detail="call")
    failures: list[str] = []

    def client(t: int) -> None:
        for n in range(PER_THREAD):
            try:
                status, _body = request(server.port, "GET", f"/v2.1/servers/detail?name=t{t}-{n}")
            except OSError as exc:
                failures.append(f"t{t}-{n}: {exc}")
                continue
            if status != 200:
                failures.append(f"t{t}-{n}: HTTP {status}")

    try:
        threads = [threading.Thread(target=client, args=(t,)) for t in range(THREADS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        assert server.stop() == 0, server.log
    assert failures == []

    seen: set[str] = set()
    with TraceStore(server.store_dir, builder=InProcessBuilder()) as store:
        ids = store.ids()
        assert len(ids) == THREADS * PER_THREAD
        for tid in ids:
            trace = store.load(tid)
            assert_complete(trace)
            own = MARKER.search(trace.request["path"]).group(0)
            assert own not in seen
            seen.add(own)
            # Every marker anywhere in the trace's values is its own: no event of another request got in.
            markers = {m for row in trace.doc["values"] for m in MARKER.findall(row[1])}
            assert markers == {own}, (tid, own, markers)
            # recorded from the worker serving the connection: a pool thread, or eventlet's green thread
            first = next(i for i in range(len(trace)) if trace.kinds[i] == CALL)
            assert trace.code(first).qualname == SERVER_ROOT[backend], trace.code(first).qualname
            calls = trace.find_calls("ServersController._get_servers")
            assert len(calls) == 1
            args = trace.scope(trace.doc["events"][calls[0]][4])
            assert any(own in value.summary for _name, value in args), args
    assert seen == {f"t{t}-{n}" for t in range(THREADS) for n in range(PER_THREAD)}


@pytest.mark.timeout(300)
@pytest.mark.parametrize("backend", ["threaded", "eventlet"])
def test_2000_concurrent_read_requests_make_2000_unmixed_recipes_that_re_run_as_their_own(tmp_path, backend):
    """The same load under ``--detail rerun`` (the default): every GET is kept as its recipe.

    What could mix here is the request's own inputs: its query, the seed its ids came from, its response.
    Each recipe's seed must give the request id its own response carried (drawn in its own context),
    and a sample of them, built, re-run as exactly the request the client made.
    """
    server = ServeProcess(tmp_path, "--max-traces", "5000", "--pool-size", "16", backend=backend)
    answered: dict[str, str] = {}  # marker -> the request id the client got

    def client(t: int) -> None:
        for n in range(PER_THREAD):
            conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
            try:
                conn.request("GET", f"/v2.1/servers/detail?name=t{t}-{n}", headers={"X-Auth-Token": TOKEN})
                response = conn.getresponse()
                response.read()
                if response.status == 200:
                    answered[f"t{t}-{n}"] = response.getheader("x-openstack-request-id")
            except OSError:
                pass
            finally:
                conn.close()

    try:
        threads = [threading.Thread(target=client, args=(t,)) for t in range(THREADS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        assert server.stop() == 0, server.log
    assert len(answered) == THREADS * PER_THREAD

    import random

    waiting = stored_recipes(server.store_dir)
    with TraceStore(server.store_dir, builder=InProcessBuilder()) as store:
        rows = store.list()
        assert len(rows) == THREADS * PER_THREAD
        assert len(waiting) > THREADS * PER_THREAD - 100  # the idle replayer built a few at most
        for row in rows:
            own = MARKER.search(row.path).group(0)
            assert row.request_id == answered.pop(own), row  # each marker once, with its own request id
            recipe = waiting.get(row.id)
            if recipe is not None:
                seeded = uuid.UUID(int=random.Random(recipe["seed"]).getrandbits(128), version=4)
                assert row.request_id == f"req-{seeded}"
                assert MARKER.search(recipe["environ"]["QUERY_STRING"]).group(0) == own
        assert answered == {}
        for tid in sorted(waiting)[:: len(waiting) // 12]:
            trace = store.load(tid)
            assert_complete(trace)
            assert trace.meta["line_detail"]["faithful"] is True, trace.meta["line_detail"]
            own = MARKER.search(trace.request["path"]).group(0)
            markers = {m for row in trace.doc["values"] for m in MARKER.findall(row[1])}
            assert markers == {own}, (tid, own, markers)


# -- crash -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("detail", ["call", "rerun"])
def test_sigkill_under_load_leaves_every_stored_trace_intact(tmp_path, detail):
    server = ServeProcess(tmp_path, detail=detail)
    stop = threading.Event()

    def client(t: int) -> None:
        n = 0
        while not stop.is_set() and n < 2000:
            try:
                request(server.port, "GET", f"/v2.1/servers/detail?name=k{t}-{n}")
            except (OSError, http.client.HTTPException):
                return  # the server is gone, maybe in the middle of an answer
            n += 1

    threads = [threading.Thread(target=client, args=(t,)) for t in range(4)]
    for t in threads:
        t.start()
    try:
        deadline = time.monotonic() + 60
        while server.log.count("trace ") < 60 and time.monotonic() < deadline:
            time.sleep(0.05)
        server.kill()  # SIGKILL, mid-load: requests in flight, traces queued, maybe one mid-commit
    finally:
        stop.set()
        for t in threads:
            t.join()
    logged = {int(m) for m in re.findall(r"trace (\d+): ", server.log)}
    assert len(logged) >= 60
    with TraceStore(server.store_dir, builder=InProcessBuilder()) as store:
        conn = sqlite3.connect(store.file)
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        conn.close()
        ids = store.ids()
        assert logged <= set(ids)  # a trace is logged after its commit, so each logged one survived
        for tid in ids:
            trace = store.load(tid)
            assert_complete(trace)
            assert trace.status == 200


# -- errors ----------------------------------------------------------------------------------------


def run_tracer(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*TRACER, *args], cwd=ROOT, capture_output=True, text=True, timeout=60)


def test_the_picker_without_a_terminal_is_one_line_and_exit_2(tmp_path):
    from tests.tracer.nova_fixture import record_doc

    with TraceStore(tmp_path, builder=InProcessBuilder()) as store:
        store.add(record_doc("/v2.1/servers/detail"))
    result = subprocess.run([*TRACER, "tui", "--store", str(tmp_path)], cwd=ROOT, stdin=subprocess.DEVNULL,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "tracer: error: the replay is full-screen and needs a terminal, but standard input is not one"]
    assert "\x1b" not in result.stdout  # nothing drawn


def test_a_corrupt_store_is_one_line_and_exit_2(tmp_path):
    (tmp_path / DB_NAME).write_bytes(b"garbage" * 1000)
    for args in (["list", "--store", str(tmp_path)], ["serve", "--port", "0", "--store", str(tmp_path)]):
        result = run_tracer(*args)
        assert result.returncode == 2, result
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("tracer: error: "), result.stderr
        assert "corrupt or not a tracer store" in lines[0]


def test_unknown_id_and_missing_store_are_one_line_and_exit_2(tmp_path):
    from tests.tracer.nova_fixture import record_doc

    with TraceStore(tmp_path / "store", builder=InProcessBuilder()) as store:
        store.add(record_doc())
    for args, expected in (
        (["show", "7", "--store", str(tmp_path / "store")], "no trace 7 in the store"),
        (["list", "--store", str(tmp_path / "none")], "no trace store in"),
    ):
        result = run_tracer(*args)
        assert result.returncode == 2, result
        assert result.stderr.strip() == result.stderr.strip().splitlines()[0]
        assert result.stderr.startswith("tracer: error: ") and expected in result.stderr


def test_list_prints_one_row_per_trace_newest_first(tmp_path):
    from tests.tracer.nova_fixture import record_doc

    with TraceStore(tmp_path, builder=InProcessBuilder()) as store:
        store.add(record_doc("/v2.1/servers/detail"))
        store.add(record_doc("/v2.1/servers/abc"))
    result = run_tracer("list", "--store", str(tmp_path))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert lines[0].split() == ["id", "time", "user", "method", "path", "status", "duration", "hops"]
    assert lines[1].split()[0] == "2" and "/v2.1/servers/abc" in lines[1] and "admin:admin" in lines[1]
    assert lines[2].split()[0] == "1" and "/v2.1/servers/detail" in lines[2]
    as_json = [json.loads(line) for line in run_tracer("list", "--store", str(tmp_path), "--json").stdout.splitlines()]
    assert [row["id"] for row in as_json] == [2, 1]
    assert as_json[0]["path"] == "/v2.1/servers/abc" and as_json[0]["hops"] > 0


def test_a_recipe_is_listed_without_hops_until_show_builds_its_trace(tmp_path):
    from tests.tracer.nova_fixture import served_recipe

    recipe = served_recipe("/servers/detail")
    with TraceStore(tmp_path, builder=InProcessBuilder()) as store:
        tid = store.add_recipe(recipe)
    listed = run_tracer("list", "--store", str(tmp_path))
    assert listed.stdout.strip().splitlines()[1].split()[-1] == "-"
    assert json.loads(run_tracer("list", "--store", str(tmp_path), "--json").stdout)["hops"] is None
    shown = run_tracer("show", str(tid), "--store", str(tmp_path))
    assert shown.returncode == 0, shown.stderr
    building, timing = shown.stderr.splitlines()
    assert building == f"tracer: building trace {tid} from its recipe (re-running the request line by line, once)"
    assert timing.startswith("tracer: note: built from the served request's recipe; the hop times are its re-run's")
    assert shown.stdout.startswith("HTTP 200 OK  GET /v2.1/servers/detail") and "ViewBuilder.show" in shown.stdout
    hops = run_tracer("list", "--store", str(tmp_path)).stdout.strip().splitlines()[1].split()[-1]
    assert hops.isdigit() and int(hops) > 10


def test_a_recipe_that_cannot_be_built_is_one_line_and_exit_2(tmp_path):
    from tests.tracer.nova_fixture import served_recipe

    recipe = served_recipe("/servers")
    with TraceStore(tmp_path, builder=InProcessBuilder()) as store:
        tid = store.add_recipe(recipe)
    conn = sqlite3.connect(tmp_path / DB_NAME)
    with conn:
        conn.execute("UPDATE snapshots SET data = x'0102'")
    conn.close()
    for command in ("show", "tui"):
        result = run_tracer(command, str(tid), "--store", str(tmp_path))
        assert result.returncode == 2, result
        assert result.stderr.splitlines() == [
            f"tracer: error: trace {tid} in the store at {tmp_path} could not be built: its database snapshot is "
            "corrupt"
        ]


def test_only_loopback_is_quiet(tmp_path, monkeypatch, caplog):
    assert serve_mod.is_loopback("127.0.0.1") and serve_mod.is_loopback("::1") and serve_mod.is_loopback("localhost")
    assert not serve_mod.is_loopback("0.0.0.0") and not serve_mod.is_loopback("192.168.1.10")

    class NoBind:
        def __init__(self, *args, **kwargs):
            raise OSError(98, "Address already in use")

    monkeypatch.setattr(serve_mod, "TracedServer", NoBind)  # nothing really listens on 0.0.0.0
    with caplog.at_level(logging.WARNING, logger="tracer.serve"), pytest.raises(OSError):
        serve_mod.serve(store_dir=str(tmp_path), host="0.0.0.0", port=8774)
    assert "not loopback" in caplog.text and "0.0.0.0" in caplog.text


def test_a_call_level_server_keeps_the_trampolines_in_place_while_it_runs_and_puts_the_code_back(tmp_path):
    from sample_api.api.openstack.compute.views.servers import ViewBuilder
    from tracer.record import trampolines

    show = ViewBuilder.show
    original = show.__code__
    with TraceStore(tmp_path / "store", builder=InProcessBuilder()) as store:
        server = serve_mod.TracedServer(store, port=0, detail="call")
        server.start()
        try:
            assert trampolines.is_trampoline(show.__code__)
            for _ in range(2):
                conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
                conn.request("GET", "/v2.1/servers/detail", headers={"X-Auth-Token": TOKEN})
                response = conn.getresponse()
                response.read()
                conn.close()
                assert response.status == 200
                assert trampolines.is_trampoline(show.__code__)  # between requests too
        finally:
            server.stop()
        assert show.__code__ is original
        assert store.count() == 2
        for trace_id in store.ids():
            trace = store.load(trace_id)
            assert trace.find_calls("ViewBuilder.show") and trace.outcome(trace.calls[0]).kind == "returned"


def test_the_idle_server_builds_the_traces_of_its_recipes_newest_first(tmp_path):
    with TraceStore(tmp_path / "store", builder=InProcessBuilder()) as store:
        server = serve_mod.TracedServer(store, port=0)  # detail="rerun", as tracer serve by default
        assert server.replayer is not None
        server.replayer.idle_seconds = 0.2
        server.start()
        try:
            for path in ("/v2.1/servers/detail", "/v2.1/flavors"):
                assert request(server.port, "GET", path)[0] == 200
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and (store.count() < 2 or store.pending()):
                time.sleep(0.05)
            assert store.count() == 2 and store.pending() == []
            assert server.replayer.built == 2 and server.replayer.failed == set()
        finally:
            server.stop()
        for tid in store.ids():
            trace = store.load(tid)
            assert trace.meta["served_as"] == "recipe" and trace.meta["line_detail"]["faithful"] is True


def test_the_server_is_idle_only_when_no_request_has_run_for_a_while():
    activity = recipes.Activity()
    activity.begin()
    assert not activity.idle_for(0)  # a request in flight
    activity.end()
    assert activity.idle_for(0) and not activity.idle_for(60)
