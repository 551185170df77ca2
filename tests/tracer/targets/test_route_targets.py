"""``tracer route`` and ``--deltas`` on an app tracer knows nothing of (``module:callable``), and secrets kept out
of a route's explanation on every target."""

from __future__ import annotations

import json

import pytest

from tracer.cli.main import main
from tracer.model.trace import Trace
from tracer.targets.routing import explain
from tracer.targets.sample_api import RequestSpec, record_request

TARGET = "tests.tracer.targets.routed_app:app"
CANARY = "Canary-route-S3cret-77"


def route_json(capsys, *args: str) -> dict:
    assert main(["route", *args, "--format", "json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_the_detail_route_wins_over_the_one_with_a_variable_because_it_comes_first(capsys):
    data = route_json(capsys, "GET", "/things/detail", "--target", TARGET)
    assert (data["match"]["name"], data["match"]["action"], data["match"]["variables"]) == (
        "things_detail", "detail", {})
    assert data["tried_before_match"] == 2 and data["status"] == "200 OK"
    misses = {(m["action"], m["outcome"]): m for m in data["near_misses"]}
    assert misses[("show", "shadowed")]["variables"] == {"id": "detail"}
    assert "PUT" in misses[("update", "method")]["reason"]


def test_put_detail_is_the_update_route_and_the_app_s_400(capsys):
    assert main(["route", "PUT", "/things/detail", "--target", TARGET]) == 0
    out = capsys.readouterr().out
    assert "✓ #3   PUT    /things/{id}  → things.update(id='detail')" in out
    assert "The app answered 400 Bad Request" in out
    assert "not the router's 404" in out


def test_a_path_no_route_takes_is_the_router_s_own_404(capsys):
    data = route_json(capsys, "GET", "/nothing/here", "--target", TARGET)
    assert data["match"] is None and data["routes"] == 5 and data["status"].startswith("404")


def test_an_app_without_a_routes_router_or_a_bad_request_is_one_line_and_exit_2(capsys):
    assert main(["route", "GET", "/x", "--target", "tests.tracer.fakeapp:app"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "has no router built on routes" in err
    for args in (["GET", "/x", "--extensions-dir", "."], ["GET", "things"], ["FETCH", "/things"]):
        assert main(["route", *args, "--target", TARGET]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and err.startswith("tracer: error:")


def test_a_secret_in_the_url_never_shows_in_the_explanation(capsys):
    # a variable whose name says secret, and a value the request's query names as a password
    data = route_json(capsys, "GET", f"/keys/{CANARY}", "--target", TARGET)
    assert data["match"]["variables"] == {"api_key": "[redacted: api_key]"}
    assert data["path"] == "/keys/[redacted]"
    assert main(["route", "GET", f"/things/{CANARY}?password={CANARY}", "--target", TARGET, "--all"]) == 0
    out = capsys.readouterr().out
    assert "things.show(id='[redacted]')" in out
    assert CANARY not in out
    # sample_api's router, asked directly and as the trace's router note
    shown = explain("GET", f"/servers/{CANARY}?password={CANARY}")
    assert shown.winner.variables == {"id": "[redacted]"}
    assert CANARY not in json.dumps(shown.to_dict())
    doc = record_request(RequestSpec("GET", f"/servers/{CANARY}?password={CANARY}"), detail="call")
    assert doc["route"]["match"]["variables"] == {"id": "[redacted]"}
    assert CANARY not in json.dumps(doc["route"])


def test_deltas_and_the_route_are_recorded_for_a_module_callable_app(tmp_path, capsys):
    assert main(["run", "GET", "/things/detail", "--target", TARGET, "--save", str(tmp_path / "t.json"),
                 "--format", "json"]) == 0
    capsys.readouterr()
    doc = json.loads((tmp_path / "t.json").read_text())
    hops = [entry["hop"].partition(":")[2] for entry in doc["deltas"]]
    assert hops == ["UserFilter.__call__", "Router.__call__", "Router.dispatch"]
    user_filter = doc["deltas"][0]
    assert ["+", "routed_app.user", None, "'anonymous'"] in user_filter["environ"]
    assert ["+", "X-Served-By", None, "'routed_app'"] in user_filter["headers"]
    assert {key for _op, key, *_ in doc["deltas"][1]["environ"]} >= {"wsgiorg.routing_args"}
    assert doc["route"]["match"]["action"] == "detail"
    Trace.from_dict(doc)
    assert main(["show", str(tmp_path / "t.json"), "--deltas"]) == 0
    lines = capsys.readouterr().out.splitlines()
    at = next(n for n, line in enumerate(lines) if "UserFilter.__call__" in line)
    assert "Δ + routed_app.user: 'anonymous'" in lines[at + 1]
    assert "Δ + header X-Served-By: 'routed_app'" in lines[at + 2]


@pytest.mark.parametrize("detail", ["call", "line"])
def test_a_secret_never_reaches_a_module_callable_app_s_deltas(detail, capsys):
    assert main(["run", "GET", f"/things/{CANARY}?password={CANARY}", "--target", TARGET, "--detail", detail,
                 "-H", f"X-User: {CANARY}", "--deltas"]) == 0
    out = capsys.readouterr().out
    assert "Δ + routed_app.user: '[redacted]'" in out
    assert CANARY not in out
