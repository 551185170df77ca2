"""The replay TUI driven by the Pilot: every key moves the cursor and every pane follows.

The fixtures are real sample_api traces (tests/data, made by make_fixtures.py). Expected pane
contents are computed here from the trace itself, not from the widgets.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from textual.widgets import Footer, Input

from tracer.model.trace import CALL, LINE, RETURN, Trace, load
from tracer.replay.cursor import Cursor, Position
from tracer.tui import run_tui
from tracer.tui.app import TraceApp
from tracer.tui.screens import HelpScreen, ResponseScreen
from tracer.tui.widgets import HopList, HopNote, SourceView, StackView, TraceHeader, VariablesView

DATA = Path(__file__).resolve().parents[2] / "data"
SIZE = (120, 40)


def fixture(name: str = "servers_detail") -> Trace:
    return load(DATA / f"{name}.json")


@pytest.fixture(scope="module")
def detail() -> Trace:
    return fixture()


def first_call(trace: Trace, qualname: str) -> int:
    return next(c for c in trace.calls if trace.code(c).qualname == qualname)


def inside_process_stack(trace: Trace) -> int:
    """The first line event of Resource._process_stack: where the pdb walkthrough of Nova's API stops."""
    call = first_call(trace, "Resource._process_stack")
    return next(i for i in range(call, len(trace)) if trace.kinds[i] == LINE and trace.frame_of[i] == call)


def expected_stack(trace: Trace, position: Position) -> list[str]:
    lines = []
    for frame in trace.stack(position.index):
        code = trace.code(frame)
        mark = ">" if frame == position.frame else " "
        lines.append(f"{mark} {code.filename}({trace.line_at(position.index, frame)}){code.qualname}()")
    return lines


def assert_panes_follow(app: TraceApp) -> None:
    """Source, stack, variables, note and header all show the App's position."""
    trace, position = app.trace, app.position
    index, frame = position
    source = app.query_one(SourceView)
    assert source.filename == trace.code(frame).filename
    assert source.current_line == trace.line_at(index, frame)
    top = source.scroll_offset.y  # the painted line is in view
    assert top <= source.current_line - 1 < top + source.scrollable_content_region.height
    assert source.selected_line == source.current_line  # the source's cursor joins the line run
    assert app.query_one(StackView).lines == expected_stack(trace, position)
    variables = app.query_one(VariablesView).rows
    shown = {name for title in ("arguments", "locals") for name, _ in variables.get(title, [])}
    assert shown == {name for name, _ in trace.locals_at(index, frame)}
    assert app.query_one(HopNote).shown_code == trace.code_ids[frame]
    assert f"event {index + 1}/{len(trace)}" in app.query_one(TraceHeader).text.plain
    hops = app.query_one(HopList)  # the frame's row, or its nearest caller's when the tree hides it
    shown = frame
    while not hops.is_shown(shown):
        shown = trace.parent[shown]
    assert hops.rows[hops.current_row] == shown


async def open_at(app: TraceApp, pilot, index: int) -> None:
    app.goto(index)
    await pilot.pause()


# -- the first frame ---------------------------------------------------------------------------------


async def test_opens_at_the_wsgi_entry_with_every_pane_filled(detail):
    app = TraceApp(detail)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.position == Position(0, 0)
        assert_panes_follow(app)
        header = app.query_one(TraceHeader).text.plain
        assert "GET /v2.1/servers/detail" in header
        assert "admin:admin" in header and "200 OK" in header
        assert f"{detail.duration_us / 1000:.1f} ms" in header
        assert app.query_one(SourceView).filename == "sample_api/api/openstack/urlmap.py"
        assert app.query_one(StackView).lines[0].startswith("> sample_api/api/openstack/urlmap.py(")
        assert "environ" in {name for name, _ in app.query_one(VariablesView).rows["arguments"]}
        assert app.query_one(HopList).has_focus


# -- every move key and its backward twin ---------------------------------------------------------------

