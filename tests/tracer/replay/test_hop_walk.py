"""``]`` follows the path a request takes, as the blog walkthrough of Nova's API reads it, each hop at its call."""

from __future__ import annotations

import pytest

from tracer.model.trace import CALL, Trace
from tracer.replay.cursor import Cursor
from tracer.targets import sample_api as target

#: the frames of the stack where the walkthrough stops in ``ViewBuilder.show``, outermost first
PATH = ["Resource.__call__", "Resource._process_stack", "Resource.dispatch", "ServersController.detail",
        "ServersController._get_servers", "ViewBuilder.detail", "ViewBuilder._list_view", "ViewBuilder.show"]


@pytest.fixture(scope="module")
def detail() -> Trace:
    return Trace.from_dict(target.record_request(target.RequestSpec("GET", "/servers/detail")))


def test_from_the_start_hop_next_reaches_show_at_its_call_through_every_frame_of_the_path(detail):
    cursor = Cursor(detail)
    show = next(c for c in detail.calls if detail.code(c).qualname == "ViewBuilder.show")
    visited = []
    presses = 0
    while cursor.index != show and not cursor.at_end:
        cursor.hop_next()
        presses += 1
        visited.append(detail.code(cursor.index).qualname)
        assert detail.kinds[cursor.index] == CALL
    assert cursor.index == show
    assert presses <= 15
    assert [name for name in visited if name in PATH] == PATH
    # helpers are not stops
    assert not {"url_join", "isotime", "Request.__init__", "_item_id"} & set(visited)


def test_hop_prev_walks_the_same_path_back(detail):
    cursor = Cursor(detail)
    forward = [cursor.index]
    while not cursor.at_end:
        forward.append(cursor.hop_next().index)
    backward = [cursor.index]
    while not cursor.at_start:
        backward.append(cursor.hop_prev().index)
    assert backward[::-1] == forward
