"""Snapshots of the replay screen on fixture traces (fixed size, fixed timings): what a learner sees.

Regenerate after a deliberate change with ``pytest tests/tracer/tui/test_snapshots.py --snapshot-update``
and look at the report before committing.
"""

from __future__ import annotations

from pathlib import Path

from tracer.model.trace import EXCEPTION, LINE, Trace, load
from tracer.tui.app import TraceApp

DATA = Path(__file__).resolve().parents[2] / "data"
SIZE = (120, 40)


def fixture(name: str) -> Trace:
    return load(DATA / f"{name}.json")


def inside_process_stack(trace: Trace) -> int:
    call = next(c for c in trace.calls if trace.code(c).qualname == "Resource._process_stack")
    return next(i for i in range(call, len(trace)) if trace.kinds[i] == LINE and trace.frame_of[i] == call)


def first_exception(trace: Trace) -> int:
    return next(i for i in range(len(trace)) if trace.kinds[i] == EXCEPTION)


def test_servers_detail_at_the_start(snap_compare):
    assert snap_compare(TraceApp(fixture("servers_detail")), terminal_size=SIZE)


def test_servers_detail_inside_process_stack(snap_compare):
    trace = fixture("servers_detail")
    assert snap_compare(TraceApp(trace, start=inside_process_stack(trace)), terminal_size=SIZE)


def test_servers_detail_at_the_end(snap_compare):
    assert snap_compare(TraceApp(fixture("servers_detail")), terminal_size=SIZE, press=["end"])


def test_not_found_where_the_404_is_raised(snap_compare):
    trace = fixture("server_not_found")
    assert snap_compare(TraceApp(trace, start=first_exception(trace)), terminal_size=SIZE)


def test_bad_limit_where_the_400_is_raised(snap_compare):
    trace = fixture("servers_bad_limit")
    assert snap_compare(TraceApp(trace, start=first_exception(trace)), terminal_size=SIZE)


def test_the_response_of_the_404(snap_compare):
    assert snap_compare(TraceApp(fixture("server_not_found")), terminal_size=SIZE, press=["o"])


def test_a_tiny_terminal(snap_compare):
    trace = fixture("servers_detail")
    assert snap_compare(TraceApp(trace, start=inside_process_stack(trace)), terminal_size=(60, 20))