KEYS = [
    ("s", "step", "S", "step_back"),
    ("n", "next", "N", "next_back"),
    ("r", "return_", "R", "return_back"),
    ("right_square_bracket", "hop_next", "left_square_bracket", "hop_prev"),
    ("end", "end", "home", "home"),
]


@pytest.mark.parametrize(("key", "method", "twin", "twin_method"), KEYS)
async def test_each_key_moves_like_the_cursor_and_its_twin_comes_back(detail, key, method, twin, twin_method):
    start = inside_process_stack(detail)
    expected = Cursor(detail, start)
    app = TraceApp(detail, start=start)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        before = app.position
        await pilot.press(key)
        assert app.position == getattr(expected, method)()
        assert app.position != before
        assert_panes_follow(app)
        await pilot.press(twin)
        assert app.position == getattr(expected, twin_method)()
        assert_panes_follow(app)
        await pilot.press(key)  # the forward move lands where it did: the twins undo each other
        assert app.position == getattr(expected, method)()


async def test_step_enters_a_call_and_next_steps_over_it(detail):
    process = first_call(detail, "Resource._process_stack")
    app = TraceApp(detail, start=process - 1)  # Resource.__call__ on the line that calls it
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("s")
        assert app.position.frame == process
        assert app.query_one(StackView).lines[-1].endswith("_process_stack()")
        await pilot.press("S", "n")
        assert app.position.index > detail.end_of[process]
        assert app.query_one(StackView).lines[-1].endswith("__call__()")
        assert_panes_follow(app)


async def test_up_and_down_view_other_frames_without_moving_in_time(detail):
    start = inside_process_stack(detail)
    app = TraceApp(detail, start=start)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("u")
        caller = detail.parent[detail.frame_of[start]]
        assert app.position == Position(start, caller)
        assert_panes_follow(app)
        stack = app.query_one(StackView).lines
        assert stack[-2].startswith("> ") and stack[-1].startswith("  ")
        assert app.query_one(SourceView).current_line == detail.line_at(start, caller)
        await pilot.press("d")
        assert app.position == Position(start, detail.frame_of[start])
        assert_panes_follow(app)


async def test_walk_from_the_entry_to_viewbuilder_show_and_back_with_pdb_keys(detail):
    """The issue's done-when: the learner reaches ViewBuilder.show and walks back to the WSGI entry."""
    show = first_call(detail, "ViewBuilder.show")
    app = TraceApp(detail)
    async with app.run_test(size=SIZE) as pilot:
        app.cursor.toggle_function_breakpoint(detail.code_ids[show])
        await pilot.press("c")
        assert app.position.index == show
        names = [line.split(")", 1)[1] for line in app.query_one(StackView).lines][-3:]
        assert names == [f"{detail.code(frame).qualname}()" for frame in detail.stack(show)][-3:]
        assert [name.rsplit(".", 1)[-1] for name in names] == ["_list_view()", "<listcomp>()", "show()"]
        assert names[-1] == "ViewBuilder.show()"  # the class, as pudb names a frame
        while app.position.index != 0:
            before = app.position
            await pilot.press("R")  # back to where this frame was called, then the caller's call, ...
            assert app.position.index < before.index
            assert_panes_follow(app)
        assert app.query_one(SourceView).filename == "sample_api/api/openstack/urlmap.py"


async def test_variables_show_the_return_value_and_the_exception(detail):
    end = detail.end_of[first_call(detail, "ViewBuilder.show")]
    app = TraceApp(detail, start=end)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        rows = app.query_one(VariablesView).rows
        assert detail.kinds[end] == RETURN
        assert rows["return value"][0][1].summary == detail.value(detail.data[end]).summary
    missing = fixture("server_not_found")
    raised = next(i for i in range(len(missing)) if missing.kind(i) == "exception")
    app = TraceApp(missing, start=raised)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        (name, value), = app.query_one(VariablesView).rows["exception"]
        assert value.summary == missing.value(missing.data[raised]).summary


