"""The replay cursor: pdb's moves over recorded traces, and the twin invariants, checked exhaustively."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest
import webob

from tests.tracer import nova_fixture
from tracer.model.trace import CALL, EXCEPTION, LINE, RETURN, Trace, load
from tracer.record.recorder import Recorder
from tracer.replay.cursor import API_LAYERS, Cursor, Position, _layer_changes

DATA = Path(__file__).resolve().parents[2] / "data"
FIXTURES = sorted(DATA.glob("*.json"))
FAKE_MODULE = "tracerfake.app"


def load_fakeapp():
    """tests/tracer/fakeapp.py imported as ``tracerfake.app``, a module the recorder is told to include."""
    path = Path(__file__).parent.parent / "fakeapp.py"
    spec = importlib.util.spec_from_file_location(FAKE_MODULE, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[FAKE_MODULE] = module
    try:
        spec.loader.exec_module(module)
    finally:
        sys.modules.pop(FAKE_MODULE, None)
    return module


def record(app, detail="line") -> Trace:
    environ = webob.Request.blank("/v2.1/servers", headers={"X-Auth-Token": "admin:admin"}).environ
    _status, _headers, _body, doc = Recorder(include=("tracerfake",), detail=detail).call_wsgi(app, environ)
    return Trace.from_dict(doc)


@pytest.fixture(scope="module")
def fake_trace() -> Trace:
    return record(load_fakeapp().app)


@pytest.fixture(scope="module")
def call_detail_trace() -> Trace:
    """Calls, arguments and returns only: a frame's calls follow each other with no line in between."""
    return record(load_fakeapp().app, detail="call")


@pytest.fixture(scope="module")
def all_traces(fake_trace, call_detail_trace) -> list[Trace]:
    """The fake app's traces and every fixture recorded from sample_api."""
    nova = [nova_fixture.record(), nova_fixture.record("/v2.1/servers/srv-404"), nova_fixture.record(detail="call")]
    return [fake_trace, call_detail_trace, *nova] + [load(path) for path in FIXTURES]


def first_call(trace: Trace, qualname: str) -> int:
    return next(c for c in trace.calls if trace.code(c).qualname == qualname)


# -- basic moves -------------------------------------------------------------------------------------


def test_starts_at_the_first_event_viewing_its_frame(fake_trace):
    cursor = Cursor(fake_trace)
    assert cursor.position == Position(0, 0)
    assert cursor.at_start and not cursor.at_end


def test_step_visits_every_event_in_order_and_stops_at_the_end(fake_trace):
    cursor = Cursor(fake_trace)
    seen = [cursor.index]
    while not cursor.at_end:
        seen.append(cursor.step().index)
    assert seen == list(range(len(fake_trace)))
    assert cursor.step().index == len(fake_trace) - 1  # nowhere to go: stays
    assert cursor.step_back().index == len(fake_trace) - 2


def test_next_steps_over_calls_in_the_same_frame(fake_trace):
    cursor = Cursor(fake_trace)
    frames = set()
    while not cursor.at_end:
        frames.add(cursor.next().frame)
    assert frames == {0}  # never entered a callee
    build = first_call(fake_trace, "build")
    cursor.goto(build - 1)  # the line of app that calls build
    landed = cursor.next()
    assert landed.index == fake_trace.end_of[build] + 1
    assert fake_trace.frame_of[landed.index] == 0


def test_next_at_a_frame_return_continues_in_the_caller(fake_trace):
    build = first_call(fake_trace, "build")
    cursor = Cursor(fake_trace, fake_trace.end_of[build])
    assert fake_trace.kinds[cursor.index] == RETURN
    landed = cursor.next()
    assert landed.index == fake_trace.end_of[build] + 1
    assert landed.frame == fake_trace.parent[build]


