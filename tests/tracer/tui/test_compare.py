"""The side-by-side replay: two traces, one cursor on their shared frames (``tracer compare --tui``)."""

from __future__ import annotations

import re

import pytest

from tests.tracer.nova_fixture import record
from tracer.model.trace import Trace
from tracer.replay.compare import compare
from tracer.replay.walkthrough import walkthrough_point
from tracer.targets.sample_api import RequestSpec, record_request
from tracer.tui.compare import Column, CompareApp


@pytest.fixture(scope="module")
def traces() -> tuple[Trace, Trace]:
    left = Trace.from_dict(record_request(RequestSpec("GET", "/servers/detail"), detail="call"))
    return left, record("/v2.1/servers/detail")


def current(column: Column) -> tuple[str, str]:
    """The function the column's cursor is on, and the source line it marks, as drawn."""
    lines = column.render().plain.splitlines() if hasattr(column.render(), "plain") else []
    function = next(line[2:].split("  ")[0] for line in lines if line.startswith("> "))
    marked = next(match.group(1) for line in lines if (match := re.match(r"^\s*\d+ -> (.*)$", line)))
    return function, marked


async def test_both_columns_move_together_over_the_shared_frames(traces):
    left, right = traces
    steps = compare(left, right)
    shared = [step.shared for step in steps if step.shared]
    assert {"Resource.__call__", "Resource.dispatch", "ViewBuilder.show"} <= set(shared)
    app = CompareApp(left, right, steps)
    async with app.run_test(size=(200, 60)) as pilot:
        seen = []
        for n in range(len(shared)):
            columns = app.query_one("#left", Column), app.query_one("#right", Column)
            (left_function, left_line), (right_function, right_line) = (current(c) for c in columns)
            assert left_function == right_function == shared[n]
            for column, marked in zip(columns, (left_line, right_line), strict=True):
                trace, frame = column.trace, column.frames[n]
                number = trace.line_at(walkthrough_point(trace), frame)
                assert trace.source_lines(trace.code(frame).filename)[number - 1].rstrip() == marked
            seen.append(left_function)
            await pilot.press("n")
        await pilot.press("n")  # past the last shared frame: stays there
        assert current(app.query_one("#left", Column))[0] == shared[-1]
        await pilot.press("p")
        assert current(app.query_one("#right", Column))[0] == shared[-2]
    assert seen == shared