async def test_redacted_values_are_marked(detail):
    at = next(i for i in range(len(detail)) if detail.kinds[i] == LINE
              and any(v.is_redacted for _, v in detail.scope(detail.data[i])))
    app = TraceApp(detail, start=at)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert any("🔒 [redacted: token]" in line for line in app.query_one(VariablesView).shown_text())


async def test_nested_values_expand_and_stay_expanded_while_stepping(detail):
    start = inside_process_stack(detail)
    app = TraceApp(detail, start=start)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        view = app.query_one(VariablesView)
        at = next(n for n, line in enumerate(view.lines) if line.value is not None and line.value.has_children)
        path, children = view.lines[at].path, [name for name, _ in view.lines[at].value.children]
        view.focus()
        for _ in range(at):
            await pilot.press("down")
        await pilot.press("space")  # the keyboard's way to expand the line under the cursor
        assert [line.name for line in view.lines[at + 1 : at + 1 + len(children)]] == children
        await pilot.press("n")
        again = next(n for n, line in enumerate(view.lines) if line.path == path)
        assert view.lines[again].expanded
        assert [line.path[:-1] for line in view.lines[again + 1 : again + 1 + len(children)]] == [path] * len(children)


# -- breakpoints and continue ---------------------------------------------------------------------


async def test_b_sets_a_function_breakpoint_that_c_and_C_stop_at(detail):
    shows = [c for c in detail.calls if detail.code(c).qualname == "ViewBuilder.show"]
    app = TraceApp(detail, start=shows[0])
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("b", "home")
        assert ("function", detail.code_ids[shows[0]]) in app.breakpoints
        await pilot.press("c")
        assert app.position.index == shows[0]
        await pilot.press("c")
        assert app.position.index == shows[1]
        await pilot.press("C")
        assert app.position.index == shows[0]
        await pilot.press("C")
        assert app.position.index == 0  # no earlier stop: the start
        assert_panes_follow(app)
        await pilot.press("end", "C")
        assert app.position.index == shows[-1]
        app.goto(shows[0])
        await pilot.press("b", "c")  # cleared: continue runs to the end
        assert app.position.index == len(detail) - 1


async def test_b_in_the_source_sets_a_line_breakpoint(detail):
    start = inside_process_stack(detail)
    later = next(i for i in range(start + 1, len(detail)) if detail.kinds[i] == LINE
                 and detail.frame_of[i] == detail.frame_of[start] and detail.lines[i] != detail.lines[start])
    app = TraceApp(detail, start=start)
    async with app.run_test(size=SIZE) as pilot:
        source = app.query_one(SourceView)
        source.focus()
        source.select_line(detail.lines[later])
        await pilot.press("b")
        assert app.breakpoints == {("line", (source.filename, detail.lines[later]))}
        assert detail.lines[later] in source.marked
        app.query_one(HopList).focus()
        await pilot.press("home", "c")
        hit = app.position.index
        assert detail.kinds[hit] == LINE and detail.lines[hit] == detail.lines[later]
        assert detail.code(hit).filename == source.filename


# -- search, palette, hop tree ---------------------------------------------------------------------


async def test_slash_searches_function_names_and_values(detail):
    app = TraceApp(detail)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash")
        search = app.query_one("#search", Input)
        assert search.display and search.has_focus
        await pilot.press(*"_process_stack", "enter")
        assert app.position.index == first_call(detail, "Resource._process_stack")
        assert not search.display and app.query_one(HopList).has_focus
        value = next(v for v in detail.doc["values"] if v[0] == "str" and "ACTIVE" in v[1].upper())
        await pilot.press("slash", *("backspace",) * 20, *"active", "enter")
        found = app.position.index
        assert found > first_call(detail, "Resource._process_stack")
        assert found in app.cursor.matches("active") and value
        await pilot.press("slash", *("backspace",) * 20, *"zzz-nothing", "enter")
        assert app.position.index == found  # no match: stays, says so


