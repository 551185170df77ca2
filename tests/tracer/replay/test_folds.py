"""A chain of decorator frames is one hop: the tree and the replay find the same chain, and the hop walk steps
over it unless the learner opened it."""

from __future__ import annotations

import pytest
import webob

from tests.tracer import real_nova
from tests.tracer.render.test_tree_folding import LABELS, MODULE, SOURCE
from tracer.model.trace import Trace
from tracer.record.recorder import Recorder
from tracer.render.tree import HopTree
from tracer.replay.cursor import Cursor
from tracer.replay.folds import decorator_chains
from tracer.replay.hops import HopWalk, hop_stops
from tracer.targets import sample_api

#: the same app, but the method raises a 404 that escapes every wrapper and is answered by the app
RAISING = SOURCE.replace("    return listing()", "    raise LookupError('no such server')").replace(
    "    body = str(detail()).encode()",
    "    try:\n        body = str(detail()).encode()\n    except LookupError:\n        body = b'404'")


def recorded(fake_module, source: str = SOURCE) -> Trace:
    module = fake_module(MODULE, source)
    environ = webob.Request.blank("/").environ
    _status, _headers, _body, doc = Recorder(include=(MODULE,), detail="line", labels=LABELS).call_wsgi(
        module.app, environ)
    return Trace.from_dict(doc)


def named(trace: Trace, calls: list[int]) -> list[str]:
    return [trace.code(call).qualname for call in calls]


def test_the_replay_finds_the_chain_the_tree_folds(fake_module):
    trace = recorded(fake_module)
    chains = decorator_chains(trace)
    assert len(chains) == 1
    assert named(trace, chains[0]) == ["validated.<locals>.decorator.<locals>.wrapper"] * 3
    assert [trace.parent[call] for call in chains[0][1:]] == chains[0][:-1]  # each frame calls the next
    tree = HopTree(trace, labels=LABELS).lines()
    assert sum("3 decorator frames" in line for line in tree) == 1


def test_a_chain_an_exception_escaped_through_is_not_folded(fake_module):
    trace = recorded(fake_module, RAISING)
    assert any(trace.outcome(call).kind == "raised" for call in trace.calls
               if trace.code(call).name == "wrapper")  # the exception did go through the wrappers
    assert decorator_chains(trace) == []
    assert not any("decorator frames" in line for line in HopTree(trace, labels=LABELS).lines())


def test_the_walk_stops_at_the_chain_s_frames_only_while_it_is_opened(fake_module):
    trace = recorded(fake_module)
    walk = HopWalk(trace)
    chain = decorator_chains(trace)[0]
    path = hop_stops(trace)
    assert walk.stops == path and not set(chain) & set(path)
    assert walk.walk_into_chain(chain[0]) and walk.walks_into(chain[0])
    assert walk.stops == sorted(set(path) | set(chain))
    assert walk.walk_into_chain(chain[0], False) and not walk.walks_into(chain[0])
    assert walk.stops == path
    assert not walk.walk_into_chain(chain[1])  # a chain is opened from its first frame only


def test_sample_api_has_no_chain_and_its_walk_is_unchanged():
    trace = Trace.from_dict(sample_api.record_request(sample_api.RequestSpec("GET", "/servers/detail")))
    assert decorator_chains(trace) == []
    cursor = Cursor(trace)
    assert cursor.hop_walk.stops == hop_stops(trace) and cursor.hop_walk.chains() == {}


@pytest.fixture(scope="module")
def nova_detail() -> Trace:
    real_nova.skip_without_nova()
    return real_nova.servers_detail()


def test_in_real_nova_the_walk_goes_from_dispatch_to_the_controller_over_twenty_validation_frames(nova_detail):
    trace = nova_detail
    chains = decorator_chains(trace)
    assert len(chains) == 1
    chain = chains[0]
    assert len(chain) >= 15 and trace.code(trace.parent[chain[0]]).qualname == "Resource.dispatch"
    assert {trace.code(call).layer for call in chain} == {"validation"}
    names = {trace.code(call).qualname.split(".<locals>")[0] for call in chain}
    assert {"expected_errors", "query_schema", "response_body_schema"} <= names
    dispatch = trace.parent[chain[0]]
    cursor = Cursor(trace, dispatch)
    assert trace.code(cursor.hop_next().index).qualname == "ServersController.detail"
    assert cursor.hop_prev().index == dispatch

    cursor.hop_walk.walk_into_chain(chain[0])
    cursor.goto(dispatch)
    visited = []
    while trace.code(cursor.index).qualname != "ServersController.detail":
        visited.append(cursor.hop_next().index)
    assert visited[:-1] == chain  # every frame of the chain, outermost first, then the controller
    back = [cursor.hop_prev().index for _ in chain]
    assert back == chain[::-1]
