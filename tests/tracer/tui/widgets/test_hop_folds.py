"""In the replay, real Nova's chain of validation decorator frames is one row that opens on a key, and ``]``
steps over it unless it is open; sample_api's tree and walk do not change."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.tracer import real_nova
from tracer.model.trace import Trace, load
from tracer.replay.hops import hop_stops
from tracer.tui.app import TraceApp
from tracer.tui.widgets import HopList

DATA = Path(__file__).resolve().parents[3] / "data"


@pytest.fixture(scope="module")
def nova_detail() -> Trace:
    real_nova.skip_without_nova()
    return real_nova.servers_detail()


def row_text(hops: HopList, call: int) -> str:
    return "".join(segment.text for segment in hops.label(call))


def wrapper_rows(hops: HopList) -> list[int]:
    """The rows of the validation layer's wrapper frames (the database layer has wrappers of its own)."""
    trace = hops.trace
    return [call for call in hops.rows
            if trace.code(call).layer == "validation" and trace.code(call).name in ("wrapper", "wrapped")]


async def test_the_validation_chain_is_one_row_and_the_walk_steps_over_it_until_opened(nova_detail):
    trace = nova_detail
    app = TraceApp(trace)
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.pause()
        hops = app.query_one(HopList)
        [(first, chain)] = hops.chains.items()
        dispatch = trace.parent[first]
        controller = next(c for c in trace.calls if trace.code(c).qualname == "ServersController.detail")

        # folded: one row for the whole chain, the controller one level below it, no wrapper row
        assert wrapper_rows(hops) == [first]
        text = row_text(hops, first)
        assert text.lstrip().startswith(f"≡ {len(chain)} decorator frames")
        assert "expected_errors" in text and "response_body_schema" in text
        assert hops.is_shown(controller) and not hops.is_shown(chain[-1])
        assert hops.depth_of(first) == hops.depth_of(dispatch) + 1
        assert hops.depth_of(controller) == hops.depth_of(first) + 1
        assert hops.label_width(first) == 1 + len(text)

        app.goto(dispatch)
        await pilot.press("right_square_bracket")
        assert app.position.index == controller  # the twenty frames are stepped over
        await pilot.press("left_square_bracket")
        assert app.position.index == dispatch

        # the chain's row opened from the keyboard: each frame a row, and ] stops at each
        hops.focus()
        hops.cursor_row = hops.rows.index(first)
        await pilot.press("right")
        await pilot.pause()
        assert wrapper_rows(hops)[: len(chain)] == chain
        assert "decorator frames" not in row_text(hops, first)
        assert hops.depth_of(controller) == hops.depth_of(first) + len(chain)
        for frame in chain:
            await pilot.press("right_square_bracket")
            assert app.position.index == frame
        await pilot.press("right_square_bracket")
        assert app.position.index == controller

        # folded again (←), the walk steps over it again
        hops.cursor_row = hops.rows.index(first)
        await pilot.press("left")
        await pilot.pause()
        assert wrapper_rows(hops) == [first]
        app.goto(dispatch)
        await pilot.press("right_square_bracket")
        assert app.position.index == controller


async def test_standing_inside_the_folded_chain_marks_its_row(nova_detail):
    """A step into a wrapper or a check the chain hides: the chain's row is the one marked ▶."""
    trace = nova_detail
    app = TraceApp(trace)
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.pause()
        hops = app.query_one(HopList)
        [(first, chain)] = hops.chains.items()
        for frame in (chain[1], chain[-1], trace.children(chain[0])[0]):
            app.goto(frame)
            await pilot.pause()
            assert hops.rows[hops.current_row] == first


async def test_sample_api_s_tree_and_walk_do_not_change():
    trace = load(DATA / "servers_detail.json")
    app = TraceApp(trace)
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.pause()
        hops = app.query_one(HopList)
        assert hops.chains == {}
        assert len(hops.rows) == sum(1 for call in trace.calls if not trace.code(call).is_inline)
        assert not any("decorator frames" in row_text(hops, call) for call in hops.rows)
        stops = []
        while not app.cursor.at_end:
            await pilot.press("right_square_bracket")
            stops.append(app.position.index)
        assert stops[:-1] == [stop for stop in hop_stops(trace) if stop > 0]