def test_next_back_steps_back_over_calls_and_leaves_the_frame_at_its_start(fake_trace):
    build = first_call(fake_trace, "build")
    after = fake_trace.end_of[build] + 1
    cursor = Cursor(fake_trace, after)
    assert cursor.next_back().index == build - 1  # stepped back over the whole call
    cursor.goto(build)
    assert cursor.next_back().index == build - 1  # from the call event: into the caller


def test_return_goes_to_the_frame_return_then_to_the_caller_return(fake_trace):
    explode = first_call(fake_trace, "explode")
    rescue = fake_trace.parent[explode]
    cursor = Cursor(fake_trace, explode + 1)
    assert cursor.return_().index == fake_trace.end_of[explode]
    assert cursor.return_().index == fake_trace.end_of[rescue]
    assert cursor.return_back().index == rescue
    assert cursor.return_back().index == fake_trace.parent[rescue]
    assert cursor.return_back().index == 0  # the outermost call: nowhere further
    assert cursor.position == Position(0, 0)


def test_up_and_down_move_the_viewed_frame_not_time(fake_trace):
    explode = first_call(fake_trace, "explode")
    cursor = Cursor(fake_trace, explode + 1)
    stack = cursor.stack()
    assert stack == [0, fake_trace.parent[explode], explode]
    assert cursor.up() == Position(explode + 1, stack[1])
    assert cursor.viewed_line() == fake_trace.lines[explode - 1]  # rescue waits on the line that called
    assert cursor.up() == Position(explode + 1, 0)
    assert cursor.up() == Position(explode + 1, 0)  # the outermost frame: stays
    assert cursor.down() == Position(explode + 1, stack[1])
    assert cursor.down() == Position(explode + 1, explode)
    assert cursor.down() == Position(explode + 1, explode)


def test_next_and_return_act_on_the_viewed_frame_like_pdb(fake_trace):
    explode = first_call(fake_trace, "explode")
    rescue = fake_trace.parent[explode]
    cursor = Cursor(fake_trace, explode + 1)
    cursor.up()
    landed = cursor.next()
    assert fake_trace.frame_of[landed.index] == rescue and landed.index > fake_trace.end_of[explode]
    cursor.goto(explode + 1)
    cursor.up()
    assert cursor.return_().index == fake_trace.end_of[rescue]


def test_hops_stop_at_calls_of_the_api_layers_and_end_at_the_end(all_traces):
    for trace in all_traces:
        cursor = Cursor(trace)
        stops = []
        while not cursor.at_end:
            stops.append(cursor.hop_next().index)
        assert stops[-1] == len(trace) - 1
        for stop in stops[:-1]:
            assert trace.kinds[stop] == CALL and trace.code(stop).layer in API_LAYERS, trace.code(stop)


def test_home_and_end(fake_trace):
    cursor = Cursor(fake_trace, 5)
    assert cursor.end().index == len(fake_trace) - 1 and cursor.at_end
    assert cursor.home() == Position(0, 0)


def test_goto_clamps_and_resets_the_viewed_frame(fake_trace):
    cursor = Cursor(fake_trace, 4)
    cursor.up()
    assert cursor.goto(4) == Position(4, fake_trace.frame_of[4])
    assert cursor.goto(10**6).index == len(fake_trace) - 1
    assert cursor.goto(-3).index == 0


def test_where_is_pdb_style(fake_trace):
    explode = first_call(fake_trace, "explode")
    cursor = Cursor(fake_trace, explode + 1)
    entries = cursor.where()
    assert [e.function for e in entries] == ["app", "rescue", "explode"]
    assert entries[-1].format(viewed=True) == f"> tracerfake/app.py({fake_trace.lines[explode + 1]})explode()"
    assert entries[0].format(viewed=False).startswith("  tracerfake/app.py(")


# -- breakpoints and continue -------------------------------------------------------------------------


def test_cont_without_breakpoints_runs_to_the_end_and_back_to_the_start(fake_trace):
    cursor = Cursor(fake_trace, 3)
    assert cursor.cont().index == len(fake_trace) - 1
    assert cursor.cont_back().index == 0


