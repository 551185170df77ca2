"""Per-hop deltas: what each WSGI layer added to or changed in the environ and the response headers."""

from __future__ import annotations

import json

import pytest

from tracer.cli.main import main
from tracer.model.trace import Trace, save
from tracer.record.recorder import Recorder
from tracer.targets.sample_api import RequestSpec, build_environ, load_sample_api, record_request

ADMIN_PASS = "Canary-delta-S3cret"
IMAGE = "e9d98eb1-4218-4508-ae7d-52f850e0be7c"


@pytest.fixture(scope="module")
def detail_doc() -> dict:
    return record_request(RequestSpec("GET", "/servers/detail"))


def by_hop(doc: dict) -> dict[str, dict]:
    return {entry["hop"].partition(":")[2]: entry for entry in doc["deltas"]}


def test_each_layer_in_order_with_what_it_changed(detail_doc):
    deltas = by_hop(detail_doc)
    assert list(deltas) == ["URLMap.__call__", "ComputeReqIdMiddleware.__call__", "FaultWrapper.__call__",
                            "RequestLog.__call__", "RequestBodySizeLimiter.__call__", "NoAuthMiddleware.__call__",
                            "Router.__call__", "Router._dispatch"]
    # every hop named is a call the trace recorded
    recorded = {f"{module}:{qualname}" for module, qualname, *_ in detail_doc["codes"]}
    assert all(entry["hop"] in recorded for entry in detail_doc["deltas"])
    assert ["~", "SCRIPT_NAME", "''", "'/v2.1'"] in deltas["URLMap.__call__"]["environ"]
    assert ["~", "PATH_INFO", "'/v2.1/servers/detail'", "'/servers/detail'"] in deltas["URLMap.__call__"]["environ"]
    added = {key: new for op, key, _old, new in deltas["NoAuthMiddleware.__call__"]["environ"] if op == "+"}
    assert "nova.context" in added and "user_id='admin'" in added["nova.context"]
    assert "nova.context" not in {key for _op, key, *_ in deltas["RequestLog.__call__"]["environ"]}
    routed = {key for op, key, *_ in deltas["Router.__call__"]["environ"] if op == "+"}
    assert "wsgiorg.routing_args" in routed


def test_the_request_id_header_is_the_one_the_client_got(detail_doc):
    deltas = by_hop(detail_doc)
    headers = {name: new for op, name, _old, new in deltas["ComputeReqIdMiddleware.__call__"]["headers"] if op == "+"}
    request_id = detail_doc["response"]["headers"]["x-openstack-request-id"]
    assert headers["x-openstack-request-id"] == repr(request_id)
    environ = {key: new for op, key, _old, new in deltas["ComputeReqIdMiddleware.__call__"]["environ"]}
    assert environ["openstack.request_id"] == repr(request_id) == repr(detail_doc["meta"]["request_id"])
    # the headers no layer added came from the app itself, as the response has them
    answered = deltas["Router._dispatch"]
    assert answered["answered"] and answered["status"] == "200 OK"
    assert {name for _op, name, *_ in answered["headers"]} == {
        name for name in detail_doc["response"]["headers"] if not name.startswith("x-")}


def test_probing_changes_no_hop():
    """The probes are outside the recorded modules: the hops are those of the app without them."""
    spec = RequestSpec("GET", "/servers/detail")
    _s, _h, _b, plain = Recorder(detail="call").call_wsgi(load_sample_api(), build_environ(spec))
    probed = record_request(spec, detail="call")
    assert probed["deltas"]
    calls = lambda doc: [doc["codes"][row[1]][:2] for row in doc["events"] if row[0] == 0]  # noqa: E731
    assert calls(plain) == calls(probed)


def test_secrets_never_reach_a_delta():
    """A token without a colon is, for noauth2, both the user and the project: the context it adds would
    show it, and must not."""
    token = "CanaryTokenWithoutColon42"
    body = {"server": {"name": "web", "flavorRef": "1", "imageRef": IMAGE, "adminPass": ADMIN_PASS}}
    spec = RequestSpec("POST", "/servers", body=json.dumps(body).encode(), headers={"X-Auth-Token": token})
    doc = record_request(spec)
    assert doc["response"]["status"] == 202
    text = json.dumps(doc["deltas"])
    assert ADMIN_PASS not in text
    assert token not in text
    added = {key: new for op, key, _old, new in by_hop(doc)["NoAuthMiddleware.__call__"]["environ"] if op == "+"}
    assert "[redacted" in added["nova.context"]  # it was there, and was scrubbed


def test_tracer_run_and_show_deltas(tmp_path, detail_doc, capsys):
    assert main(["run", "GET", "/servers/detail", "--deltas"]) == 0
    lines = capsys.readouterr().out.splitlines()
    tree = lines[next(n for n, line in enumerate(lines) if line.startswith("GET /v2.1/servers/detail")):]
    auth = next(n for n, line in enumerate(tree) if "NoAuthMiddleware.__call__" in line)
    # right under the auth hop's node, before its children
    assert "Δ + nova.context: <RequestContext" in tree[auth + 1]
    assert "NoAuthMiddlewareBase.base_call" in tree[auth + 2]
    urlmap = next(n for n, line in enumerate(tree) if "URLMap.__call__" in line)
    assert "Δ ~ SCRIPT_NAME: '' → '/v2.1'" in tree[urlmap + 1]
    assert any("Δ + header x-openstack-request-id:" in line for line in tree)
    save(detail_doc, tmp_path / "t.json")
    assert main(["show", str(tmp_path / "t.json"), "--deltas"]) == 0
    shown = capsys.readouterr().out
    assert "Δ + nova.context" in shown
    # every change recorded is shown, once
    assert shown.count("Δ ") == sum(len(e["environ"]) + len(e["headers"]) + bool(e.get("answered"))
                                    for e in detail_doc["deltas"])
    assert main(["show", str(tmp_path / "t.json")]) == 0
    assert "Δ" not in capsys.readouterr().out  # only when asked
    assert main(["show", str(tmp_path / "t.json"), "--deltas", "--format", "json"]) == 2
    assert capsys.readouterr().err.count("\n") == 1
    old = dict(detail_doc)
    old.pop("deltas")
    save(old, tmp_path / "old.json")
    assert main(["show", str(tmp_path / "old.json"), "--deltas"]) == 0
    out, err = capsys.readouterr()
    assert "Δ" not in out and "has no per-hop deltas" in err
    Trace.from_dict(old)  # a trace without deltas is still a valid trace


def test_one_app_records_request_after_request_with_its_layers_put_back():
    """The lessons send several requests through one app: each gets its own deltas, and the app is left as
    it was (no probe in front of any layer)."""
    from sample_api.api.openstack.urlmap import URLMap

    app = load_sample_api()
    first = record_request(RequestSpec("GET", "/servers"), app=app, detail="call")
    second = record_request(RequestSpec("GET", "/servers"), app=app, detail="call")
    assert [e["hop"] for e in first["deltas"]] == [e["hop"] for e in second["deltas"]]
    assert len(second["deltas"]) == 8
    assert isinstance(app, URLMap)
    layer, seen = dict(app.applications)["/v2.1/+"], 0
    while hasattr(layer, "application"):
        assert getattr(layer.application, "__name__", "") != "delta_probe"
        layer, seen = layer.application, seen + 1
    assert seen == 5  # compute_req_id, faultwrap, request_log, sizelimit, noauth2 down to the router
