"""The source pane: each file highlighted once, drawn as the trace recorded it, the line run marked."""

from __future__ import annotations

from pathlib import Path

import pytest
from pygments.lexers import PythonLexer
from pygments.token import Keyword

from tests.tracer.tui.pilots import wait_until_drawn_ahead
from tracer.model.trace import Trace, load
from tracer.tui.app import TraceApp
from tracer.tui.widgets import SourceView

DATA = Path(__file__).resolve().parents[3] / "data"
SIZE = (120, 40)


@pytest.fixture(scope="module")
def detail() -> Trace:
    return load(DATA / "servers_detail.json")


def texts(source: SourceView) -> list[str]:
    return ["".join(segment.text for segment in source.render_line(y)) for y in range(source.size.height)]


async def test_the_pane_shows_the_recorded_text_with_line_numbers_and_the_line_run_marked(detail):
    from tests.tracer.tui.test_app import inside_process_stack

    start = inside_process_stack(detail)
    app = TraceApp(detail, start=start)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        source = app.query_one(SourceView)
        recorded = detail.files[source.filename].expandtabs(4).splitlines()
        width = source.scrollable_content_region.width
        top = source.scroll_offset.y
        for y, text in enumerate(texts(source)):
            number = top + y + 1
            gutter, code = text[: len(str(len(recorded))) + 3], text[len(str(len(recorded))) + 3 :]
            assert gutter.split()[0] == str(number)
            assert ("▶" in gutter) == (number == detail.line_at(start, detail.frame_of[start]))
            expected = recorded[number - 1]
            if len(gutter) + len(expected) <= width:
                assert code.rstrip() == expected.rstrip()
            else:  # too long for the pane: cut, and it says so
                assert code.endswith("…") and expected.startswith(code[:-1])


async def test_keywords_are_coloured_where_pygments_finds_them(detail):
    """Highlighting checked against the lexer itself: every ``def``/``return`` keyword token on screen
    has a colour, and a plain name next to none of them shares it."""
    app = TraceApp(detail)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        source = app.query_one(SourceView)
        lines = source.lines
        text = detail.files[source.filename].expandtabs(4)
        tokens = PythonLexer().get_tokens_unprocessed(text)
        keyword_lines = {text.count("\n", 0, offset) for offset, token, value in tokens
                         if token in Keyword and value in ("def", "return")}
        assert keyword_lines
        for index in sorted(keyword_lines)[:20]:
            line = lines[index]
            for word in ("def", "return"):
                at = line.plain.find(word + " ")
                if at >= 0 and line.plain[:at].strip() == "":
                    assert line.get_style_at_offset(app.console, at).color is not None
            assert line.plain == text.splitlines()[index]


async def test_each_file_is_highlighted_once_and_drawn_ahead_while_the_learner_reads(detail):
    app = TraceApp(detail)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        source = app.query_one(SourceView)
        first_file, first_lines = source.filename, source.lines
        await wait_until_drawn_ahead(app, pilot)
        assert all(source.is_highlighted(name) for name in detail.files)
        elsewhere = next(i for i in range(len(detail)) if detail.code(detail.frame_of[i]).filename != first_file)
        back = next(i for i in range(elsewhere, len(detail)) if detail.code(detail.frame_of[i]).filename == first_file)
        for index in (elsewhere, back):
            app.goto(index)
            await pilot.pause()
        assert source.filename == first_file and source.lines is first_lines  # not highlighted again


async def test_a_big_trace_is_drawn_ahead_once_the_first_frame_is_up(detail, monkeypatch):
    import tracer.tui.app as app_module

    monkeypatch.setattr(app_module, "BIG_TRACE_EVENTS", 1)
    monkeypatch.setattr(app_module, "AHEAD_DELAY", 0.01)
    app = TraceApp(detail)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until_drawn_ahead(app, pilot, start=False)  # started by the app itself
        assert all(app.query_one(SourceView).is_highlighted(name) for name in detail.files)
    small = TraceApp(detail)
    monkeypatch.setattr(app_module, "BIG_TRACE_EVENTS", len(detail) + 1)
    async with small.run_test(size=SIZE) as pilot:
        await pilot.pause(0.2)
        assert not small.drawn_ahead  # a small trace highlights as it goes


async def test_a_big_trace_collects_garbage_less_often_while_shown(detail, monkeypatch):
    """The garbage collector's first threshold is raised while a big trace is on screen (a step's
    short-lived strips are freed before it would walk them), and Python's own comes back on exit."""
    import gc

    import tracer.tui.app as app_module

    monkeypatch.setattr(app_module, "BIG_TRACE_EVENTS", 1)
    before = gc.get_threshold()
    app = TraceApp(detail)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            await pilot.pause()
            assert gc.get_threshold() == (app_module.YOUNG_OBJECTS_BEFORE_GC, *before[1:])
        assert gc.get_threshold() == before
    finally:
        gc.set_threshold(*before)


async def test_steps_keep_the_line_run_in_view_and_what_is_kept_is_what_is_drawn_afresh(detail):
    """Stepping through a file, the marked line moves and stays in sight; every line on screen, taken
    from the strip cache, is what the pane draws with its cache emptied; a line breakpoint is marked."""
    from tests.tracer.tui.test_app import inside_process_stack

    start = inside_process_stack(detail)
    app = TraceApp(detail, start=start)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        source = app.query_one(SourceView)
        filename = source.filename
        source.focus()
        source.select_line(source.current_line + 2)
        breakpoint_line = source.selected_line
        await pilot.press("b")
        app.query_one("#hops").focus()
        painted = set()
        for _ in range(40):
            await pilot.press("n")
            if source.filename != filename:
                break
            top = source.scroll_offset.y
            assert top <= source.current_line - 1 < top + source.scrollable_content_region.height
            painted.add(source.current_line)
            kept = [list(source.render_line(y)) for y in range(source.size.height)]
            source._strips.clear()
            assert kept == [list(source.render_line(y)) for y in range(source.size.height)]
            if top <= breakpoint_line - 1 < top + source.size.height and source.current_line != breakpoint_line:
                assert "●" in texts(source)[breakpoint_line - 1 - top]
        assert len(painted) > 5


async def test_a_source_shorter_than_its_events_say_still_replays(detail):
    """A trace whose file text ends before the lines its events name: the pane keeps its last line in
    view instead of failing, on arrival and on steps within the file."""
    from tests.tracer.tui.test_app import inside_process_stack

    start = inside_process_stack(detail)
    filename = detail.code(detail.frame_of[start]).filename
    short = dict(detail.doc, files={**detail.doc["files"], filename: "# cut short\nx = 1\n"})
    trace = Trace.from_dict(short)
    app = TraceApp(trace, start=start)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        source = app.query_one(SourceView)
        for _ in range(5):
            await pilot.press("n")
            assert source.filename == filename and source.current_line > 2
            assert source.scroll_offset.y == 0 and "x = 1" in texts(source)[1]