def test_function_breakpoint_stops_at_each_call(fake_trace):
    cursor = Cursor(fake_trace)
    build = first_call(fake_trace, "build")
    assert cursor.toggle_function_breakpoint(fake_trace.code_ids[build]) is True
    assert cursor.cont().index == build
    assert cursor.cont().index == len(fake_trace) - 1
    assert cursor.cont_back().index == build
    assert cursor.toggle_function_breakpoint(fake_trace.code_ids[build]) is False
    assert cursor.breakpoint_hits() == []
    assert cursor.cont_back().index == 0


def test_line_breakpoint_stops_each_time_the_line_runs(fake_trace):
    build = first_call(fake_trace, "build")
    loop_line = fake_trace.lines[build + 3]  # the body of the for loop
    filename = fake_trace.code(build).filename
    runs = [i for i in range(len(fake_trace)) if fake_trace.kinds[i] == LINE and fake_trace.lines[i] == loop_line
            and fake_trace.code(i).filename == filename]
    assert len(runs) == 2
    cursor = Cursor(fake_trace)
    assert cursor.toggle_line_breakpoint(filename, loop_line) is True
    assert [cursor.cont().index, cursor.cont().index] == runs
    assert cursor.cont_back().index == runs[0]


# -- search ----------------------------------------------------------------------------------------


def test_search_finds_function_names_and_wraps(fake_trace):
    cursor = Cursor(fake_trace)
    explode = first_call(fake_trace, "explode")
    assert cursor.search("EXPLO").index == explode  # case-insensitive; the call is the first match
    found = cursor.matches("explo")  # the call, and any value naming it (where an exception was raised)
    assert found[0] == explode
    for expected in found[1:] + found[:1]:  # each later match in turn, then back round to the first
        assert cursor.search("explo").index == expected
    assert cursor.search("no-such-thing") is None
    assert cursor.index == explode


def test_search_finds_where_a_recorded_value_first_appears(fake_trace):
    cursor = Cursor(fake_trace)
    found = cursor.matches("rescued")
    kinds = [fake_trace.kinds[i] for i in found]
    assert RETURN in kinds  # rescue() returned it
    line = next(i for i in found if fake_trace.kinds[i] == LINE)
    assert fake_trace.code(line).qualname == "app"  # then it appears as app's local `outcome`
    later_lines = [i for i in range(line + 1, len(fake_trace)) if fake_trace.frame_of[i] == 0
                   and fake_trace.kinds[i] == LINE]
    assert not set(later_lines) & set(found)  # not again on every later line that still has it
    assert cursor.search("rescued").index == found[0]
    assert cursor.search("rescued", backward=True).index == found[-1]  # wraps backward


def test_search_sees_exceptions(fake_trace):
    cursor = Cursor(fake_trace)
    assert any(fake_trace.kinds[i] == EXCEPTION for i in cursor.matches("missing"))


# -- the twin invariants, on every state of every trace ------------------------------------------------

TWINS = [
    ("step", "step_back"),
    ("next", "next_back"),
    ("return_", "return_back"),
    ("cont", "cont_back"),
    ("hop_next", "hop_prev"),
    ("end", "home"),
    ("up", "down"),
]


def states(trace: Trace) -> list[Position]:
    """Every event, viewed from every frame on its stack."""
    return [Position(i, frame) for i in range(len(trace)) for frame in trace.stack(i)]


def move(cursor: Cursor, state: Position, name: str) -> Position:
    cursor.position = state
    return getattr(cursor, name)()


def with_breakpoints(trace: Trace) -> Cursor:
    cursor = Cursor(trace)
    for call in trace.calls[1::3]:  # some functions, some lines
        cursor.toggle_function_breakpoint(trace.code_ids[call])
    for i in range(2, len(trace), 7):
        if trace.kinds[i] == LINE:
            cursor.toggle_line_breakpoint(trace.code(i).filename, trace.lines[i])
    return cursor


