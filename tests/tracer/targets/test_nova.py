"""The nova target: OpenStack Nova 34 in this process, recorded, compared with the miniature and served.

Skipped, with the reason, where Nova is not installed (``pip install -e '.[test,nova]'`` installs it). Nova keeps
its state in module globals, so every test here shares the one Nova of the test process.
"""

from __future__ import annotations

import json
import re
import sys
import types
import urllib.request

import pytest

pytest.importorskip("nova", reason="OpenStack Nova is not installed (pip install -e '.[test,nova]')")

from tracer.cli.main import main  # noqa: E402
from tracer.model.trace import Trace  # noqa: E402
from tracer.replay.walkthrough import frames_at, walkthrough_point  # noqa: E402
from tracer.targets import nova  # noqa: E402
from tracer.targets.sample_api import RequestSpec  # noqa: E402

pytestmark = pytest.mark.timeout(600)

IMAGE = "70a599e0-31e7-49b7-b260-868f441e862b"
#: the frames the 2015 path and Nova 34's share, in order, between the router and the view builder's show
SHARED = ["Resource.__call__", "Resource._process_stack", "Resource.dispatch", "ServersController.detail",
          "ServersController._get_servers", "ViewBuilder.detail", "ViewBuilder._list_view", "ViewBuilder.show"]


@pytest.fixture(scope="module")
def app():
    return nova.load_twins()


def record(app, spec: RequestSpec, detail: str = "line") -> dict:
    first, twin = app
    return nova.record_request(spec, app=first, twin=twin, detail=detail)


def test_the_pdb_walkthrough_goes_from_process_stack_to_the_view_builders_show(capsys):
    assert main(["run", "--target", "nova", "GET", "/servers/detail", "--format", "pdb"]) == 0
    frames = re.findall(r"^> (\S+)\(\d+\)(\w+)\(\)$", capsys.readouterr().out, re.MULTILINE)
    assert frames[-1] == ("nova/api/openstack/compute/views/servers.py", "show")
    wanted = [("nova/api/openstack/wsgi.py", "_process_stack"), ("nova/api/openstack/wsgi.py", "dispatch"),
              ("nova/api/openstack/compute/servers.py", "detail"),
              ("nova/api/openstack/compute/views/servers.py", "show")]
    positions = [frames.index(frame) for frame in wanted]
    assert positions == sorted(positions)


def test_servers_detail_lists_the_demo_servers_and_is_faithful(app):
    doc = record(app, RequestSpec("GET", "/servers/detail?all_tenants=1"))
    assert doc["response"]["status"] == 200
    assert doc["meta"]["line_detail"]["faithful"] is True, doc["meta"]["line_detail"]
    assert doc["meta"]["target"]["name"] == "nova"
    assert doc["meta"]["target"]["versions"]["nova"] == nova.NOVA_VERSION
    servers = json.loads(doc["response"]["body"])["servers"]
    assert len(servers) >= 3
    assert len({server["tenant_id"] for server in servers}) >= 2
    assert all(server["flavor"]["id"] in {"1", "2", "3"} for server in servers)
    assert {server["image"]["id"] for server in servers} == {IMAGE}
    broken = [server for server in servers if server["status"] == "ERROR"]
    assert broken and broken[0]["fault"]["code"] == 500 and broken[0]["fault"]["message"]


def test_the_trace_shows_the_request_the_client_sent(app):
    doc = record(app, RequestSpec("GET", "/servers/detail"), detail="call")
    headers = {name.lower() for name in doc["request"]["headers"]}
    assert not headers & {"x-identity-status", "x-user-id", "x-project-id", "x-roles"}
    assert (doc["request"]["user_id"], doc["request"]["project_id"]) == ("admin", "admin")


def test_every_hop_of_novas_api_has_a_layer_and_the_validation_and_cells_layers_show(app):
    trace = Trace.from_dict(record(app, RequestSpec("GET", "/servers/detail"), detail="call"))
    api_codes = [code for code in trace.codes if code.module.startswith("nova.api.")]
    assert api_codes and all(code.layer != "other" for code in api_codes)
    layers = {trace.code(call).layer for call in trace.calls}
    assert {"middleware", "router", "resource", "validation", "controller", "cells", "db", "view"} <= layers
    stack = [frame.function for frame in frames_at(trace, walkthrough_point(trace))]
    assert stack[-1] == "show"
    assert sum(1 for frame in stack if frame == "wrapper") >= 19  # the validation decorators, one frame each


def test_post_servers_is_accepted_and_the_trace_says_why_it_stays_build(app):
    body = json.dumps({"server": {"name": "new-1", "imageRef": IMAGE, "flavorRef": "1"}}).encode()
    doc = record(app, RequestSpec("POST", "/servers", body=body))
    assert doc["response"]["status"] == 202
    assert doc["meta"]["line_detail"]["faithful"] is True, doc["meta"]["line_detail"]
    assert "no conductor" in doc["meta"]["target"]["notes"][0]
    server_id = json.loads(doc["response"]["body"])["server"]["id"]
    shown = record(app, RequestSpec("GET", f"/servers/{server_id}"), detail="call")
    assert json.loads(shown["response"]["body"])["server"]["status"] == "BUILD"


