"""``tracer route`` and ``--deltas`` on real Nova 34: its router found in its paste pipeline, its layers probed.

Skipped, with the reason, where Nova is not installed (``pip install -e '.[test,nova]'`` installs it).
"""

from __future__ import annotations

import json

import pytest

pytest.importorskip("nova", reason="OpenStack Nova is not installed (pip install -e '.[test,nova]')")

from tracer.cli.main import main  # noqa: E402
from tracer.targets import nova, routing  # noqa: E402
from tracer.targets.choose import target_named  # noqa: E402
from tracer.targets.pipeline import routers  # noqa: E402
from tracer.targets.sample_api import RequestSpec  # noqa: E402

pytestmark = pytest.mark.timeout(600)

CANARY = "Canary-nova-route-S3cret"


def test_nova_s_router_is_found_in_its_paste_pipeline():
    app, _twin = nova.load_twins()
    found = routers(app)
    # /v2.1 and the legacy /v2 mount each build one
    assert [type(router).__name__ for router in found] == ["APIRouterV21", "APIRouterV21"]


def test_get_detail_reaches_detail_and_not_show(capsys):
    assert main(["route", "GET", "/servers/detail", "--target", "nova", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["script_name"] == "/v2.1" and data["path"] == "/servers/detail"
    assert (data["match"]["controller"], data["match"]["action"]) == ("ServersController", "detail")
    shadowed = [m for m in data["near_misses"] if m["outcome"] == "shadowed"]
    assert [(m["action"], m["variables"]) for m in shadowed] == [("show", {"id": "detail"})]
    assert shadowed[0]["index"] > data["match"]["index"]
    assert data["status"] == "200 OK"


def test_put_detail_is_update_with_id_detail_so_a_400(capsys):
    assert main(["route", "PUT", "/servers/detail", "--target", "nova"]) == 0
    out = capsys.readouterr().out
    assert "ServersController.update(id='detail')" in out.split("Near misses:")[0]
    assert "The app answered 400 Bad Request" in out


def test_a_secret_in_a_nova_url_is_scrubbed_from_the_explanation(capsys):
    explanation = routing.explain("GET", f"/servers/{CANARY}?password={CANARY}", target="nova")
    assert explanation.winner.variables == {"id": "[redacted]"}
    assert explanation.status.startswith("404")
    assert CANARY not in json.dumps(explanation.to_dict())


def test_deltas_show_nova_context_at_the_auth_hop_and_the_request_id_header(tmp_path, capsys):
    target = target_named("nova")
    app, twin = target.load_twins(None, None)
    doc = target.record(RequestSpec("GET", "/servers/detail"), app, twin, target.include, "line")
    assert doc["meta"]["line_detail"]["faithful"] is True, doc["meta"]["line_detail"]
    by_hop = {entry["hop"]: entry for entry in doc["deltas"]}
    added = {key: new for op, key, _old, new in by_hop["nova.api.auth:NovaKeystoneContext.__call__"]["environ"]
             if op == "+"}
    assert set(added) == {"nova.context"}
    urlmap = by_hop["nova.api.openstack.urlmap:URLMap.__call__"]["environ"]
    assert ["~", "SCRIPT_NAME", "''", "'/v2.1'"] in urlmap
    request_id = doc["response"]["headers"]["x-openstack-request-id"]
    assert ["+", "x-openstack-request-id", None, repr(request_id)] in [
        change for entry in doc["deltas"] for change in entry["headers"]]
    assert doc["route"]["match"]["action"] == "detail"  # the router hop's note
    # the re-run went through the same layers, which passed it by: one boundary per layer, once
    assert len([e for e in doc["deltas"] if e["hop"] == "nova.api.auth:NovaKeystoneContext.__call__"]) == 1
    (tmp_path / "t.json").write_text(json.dumps(doc))
    assert main(["show", str(tmp_path / "t.json"), "--deltas"]) == 0
    lines = capsys.readouterr().out.splitlines()
    auth = next(n for n, line in enumerate(lines) if "NovaKeystoneContext.__call__" in line)
    assert "Δ + nova.context: <nova.context.RequestContext" in lines[auth + 1]
    urlmap_line = next(n for n, line in enumerate(lines) if "URLMap.__call__" in line)
    below = lines[urlmap_line + 1:auth]
    # oslo.middleware's request-id filter is not recorded: its changes show under the last layer that is
    assert any("then oslo_middleware.request_id:RequestId.__call__ (not recorded)" in line for line in below)
    assert any(f"Δ + header x-openstack-request-id: '{request_id}'" in line for line in below)


def test_a_secret_never_reaches_nova_s_deltas(capsys):
    assert main(["run", "GET", f"/servers/{CANARY}?password={CANARY}", "--target", "nova", "--detail", "call",
                 "--deltas", "--format", "tree"]) == 0
    out = capsys.readouterr().out
    assert "Δ + nova.context" in out
    assert CANARY not in out