async def test_keys_type_into_the_search_box_instead_of_moving(detail):
    app = TraceApp(detail)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash", "s", "n", "end")
        assert app.position.index == 0
        assert app.query_one("#search", Input).value == "sn"
        await pilot.press("escape")
        assert not app.query_one("#search", Input).display


async def test_g_goes_to_a_hop_through_the_command_palette(detail):
    app = TraceApp(detail)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("g")
        await pilot.pause()
        await pilot.press(*"ViewBuilder.show")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        assert app.position.index == first_call(detail, "ViewBuilder.show")
        assert_panes_follow(app)


async def test_hop_tree_jumps_folds_and_marks_the_current_hop(detail):
    app = TraceApp(detail)
    async with app.run_test(size=SIZE) as pilot:
        hops = app.query_one(HopList)
        shown = [c for c in detail.calls if not detail.code(c).is_inline]
        assert hops.rows == shown
        await pilot.press("down", "down", "enter")
        assert app.position.index == shown[2]
        assert_panes_follow(app)
        glyph = lambda: "".join(seg.text for seg in hops.render_line(0)).lstrip(" ▶")[0]  # noqa: E731
        assert glyph() == "▾"
        await pilot.press("home", "space")  # fold the outermost call: one row left
        assert hops.rows == [detail.calls[0]]
        assert glyph() == "▸"  # the row shows it is folded
        app.goto(inside_process_stack(detail))
        await pilot.pause()
        assert hops.current_row == 0  # the folded ancestor stands for the hidden hop
        await pilot.press("space")
        assert hops.rows == shown
        assert glyph() == "▾"


async def test_a_click_picks_the_hop_or_frame_under_the_mouse(detail):
    """Rows count from inside the pane's border: a click on a row's name jumps to that very hop,
    a click on its fold glyph folds it, a click on a stack line views that frame."""
    app = TraceApp(detail, start=inside_process_stack(detail))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        hops = app.query_one(HopList)
        row = 3  # the fourth row on screen
        call = hops.rows[hops.scroll_offset.y + row]
        await pilot.click(hops, offset=(hops.glyph_end(call) + 2, row + 1))  # + 1: the top border
        await pilot.pause()
        assert app.position.index == call
        parent = hops.rows[hops.scroll_offset.y]
        await pilot.click(hops, offset=(hops.glyph_end(parent) - 1, 1))  # on its glyph: folds, no jump
        await pilot.pause()
        assert parent in hops.collapsed and app.position.index == call
        app.goto(inside_process_stack(detail))
        await pilot.pause()
        stack = app.query_one(StackView)
        caller = stack.entries[stack.scroll_offset.y].frame
        await pilot.click(stack, offset=(4, 1))
        await pilot.pause()
        assert app.position.frame == caller != stack.entries[-1].frame
        assert_panes_follow(app)


async def test_the_hop_tree_keeps_rows_in_sight_around_the_current_hop(detail):
    from tracer.tui.widgets.hops import SCROLL_MARGIN

    app = TraceApp(detail)
    async with app.run_test(size=SIZE) as pilot:
        hops = app.query_one(HopList)
        for target in (first_call(detail, "ViewBuilder.show"), detail.calls[5], detail.calls[-1]):
            app.goto(target)
            await pilot.pause()
            on_screen = hops.cursor_row - hops.scroll_offset.y
            assert hops.scroll_offset.y == 0 or on_screen >= SCROLL_MARGIN  # its callers above it, in sight
            last = hops.size.height - 1
            assert on_screen <= last - SCROLL_MARGIN or hops.scroll_offset.y == hops.max_scroll_y


# -- screens ---------------------------------------------------------------------------------------


async def test_o_shows_the_response_and_keys_do_not_move_behind_it():
    trace = fixture("server_not_found")
    app = TraceApp(trace)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("o")
        assert isinstance(app.screen, ResponseScreen)
        body = app.screen.body
        assert json.loads(body)["itemNotFound"]["code"] == 404
        assert "HTTP 404" in app.screen.query_one("#response-status").render().plain
        await pilot.press("s")
        assert app.position.index == 0
        await pilot.press("escape")
        assert not isinstance(app.screen, ResponseScreen)


