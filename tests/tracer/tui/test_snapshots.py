"""Snapshots of the replay screen on fixture traces (fixed size, fixed timings): what a learner sees,
on a laptop's 80x24 terminal, a common 120x40 and a large 160x50.

Regenerate after a deliberate change with ``pytest tests/tracer/tui/test_snapshots.py --snapshot-update``
and look at each picture before committing (``rsvg-convert file.svg -o file.png``).
"""

from __future__ import annotations

from pathlib import Path

import pytest

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


SIZES = {"laptop": (80, 24), "common": (120, 40), "large": (160, 50)}


@pytest.mark.parametrize("size", SIZES.values(), ids=SIZES.keys())
def test_inside_process_stack_at_each_size(snap_compare, size):
    trace = fixture("servers_detail")
    assert snap_compare(TraceApp(trace, start=inside_process_stack(trace)), terminal_size=size)


@pytest.mark.parametrize("size", SIZES.values(), ids=SIZES.keys())
def test_deep_in_the_view_builder_at_each_size(snap_compare, size):
    """A deep stack: the stack pane says how many frames are above; comprehension frames stay out of the tree."""
    trace = fixture("servers_detail")
    show = next(c for c in trace.calls if trace.code(c).qualname == "ViewBuilder.show")
    assert snap_compare(TraceApp(trace, start=show), terminal_size=size)


def test_a_laptop_terminal_with_the_hop_tree_and_note_shown(snap_compare):
    trace = fixture("servers_detail")
    assert snap_compare(TraceApp(trace, start=inside_process_stack(trace)), terminal_size=SIZES["laptop"],
                        press=["t", "i", "v"])


def test_the_help_with_its_legend(snap_compare):
    assert snap_compare(TraceApp(fixture("servers_detail")), terminal_size=SIZES["common"],
                        press=["question_mark", "end"])


def test_a_tiny_terminal(snap_compare):
    trace = fixture("servers_detail")
    assert snap_compare(TraceApp(trace, start=inside_process_stack(trace)), terminal_size=(60, 20))
