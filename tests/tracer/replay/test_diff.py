"""tracer diff: two real traces aligned; where they parted, on which line, and the values that decided it."""

from __future__ import annotations

import json

import pytest
import webtest

from tracer.cli.main import main
from tracer.model.trace import Trace, save
from tracer.replay.diff import diff_traces
from tracer.targets.sample_api import RequestSpec, load_sample_api, record_request

ALL_TENANTS = "/servers/detail?all_tenants=1"


def record(path: str, user: str) -> Trace:
    return Trace.from_dict(record_request(RequestSpec("GET", path, user=user)))


@pytest.fixture(scope="module")
def admin_and_member() -> tuple[Trace, Trace]:
    return record(ALL_TENANTS, "admin"), record(ALL_TENANTS, "demo")


def test_the_statuses_are_what_a_real_client_gets(admin_and_member):
    admin, member = admin_and_member
    client = webtest.TestApp(load_sample_api())
    for trace, token in ((admin, "admin:admin"), (member, "demo:demo")):
        real = client.get("/v2.1" + ALL_TENANTS, headers={"X-Auth-Token": token}, expect_errors=True)
        assert trace.status == real.status_int


def test_the_divergence_is_the_policy_check_that_said_no(admin_and_member):
    admin, member = admin_and_member
    diff = diff_traces(admin, member)
    d = diff.divergence
    assert d is not None and not diff.same_path
    # where: the policy's authorize, on the line that tests the answer, called for the list of all projects
    assert d.frame == "authorize" and d.file == "sample_api/policy.py"
    source = admin.source_lines(d.file)
    assert source[d.line - 1].strip() == d.source and "allowed" in d.source
    assert "ServersController._get_servers" in d.callers
    # what each did next: the admin returns, the member raises
    assert "return" in d.a_next and "raise" in d.b_next
    values = {v.what: (v.a, v.b) for v in d.values}
    assert values["allowed"] == ("True", "False")
    # the events named are the ones the replay jumps to: the next line of authorize in each trace
    assert admin.code(d.a_event).qualname == "authorize" and member.code(d.b_event).qualname == "authorize"
    assert admin.lines[d.a_event] != member.lines[d.b_event]
    # what only one did: the member's fault, the admin's view of every server
    only_b = dict(diff.only_b)
    assert "Fault.__init__" in only_b
    assert dict(diff.only_a).get("ViewBuilder._update_link_prefix", 0) > 1


def test_the_same_request_twice_takes_the_same_path():
    a, b = record("/servers", "admin"), record("/servers", "admin")
    diff = diff_traces(a, b)
    assert diff.same_path and diff.divergence is None
    assert len(diff.pairs) == len([c for c in a.calls if not a.code(c).is_inline])
    assert diff.only_a == [] and diff.only_b == []


def test_tracer_diff_files_text_and_json(tmp_path, admin_and_member, capsys):
    admin, member = admin_and_member
    save(admin.doc, tmp_path / "a.json")
    save(member.doc, tmp_path / "b.json")
    assert main(["diff", str(tmp_path / "a.json"), str(tmp_path / "b.json")]) == 0
    out = capsys.readouterr().out
    assert "First divergence" in out and "sample_api/policy.py" in out and "allowed" in out
    assert main(["diff", str(tmp_path / "a.json"), str(tmp_path / "b.json"), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["a"]["status"] == 200 and data["b"]["status"] == 403
    assert data["divergence"]["frame"] == "authorize"
    assert main(["diff", str(tmp_path / "a.json"), str(tmp_path / "missing.json")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no such trace file" in err


def test_tracer_run_diff_as(capsys):
    assert main(["run", "GET", ALL_TENANTS, "--as", "demo", "--diff-as", "admin"]) == 0
    out = capsys.readouterr().out
    assert "A (demo:demo): HTTP 403" in out and "B (admin:admin): HTTP 200" in out
    assert "policy.py" in out
    assert main(["run", "GET", "/servers", "--diff-as", "demo", "--save", "x.json"]) == 2
    assert capsys.readouterr().err.count("\n") == 1
    assert main(["run", "GET", "/servers", "--diff-as", "a:b:c"]) == 2