async def test_question_mark_shows_help_and_closes_it(detail):
    app = TraceApp(detail)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("question_mark")
        assert not isinstance(app.screen, HelpScreen)


async def test_the_footer_shows_what_matters_and_the_help_every_key(detail):
    from tracer.tui.screens import HELP

    app = TraceApp(detail)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        bindings = [binding for (_node, binding, _enabled, _tooltip) in app.active_bindings.values()]
        shown = {binding.key for binding in bindings if binding.show}
        assert {"s", "n", "r", "c", "S", "left_square_bracket", "b", "t", "question_mark", "q"} <= shown
        names = {"slash": "/", "left_square_bracket": "[", "right_square_bracket": "]", "question_mark": "?",
                 "asterisk": "*", "ctrl+p": "g", "colon": ":"}
        for binding in TraceApp.BINDINGS:
            assert f"`{names.get(binding.key, binding.key)}`" in HELP, binding.key


async def test_an_80_column_footer_shows_every_key_it_has_whole(detail):
    """The footer fits 80 columns: no key cut off at the edge; help and quit among them."""
    app = TraceApp(detail)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        footer = app.query_one(Footer)
        keys = list(footer.query("FooterKey"))
        shown = {binding.key for (_node, binding, _enabled, _tooltip) in app.active_bindings.values() if binding.show}
        assert len(keys) == len(shown) >= 10
        assert all(key.region.width and key.region.right <= 80 for key in keys)
        assert {"question_mark", "q", "s", "n", "r", "c", "S", "left_square_bracket", "b", "t"} <= shown


async def test_q_quits(detail):
    app = TraceApp(detail)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("q")
        await pilot.pause()
        assert not app.is_running


async def test_a_tiny_terminal_still_shows_source_stack_and_variables(detail):
    app = TraceApp(detail, start=inside_process_stack(detail))
    async with app.run_test(size=(60, 20)) as pilot:
        await pilot.pause()
        assert app.screen.has_class("-narrow")
        source, stack, variables = app.query_one(SourceView), app.query_one(StackView), app.query_one(VariablesView)
        assert source.region.height >= 4 and source.region.width >= 50
        assert stack.region.height >= 2 and variables.region.height >= 3
        await pilot.press("n")
        assert_panes_follow(app)


async def test_error_requests_replay_to_the_end(detail):
    for name, status in (("server_not_found", 404), ("servers_bad_limit", 400)):
        trace = fixture(name)
        app = TraceApp(trace)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("end")
            assert app.position.index == len(trace) - 1
            assert f"{status} " in app.query_one(TraceHeader).text.plain
            assert_panes_follow(app)


async def test_an_empty_trace_still_opens(detail):
    doc = dict(detail.doc, events=[])
    app = TraceApp(Trace.from_dict(doc))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("s", "n", "end", "u", "b")
        assert app.position == Position(0, -1)
        assert "no events" in app.query_one(TraceHeader).text.plain


# -- run_tui: errors before the app starts -----------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "no such trace file"),
        (b"{not json", "invalid JSON"),
        (json.dumps({"format": "tracer-trace", "version": 99}).encode(), "unsupported trace version 99"),
    ],
)
def test_run_tui_refuses_a_bad_trace_with_one_line_and_exit_2(tmp_path, capsys, content, message):
    path = tmp_path / "bad.json"
    if content is not None:
        path.write_bytes(content)
    assert run_tui(path) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


def test_run_tui_refuses_an_unknown_start_function(detail, capsys):
    assert run_tui(detail, start="no_such_function") == 2
    assert "no call of 'no_such_function'" in capsys.readouterr().err


def test_the_event_kinds_the_tests_rely_on_are_in_the_fixture(detail):
    kinds = set(detail.kinds)
    assert {CALL, LINE, RETURN} <= kinds


# -- any terminal ------------------------------------------------------------------------------------


