"""The source pane keeps each file's parsed document and rendered lines: back in a file, the same drawing."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual._tree_sitter import get_language
from textual.document._syntax_aware_document import SyntaxAwareDocument
from textual.widgets import TextArea

from tests.tracer.tui.pilots import wait_until_drawn_ahead
from tracer.model.trace import Trace, load
from tracer.tui.app import TraceApp
from tracer.tui.widgets import SourceView
from tracer.tui.widgets.documents import ParsedDocument

DATA = Path(__file__).resolve().parents[3] / "data"
SIZE = (120, 40)


@pytest.fixture(scope="module")
def detail() -> Trace:
    return load(DATA / "servers_detail.json")


def drawn(source: SourceView) -> list[list]:
    return [list(source.render_line(y)) for y in range(source.size.height)]


def test_a_parsed_document_highlights_like_textarea_s_own(detail):
    """Parsed from its bytes in one call, the tree gives the same captures (same names in the same order,
    the same nodes under each) as the line-by-line parse TextArea does."""
    language = get_language("python")
    query_text = TextArea.code_editor("", language="python")._get_builtin_highlight_query("python")
    texts = {**detail.files, "crlf": "def f():\r\n    return (1,\r\n  2)\r\n", "no newline": "x = [1,\n 2]"}
    query = None
    for name, text in texts.items():
        theirs, ours = SyntaxAwareDocument(text, language), ParsedDocument(text, language)
        query = query or theirs.prepare_query(query_text)
        assert ours.lines == theirs.lines, name
        expected, got = theirs.query_syntax_tree(query), ours.query_syntax_tree(query)
        assert list(got) == list(expected), name
        for capture, nodes in expected.items():
            spans = sorted((n.start_point, n.end_point) for n in nodes)
            assert sorted((n.start_point, n.end_point) for n in got[capture]) == spans, (name, capture)


async def test_back_in_a_file_the_source_reuses_its_document_and_draws_what_a_fresh_load_draws(detail):
    app = TraceApp(detail)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        source = app.query_one(SourceView)
        first_file, first_document = source.filename, source.document
        # somewhere in another file, then back in the first one at another line
        file_of = [detail.code(detail.frame_of[i]).filename for i in range(len(detail))]
        elsewhere = next(i for i, name in enumerate(file_of) if name != first_file)
        back = next(i for i in range(elsewhere, len(detail)) if file_of[i] == first_file
                    and detail.line_at(i, detail.frame_of[i]) != source.current_line)
        for index in (elsewhere, back):
            app.goto(index)
            await pilot.pause()
        assert source.filename == first_file
        assert source.document is first_document  # not parsed again
        revisited, scroll = drawn(source), source.scroll_offset
        # the same place, the file parsed and drawn from scratch
        source._documents.clear()
        source.filename = ""
        source.watch_position(app.position)
        await pilot.pause()
        assert source.document is not first_document
        assert source.scroll_offset == scroll
        assert drawn(source) == revisited


async def test_drawing_ahead_parses_every_file_and_draws_its_lines_as_textarea_does(detail):
    """Every file gets its document; each line of the pane is drawn as TextArea's own ``_render_line``
    draws it, at the top of the file, in its middle and at its end."""
    app = TraceApp(detail)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await wait_until_drawn_ahead(app, pilot)
        source = app.query_one(SourceView)
        assert set(source._documents) == set(detail.files)
        assert {name: len(lines) for name, lines in source._plain.items()} == {
            name: state[0].line_count for name, state in source._documents.items()
        }
        first_event = {}
        for index in range(len(detail)):
            first_event.setdefault(detail.code(detail.frame_of[index]).filename, index)
        compared = 0
        for filename, index in first_event.items():
            app.goto(index)
            await pilot.pause()
            assert source.filename == filename
            bottom = max(source.virtual_size.height - source.size.height, 0)
            for top in sorted({0, bottom // 2, bottom}):
                source.scroll_to(y=top, animate=False, immediate=True)
                await pilot.pause()
                for y in range(source.size.height):
                    assert list(source.render_line(y)) == list(TextArea._render_line(source, y)), (filename, top, y)
                    compared += 1
        assert compared > 200


async def test_after_drawing_ahead_a_jump_to_a_new_file_draws_only_its_marked_line(detail, monkeypatch):
    app = TraceApp(detail)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await wait_until_drawn_ahead(app, pilot)
        source = app.query_one(SourceView)
        drawn_by_textarea: list[int] = []
        textarea_render_line = TextArea._render_line

        def counting(self, y):
            drawn_by_textarea.append(y)
            return textarea_render_line(self, y)

        monkeypatch.setattr(TextArea, "_render_line", counting)
        seen = source.filename
        elsewhere = next(i for i in range(len(detail)) if detail.code(detail.frame_of[i]).filename != seen)
        app.goto(elsewhere)
        await pilot.pause()
        assert source.filename != seen
        assert source.size.height > 10
        assert len(drawn_by_textarea) == 1  # the painted line; the others were drawn ahead


async def test_a_big_trace_is_drawn_ahead_once_the_first_frame_is_up(detail, monkeypatch):
    import tracer.tui.app as app_module

    monkeypatch.setattr(app_module, "BIG_TRACE_EVENTS", 1)
    monkeypatch.setattr(app_module, "AHEAD_DELAY", 0.01)
    app = TraceApp(detail)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until_drawn_ahead(app, pilot, start=False)  # started by the app itself
        assert set(app.query_one(SourceView)._documents) == set(detail.files)
    small = TraceApp(detail)
    monkeypatch.setattr(app_module, "BIG_TRACE_EVENTS", len(detail) + 1)
    async with small.run_test(size=SIZE) as pilot:
        await pilot.pause(0.2)
        assert not small.drawn_ahead  # a small trace draws as it goes


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


def test_a_parsed_document_s_text_is_joined_once_and_again_after_an_edit():
    language = get_language("python")
    document = ParsedDocument("a = 1\nb = 2\n", language)
    assert document.text == SyntaxAwareDocument("a = 1\nb = 2\n", language).text
    assert document.text is document.text  # kept
    document.replace_range((0, 0), (0, 1), "c")
    assert document.text == "c = 1\nb = 2\n"


async def test_steps_in_a_file_without_focus_leave_the_cursor_and_paint_lines_as_textarea_does(detail):
    """Stepping with the hop tree focused, the painted line moves and stays in view while TextArea's
    cursor stays put; every line of the pane (the painted one, a breakpoint's, the rest) is what
    TextArea's own ``_render_line`` draws. Focusing the source brings the cursor to the painted line."""
    from tests.tracer.tui.test_app import inside_process_stack

    start = inside_process_stack(detail)
    app = TraceApp(detail, start=start)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        source = app.query_one(SourceView)
        filename = source.filename
        source.focus()
        await pilot.pause()
        source.move_cursor((source.current_line + 1, 0))  # a line breakpoint two lines below
        await pilot.press("b")
        app.query_one("#hops").focus()
        await pilot.pause()
        cursor = source.cursor_location
        painted, compared = set(), 0
        for _ in range(40):
            await pilot.press("n")
            if source.filename != filename:
                break
            assert source.cursor_location == cursor
            top = source.scroll_offset.y
            assert top <= source.current_line - 1 < top + source.scrollable_content_region.height
            painted.add(source.current_line)
            for y in range(source.size.height):
                assert list(source.render_line(y)) == list(TextArea._render_line(source, y)), y
                compared += 1
        assert len(painted) > 5 and compared > 100
        assert source._painted  # painted lines drawn here, not by TextArea
        source.focus()
        await pilot.pause()
        assert source.cursor_location == (source.current_line - 1, 0)


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
            assert source.scroll_offset.y == 0 and len(source.render_line(1).text) > 0
