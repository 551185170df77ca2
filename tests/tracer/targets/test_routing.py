"""tracer route: the router's routes asked one by one, checked against the method the request really reached."""

from __future__ import annotations

import json

import pytest

from tracer.cli.main import main
from tracer.model.trace import Trace
from tracer.targets.routing import explain
from tracer.targets.sample_api import RequestError, RequestSpec, record_request


def reached(method: str, path: str) -> tuple[str, dict]:
    """The action a real request through the whole app looked up (the Resource's ``get_method``), and the
    arguments it took from the URL (``get_action_args``), as recorded."""
    trace = Trace.from_dict(record_request(RequestSpec(method, path), detail="call"))
    lookup = trace.find_calls("Resource.get_method")[0]
    action = dict(trace.scope(trace.data[lookup]))["action"].summary.strip("'")
    args = trace.outcome(trace.find_calls("Resource.get_action_args")[0]).value.to_python()
    args = args if isinstance(args, dict) else {}  # an empty dict is a leaf: its summary
    return action, {key: value.strip("'") for key, value in args.items() if key != "body"}


def test_get_detail_reaches_detail_not_show():
    e = explain("GET", "/servers/detail")
    assert e.winner is not None and (e.winner.controller, e.winner.action) == ("ServersController", "detail")
    assert reached("GET", "/servers/detail") == ("detail", {})
    assert e.winner.variables == {} and e.winner.methods == ["GET"]
    shadowed = [t for t in e.near_misses if t.outcome == "shadowed"]
    assert [(t.action, t.variables) for t in shadowed] == [("show", {"id": "detail"})]
    assert shadowed[0].index > e.winner.index  # it comes later: routes takes the first match
    assert e.status == "200 OK"


def test_put_detail_matches_update_so_it_is_a_400_not_a_404():
    e = explain("PUT", "/servers/detail")
    assert (e.winner.action, e.winner.variables) == ("update", {"id": "detail"})
    assert reached("PUT", "/servers/detail") == ("update", {"id": "detail"})
    assert e.status.startswith("400")
    misses = {t.action: t for t in e.near_misses if t.outcome == "method"}
    assert "GET" in misses["detail"].reason and "PUT" in misses["detail"].reason


def test_show_binds_the_id():
    e = explain("GET", "/servers/abc")
    assert (e.winner.action, e.winner.variables) == ("show", {"id": "abc"})
    assert reached("GET", "/servers/abc") == ("show", {"id": "abc"})
    assert e.status.startswith("404") and "abc" in e.answer


def test_no_route_is_the_router_s_404():
    e = explain("GET", "/no/such/thing")
    assert e.winner is None and all(t.outcome == "path" for t in e.tried)
    assert e.status.startswith("404")


def test_tracer_route_text_json_and_errors(capsys):
    assert main(["route", "GET", "/servers/detail"]) == 0
    out = capsys.readouterr().out
    assert "Matched route #" in out and "ServersController.detail" in out and "show(id='detail')" in out
    assert main(["route", "PUT", "/v2.1/servers/detail", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["match"]["action"] == "update" and data["status"].startswith("400")
    for args in (["route", "FETCH", "/servers"], ["route", "GET", "servers"], ["route", "GET", "/"],
                 ["route", "GET", "/servers/%ff"]):
        assert main(args) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and err.startswith("tracer: error:")
    with pytest.raises(RequestError):
        explain("GET", "/identity/v3")