async def test_at_80x24_every_pane_can_be_shown_and_hidden_with_its_key(detail):
    app = TraceApp(detail, start=inside_process_stack(detail))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        panes = {"hops": HopList, "note": HopNote, "variables": VariablesView}
        shown = lambda name: app.query_one(panes[name]).region.area > 0  # noqa: E731
        assert not shown("hops") and not shown("note") and shown("variables")
        assert app.query_one(SourceView).region.height >= 5 and app.query_one(StackView).region.height >= 3
        for key, name in (("t", "hops"), ("i", "note"), ("v", "variables")):
            before = shown(name)
            await pilot.press(key)
            assert shown(name) != before, name
        assert shown("hops") and shown("note") and not shown("variables")
        hops = app.query_one(HopList)
        assert hops.has_focus and hops.region.width >= 24
        assert app.query_one(SourceView).region.width >= 30  # the source keeps a readable column
        await pilot.press("n")
        assert_panes_follow(app)
        await pilot.press("t", "i", "v")
        assert not shown("hops") and not shown("note") and shown("variables")
        assert not hops.has_focus  # focus left the hidden tree


async def test_the_header_keeps_the_event_and_the_function_on_a_narrow_terminal(detail):
    start = inside_process_stack(detail)
    for width in (80, 60):
        app = TraceApp(detail, start=start)
        async with app.run_test(size=(width, 24)) as pilot:
            await pilot.pause()
            header = app.query_one(TraceHeader)
            line = header.render().plain
            assert len(line) <= width and line.endswith("…")  # the request gave way, and says so
            assert f"event {start + 1}/{len(detail)}" in line and "Resource._process_stack" in line
            assert "GET /v2.1/servers/detail"[: width - len(header.step.plain) - 3] in line


async def test_the_stack_shows_every_frame_follows_the_viewed_one_and_signs_the_hidden_ones(detail):
    show = first_call(detail, "ViewBuilder.show")
    app = TraceApp(detail, start=show)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        stack = app.query_one(StackView)
        frames = detail.stack(show)
        assert [entry.frame for entry in stack.entries] == frames
        height = stack.scrollable_content_region.height
        assert len(frames) > height  # more frames than rows: some are out of sight
        top = stack.scroll_offset.y
        assert top == len(frames) - height  # the innermost frames in sight, as pdb shows them
        assert f"▲ {top} above" in stack.border_title and "below" not in stack.border_title
        for _ in range(len(frames) - 1):
            await pilot.press("u")
            viewed = stack.viewed_row
            assert stack.scroll_offset.y <= viewed < stack.scroll_offset.y + height  # it follows
        assert app.position.frame == frames[0] and stack.scroll_offset.y == 0
        below = len(frames) - height
        assert f"▼ {below} below" in stack.border_title and "above" not in stack.border_title
        text = "".join(segment.text for segment in stack.render_line(0))
        assert text.startswith(">") and text.rstrip().endswith(f"{detail.code(frames[0]).qualname}()")


async def test_the_hop_tree_hides_comprehension_frames_until_asked(detail):
    inline = [c for c in detail.calls if detail.code(c).is_inline]
    assert inline  # the fixture has <listcomp>/<genexpr> frames
    app = TraceApp(detail)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        hops = app.query_one(HopList)
        assert not any(hops.is_shown(c) for c in inline)
        inner = next(c for c in detail.calls if detail.parent.get(c, -1) in inline and not detail.code(c).is_inline)
        outer = detail.parent[detail.parent[inner]]
        assert hops.depth_of(inner) == hops.depth_of(outer) + 1  # called inside one: shown under its caller
        app.goto(inline[0])
        await pilot.pause()
        assert hops.rows[hops.current_row] == detail.parent[inline[0]]  # stood for by the frame it runs in
        await pilot.press("asterisk")
        assert hops.rows == detail.calls and hops.rows[hops.current_row] == inline[0]
        await pilot.press("asterisk")
        assert not any(hops.is_shown(c) for c in inline)