@pytest.mark.parametrize(("forward", "backward"), TWINS)
def test_backward_then_forward_returns_to_the_same_state(all_traces, forward, backward):
    """Where a forward move lands, its backward twin then the forward move come back exactly."""
    for trace in all_traces:
        cursor = with_breakpoints(trace)
        reachable = {move(cursor, s, forward) for s in states(trace)}
        for state in reachable:
            came = move(cursor, state, backward)
            assert move(cursor, came, forward) == state, (trace.request_line, state, came)


@pytest.mark.parametrize(("forward", "backward"), TWINS)
def test_forward_then_backward_returns_to_the_same_state(all_traces, forward, backward):
    """Where a backward move lands, the forward move then the backward twin come back exactly."""
    for trace in all_traces:
        cursor = with_breakpoints(trace)
        reachable = {move(cursor, s, backward) for s in states(trace)}
        for state in reachable:
            went = move(cursor, state, forward)
            assert move(cursor, went, backward) == state, (trace.request_line, state, went)


@pytest.mark.parametrize(("forward", "backward"), [("step", "step_back"), ("up", "down")])
def test_step_and_frame_moves_are_exact_inverses_everywhere(all_traces, forward, backward):
    for trace in all_traces:
        cursor = Cursor(trace)
        for state in states(trace):
            if forward == "step" and state.frame != trace.frame_of[state.index]:
                continue  # a time move always views the frame of the new event
            went = move(cursor, state, forward)
            if went != state:
                assert move(cursor, went, backward) == state
            came = move(cursor, state, backward)
            if came != state:
                assert move(cursor, came, forward) == state


def test_next_is_undone_by_next_back_except_when_leaving_a_frame(all_traces):
    """The only exceptions: ``n`` from a return into the caller, and ``N`` from a call into the caller."""
    for trace in all_traces:
        cursor = Cursor(trace)
        for i in range(len(trace)):
            state = Position(i, trace.frame_of[i])
            went = move(cursor, state, "next")
            if went != state:
                leaves = trace.depth[went.index] < trace.depth[i]
                assert leaves == (move(cursor, went, "next_back") != state)
                assert not leaves or trace.kinds[i] == RETURN
            came = move(cursor, state, "next_back")
            if came != state:
                leaves = trace.depth[came.index] < trace.depth[i]
                assert leaves == (move(cursor, came, "next") != state)
                assert not leaves or trace.kinds[i] == CALL


# -- the indexes the moves use, against straightforward scans -------------------------------------


def test_steps_are_the_events_a_frame_has_at_its_own_depth(all_traces):
    for trace in all_traces:
        depth, frame_of = trace.depth, trace.frame_of
        for call in trace.calls:
            end = trace.end_of[call]
            expected = [j for j in range(call, end + 1) if frame_of[j] == call]
            assert trace.steps(call) == expected
            assert all(depth[j] == depth[call] for j in expected)


def test_next_and_next_back_match_a_scan_for_the_nearest_event_at_the_viewed_depth(all_traces):
    """pdb's ``n``: the first later event at the viewed frame's depth or shallower (stay when none);
    its twin the last earlier one. Checked for every event and every frame on its stack."""
    for trace in all_traces:
        depth, n = trace.depth, len(trace)
        cursor = Cursor(trace)
        for i in range(n):
            for frame in trace.stack(i):
                d = depth[frame]
                later = next((j for j in range(i + 1, n) if depth[j] <= d), None)
                earlier = next((j for j in range(i - 1, -1, -1) if depth[j] <= d), None)
                cursor.position = Position(i, frame)
                assert cursor.next().index == (i if later is None else later)
                cursor.position = Position(i, frame)
                assert cursor.next_back().index == (i if earlier is None else earlier)


def test_layer_changes_match_a_scan(all_traces):
    for trace in all_traces:
        layers = [trace.code(i).layer for i in range(len(trace))]
        assert _layer_changes(trace) == [i for i in range(1, len(trace)) if layers[i] != layers[i - 1]]