@pytest.mark.parametrize(("spec", "status", "fault"), [
    (RequestSpec("GET", "/servers/8b9c5ee4-0000-4c4f-9d24-5d4f1a7c3e99"), 404, "itemNotFound"),
    (RequestSpec("GET", "/os-hypervisors", user="demo"), 403, "forbidden"),
    (RequestSpec("GET", "/flavors"), 200, None),
    (RequestSpec("POST", "/servers/8b9c5ee4-2c0c-4c4f-9d24-5d4f1a7c3e02/action", body=b'{"os-stop": null}'), 202, None),
])
def test_faults_flavors_and_an_action(app, spec, status, fault):
    doc = record(app, spec)
    assert doc["response"]["status"] == status
    assert doc["meta"]["line_detail"]["faithful"] is True, doc["meta"]["line_detail"]
    if fault:
        assert json.loads(doc["response"]["body"])[fault]["code"] == status


def test_compare_aligns_the_shared_frames_and_shows_what_nova_adds(capsys):
    assert main(["compare", "GET", "/servers/detail", "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert [target["name"] for target in doc["targets"]] == ["sample_api", "nova"]
    shared = [step["function"] for step in doc["steps"] if step["kind"] == "shared"]
    assert [name for name in shared if name in SHARED] == SHARED
    after_dispatch = doc["steps"][doc["steps"].index(next(s for s in doc["steps"]
                                                          if s.get("function") == "Resource.dispatch")) + 1]
    assert after_dispatch["kind"] == "between" and not after_dispatch["left"]
    validation = [hop for hop in after_dispatch["right"] if hop["layer"] == "validation" and hop["on_path"]]
    assert sum(hop["repeated"] for hop in validation) >= 20


def test_tracer_serve_answers_novaclient_and_stores_every_request(tmp_path):
    from keystoneauth1 import session, token_endpoint
    from novaclient import client

    from tracer.serve.server import TracedServer
    from tracer.store.traces import TraceStore

    store = TraceStore(str(tmp_path / "store"))
    server = TracedServer(store, port=0, detail="call", target="nova")
    server.start()
    try:
        endpoint = f"http://127.0.0.1:{server.port}/v2.1"
        novaclient = client.Client("2.1", session=session.Session(auth=token_endpoint.Token(endpoint, "admin:admin")))
        names = sorted(server.name for server in novaclient.servers.list())
        assert {"web-1", "db-1", "broken-1"} <= set(names)
        assert [flavor.name for flavor in novaclient.flavors.list()][:3] == ["m1.tiny", "m1.small", "m1.medium"]
        one = novaclient.servers.get("8b9c5ee4-2c0c-4c4f-9d24-5d4f1a7c3e01")
        assert one.name == "web-1" and one.status == "ACTIVE"
        with urllib.request.urlopen(urllib.request.Request(endpoint + "/flavors",
                                                           headers={"X-Auth-Token": "admin:admin"})) as answer:
            assert answer.status == 200
    finally:
        server.stop()
    rows = store.list(last=10)
    assert len(rows) == 4  # servers.list (detail), flavors.list (detail), servers.get, GET /flavors
    for row in rows:
        assert store.get(row.id)["meta"]["target"]["name"] == "nova"
    store.close()


def test_tracer_tui_records_a_request_on_nova_then_replays_it(app, monkeypatch):
    seen = []
    fake = types.ModuleType("tracer.tui")
    fake.run_tui = lambda trace: seen.append(trace) or 0
    fake.terminal_problem = lambda: None  # as on a terminal
    monkeypatch.setitem(sys.modules, "tracer.tui", fake)
    assert main(["tui", "--target", "nova", "GET", "/servers/detail"]) == 0
    [trace] = seen
    assert trace.meta["target"]["name"] == "nova" and trace.status == 200
    assert "ViewBuilder.show" in {code.qualname for code in trace.codes}


def test_another_nova_release_is_a_warning_and_a_best_effort(app, monkeypatch, capsys):
    monkeypatch.setattr(nova, "nova_version", lambda: "33.1.0")
    assert main(["run", "--target", "nova", "GET", "/flavors", "--detail", "call", "--format", "json"]) == 0
    out, err = capsys.readouterr()
    assert err.splitlines() == [f"tracer: warning: Nova 33.1.0 is installed; tracer's nova target was written against "
                                f"{nova.NOVA_VERSION} (pip install 'tracer[nova]'): labels and demo data may not fit"]
    assert json.loads(out)["response"]["status"] == 200