async def test_the_hop_tree_is_as_wide_as_its_names_need_on_a_wide_terminal(detail):
    app = TraceApp(detail)
    async with app.run_test(size=(200, 50)) as pilot:
        await pilot.pause()
        hops = app.query_one(HopList)
        assert hops.scrollable_content_region.width >= hops.widest()
        texts = ["".join(segment.text for segment in hops.render_line(y)) for y in range(hops.size.height)]
        assert not any("…" in text for text in texts)


def names_the_file(title: str, filename: str) -> bool:
    """The title starts with the file's path, or its end after ``…`` (whole folders, the file name kept)."""
    name = title.split("  ")[0]
    if name == filename:
        return True
    tail = name.removeprefix("…")
    return name.startswith("…/") and filename.endswith(tail) and tail.endswith(filename.rsplit("/", 1)[-1])


async def test_every_pane_title_counts_the_rows_out_of_sight(detail):
    """No pane draws a scrollbar: its title says how many rows are above and below what it shows."""
    show = first_call(detail, "ViewBuilder.show")
    app = TraceApp(detail, start=show)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        source, hops = app.query_one(SourceView), app.query_one(HopList)
        for pane, rows in ((source, len(source.lines)), (hops, len(hops.rows))):
            top, height = pane.scroll_offset.y, pane.scrollable_content_region.height
            below = max(rows - top - height, 0)
            assert rows > height  # the file and the tree are longer than their panes
            assert (f"▲ {top:,} above" in pane.border_title) == (top > 0)
            assert (f"▼ {below:,} below" in pane.border_title) == (below > 0)
        assert names_the_file(source.border_title, detail.code(show).filename)
        assert hops.border_title.startswith("hops")
        source.focus()
        await pilot.press("end")  # the replay's last event: the source shows another place
        await pilot.pause()
        top = source.scroll_offset.y
        below = max(len(source.lines) - top - source.scrollable_content_region.height, 0)
        assert names_the_file(source.border_title, detail.code(app.position.frame).filename)
        assert (f"▲ {top:,} above" in source.border_title) == (top > 0)
        assert (f"▼ {below:,} below" in source.border_title) == (below > 0)
        variables = app.query_one(VariablesView)
        height = variables.scrollable_content_region.height
        app.goto(show)
        await pilot.pause()
        variables.focus()
        for _ in range(3):
            variables.action_toggle()  # expand values until the pane overflows, or run out
            await pilot.press("down")
        await pilot.pause()
        rows, top = len(variables.lines), variables.scroll_offset.y
        below = max(rows - top - height, 0)
        assert variables.border_title.startswith("variables")
        assert (f"▼ {below:,} below" in variables.border_title) == (below > 0)
        assert (f"▲ {top:,} above" in variables.border_title) == (top > 0)


async def test_a_pane_scrolls_no_further_than_its_last_row(detail):
    """The scrollable height may hold more than the rows (it never shrinks); scrolling stops at the last row."""
    app = TraceApp(detail, start=first_call(detail, "ViewBuilder.show"))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        hops = app.query_one(HopList)
        height = hops.scrollable_content_region.height
        hops.scroll_to(y=10**6, animate=False, immediate=True)
        await pilot.pause()
        assert hops.scroll_offset.y == len(hops.rows) - height  # the last row at the bottom, not past it
        assert "▼" not in hops.border_title and f"▲ {len(hops.rows) - height:,} above" in hops.border_title
        hops.focus()
        await pilot.press("home")  # the replay's first event: the outermost call
        hops.cursor_row = 0
        await pilot.press("left")  # fold the outermost call: one row left
        await pilot.pause()
        assert len(hops.rows) == 1 and hops.scroll_offset.y == 0
        assert hops.border_title == "hops"
        variables = app.query_one(VariablesView)
        variables.scroll_to(y=10**6, animate=False, immediate=True)
        await pilot.pause()
        assert variables.scroll_offset.y == max(len(variables.lines) - variables.scrollable_content_region.height, 0)
