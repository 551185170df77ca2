"""The panes' render caches never show anything a render from scratch would not.

A terminal only receives the updates: painted onto a virtual terminal, every update of a key sequence
must add up to what the screen draws once every cache is forgotten.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.cells import cell_len
from rich.segment import ControlType
from textual.app import App
from textual.widget import Widget

from tests.tracer.tui.pilots import wait_until_drawn_ahead
from tracer.model.trace import Trace, load
from tracer.tui.app import TraceApp
from tracer.tui.widgets import HopList, SourceView, VariablesView
from tracer.tui.widgets.memo import MemoStylesCache

DATA = Path(__file__).resolve().parents[3] / "data"
WIDTH, HEIGHT = 120, 40
KEYS = ["s", "s", "s", "n", "n", "r", "R", "right_square_bracket", "left_square_bracket", "u", "d", "b", "c", "c",
        "C", "end", "S", "home", "tab", "down", "down", "b", "s", "c", "C", "tab", "r", "r", "N", "N"]


@pytest.fixture(scope="module")
def detail() -> Trace:
    return load(DATA / "servers_detail.json")


class Terminal:
    """Cells written by the screen updates, as a terminal would hold them."""

    def __init__(self) -> None:
        self.cells = [[(" ", "")] * WIDTH for _ in range(HEIGHT)]

    def paint(self, update, console) -> None:
        x = y = 0
        for segment in update.__rich_console__(console, console.options):
            if segment.control:
                for control in segment.control:
                    if control[0] == ControlType.CURSOR_MOVE_TO:
                        x, y = control[1], control[2]
            elif segment.text == "\n":
                x, y = 0, y + 1
            else:
                for char in segment.text:
                    if 0 <= y < HEIGHT and 0 <= x < WIDTH:
                        self.cells[y][x] = (char, str(segment.style))
                    x += max(cell_len(char), 1)


@pytest.fixture
def terminal(monkeypatch) -> Terminal:
    """A terminal painted with every screen update the app sends while the test runs."""
    painted = Terminal()
    display = App._display

    def paint_then_display(self, screen, update):
        if update is not None and hasattr(update, "__rich_console__") and screen is self.screen:
            painted.paint(update, self.console)
        return display(self, screen, update)

    monkeypatch.setattr(App, "_display", paint_then_display)
    return painted


def from_scratch(app: TraceApp) -> list[list[tuple[str, str]]]:
    """The screen drawn again with every render cache of the panes forgotten."""
    widgets = list(app.screen.walk_children(with_self=False))
    widgets += [bar for w in widgets for bar in (w._vertical_scrollbar, w._horizontal_scrollbar) if bar is not None]
    for widget in widgets:
        for name in ("_drawn", "_strips", "_plain", "_rows", "_line_cache", "_kept_component_styles"):
            kept = getattr(widget, name, None)
            if kept is not None:
                kept.clear()
        if isinstance(widget._styles_cache, MemoStylesCache):
            widget._styles_cache._drawn.clear()
        widget._set_dirty()
    rows = []
    for strip in app.screen._compositor.render_strips():
        rows.append([(char, str(segment.style)) for segment in strip for char in segment.text][:WIDTH])
    return rows


@pytest.mark.parametrize("ahead", [False, True], ids=["as-needed", "drawn-ahead"])
async def test_the_updates_a_terminal_receives_add_up_to_a_render_from_scratch(detail, terminal, ahead):
    app = TraceApp(detail)
    async with app.run_test(size=(WIDTH, HEIGHT)) as pilot:
        await pilot.pause()
        if ahead:  # every file's lines drawn and finished before the keys
            await wait_until_drawn_ahead(app, pilot)
        for key in KEYS:
            await pilot.press(key)
            await pilot.pause()
            await pilot.pause()
            assert terminal.cells == from_scratch(app), key
            await pilot.pause()


async def test_the_hop_tree_repaints_the_rows_its_marks_leave_and_reach(detail, terminal):
    """The current hop's mark and the keyboard cursor are repainted where they leave and where they
    arrive, whether the cursor was on the current row, is moved to it, or already waits there."""
    app = TraceApp(detail)
    async with app.run_test(size=(WIDTH, HEIGHT)) as pilot:
        await pilot.pause()
        hops = app.query_one(HopList)
        assert hops.has_focus
        moves = [("goto", 1), ("key", "down"), ("key", "down"), ("goto", 3),  # the cursor waits on row 3
                 ("key", "up"), ("goto", 4),  # the cursor (row 2) is neither the old row nor the new one
                 ("goto", 2), ("key", "down"), ("goto", 0)]
        for kind, what in moves:
            if kind == "goto":
                app.goto(detail.calls[what])
            else:
                await pilot.press(what)
            await pilot.pause()
            await pilot.pause()
            if kind == "goto":
                assert hops.current_row == what
            assert terminal.cells == from_scratch(app), (kind, what)
            await pilot.pause()


async def test_a_scrollbar_repaints_only_when_its_thumb_moves(detail):
    app = TraceApp(detail)
    async with app.run_test(size=(WIDTH, HEIGHT)) as pilot:
        await pilot.pause()
        bar = app.query_one(HopList).vertical_scrollbar
        assert bar._still is not None  # drawn
        bar.refresh()
        assert bar._still is not None  # the same bar: not repainted
        bar.position = bar.window_virtual_size - bar.window_size  # the thumb to the bottom
        assert bar._still is None
        await pilot.pause()
        assert bar._still is not None


async def test_a_scrollbar_knows_its_bar_changed_as_drawing_it_would_tell(detail):
    """What a bar checks on each scroll (its place: sizes, colours, the thumb's cells and eighths) is the
    same for two states only when Textual draws the same bar for both (its look)."""
    app = TraceApp(detail)
    async with app.run_test(size=(WIDTH, HEIGHT)) as pilot:
        await pilot.pause()
        source = app.query_one(SourceView)
        source.scroll_to(x=1, animate=False, immediate=True)
        await pilot.pause()
        for bar in (app.query_one(HopList).vertical_scrollbar, source.horizontal_scrollbar):
            looks: dict = {}
            for virtual in (41, 100, 1_000, 20_000):
                for window in (10, 36, 40):
                    for position in range(0, virtual, max(virtual // 97, 1)):
                        bar.window_virtual_size, bar.window_size, bar.position = virtual, window, position
                        for hovered in (False, True):
                            bar.mouse_over = hovered
                            place, look = bar._place(), bar._look()
                            assert place is not None and looks.setdefault(place, look) == look, (virtual, window)
            assert len(set(looks.values())) > 200  # thumbs of many shapes and places were compared


async def test_leaving_a_file_keeps_its_drawn_lines(detail, monkeypatch):
    """Back in a file, the lines drawn of it before are not drawn again."""
    from textual.widgets import TextArea

    app = TraceApp(detail)
    async with app.run_test(size=(WIDTH, HEIGHT)) as pilot:
        await pilot.pause()
        source = app.query_one(SourceView)
        first = source.filename
        file_of = [detail.code(detail.frame_of[i]).filename for i in range(len(detail))]
        app.goto(next(i for i, name in enumerate(file_of) if name != first))
        await pilot.pause()
        assert source.filename != first
        assert len(source._plain[first]) > 10  # what was drawn of the first file is still there
        drawn: list[str] = []
        draw_plain, draw_marked = SourceView._draw_plain_line, TextArea._render_line
        monkeypatch.setattr(SourceView, "_draw_plain_line", lambda self, *a: drawn.append("plain") or draw_plain(
            self, *a))
        monkeypatch.setattr(TextArea, "_render_line", lambda self, y: drawn.append("marked") or draw_marked(self, y))
        app.goto(0)
        await pilot.pause()
        assert source.filename == first
        # of the pane's ~20 lines, at most the painted one and one seen before only while marked are drawn
        assert len(drawn) <= 2 and source.size.height > 10


async def test_a_scrollbar_draws_its_rows_as_textual_does(detail):
    """The bars hand back their rows themselves: a vertical bar a row per segment, the very segments of
    Textual's own rendering; a horizontal bar its cells joined, the same cells as Textual's."""

    def cells(strip):
        return [(char, segment.style) for segment in strip for char in segment.text]

    app = TraceApp(detail)
    async with app.run_test(size=(WIDTH, HEIGHT)) as pilot:
        await pilot.pause()
        compared = horizontal = 0
        for index in range(0, len(detail), max(len(detail) // 12, 1)):
            app.goto(index)
            await pilot.pause()
            source = app.query_one(SourceView)
            source.scroll_to(x=source.max_scroll_x // 2, animate=False, immediate=True)  # the thumb mid-way
            await pilot.pause()
            for pane in (source, app.query_one(VariablesView), app.query_one(HopList)):
                bar = pane.vertical_scrollbar
                bar.paint_look()
                for y in range(bar.size.height):
                    assert list(bar.render_line(y)) == list(Widget.render_line(bar, y)), (index, pane.id, y)
                    compared += 1
            bar = source.horizontal_scrollbar
            if bar.display and bar.size:
                bar.paint_look()
                assert cells(bar.render_line(0)) == cells(Widget.render_line(bar, 0)), index
                horizontal += 1
        assert compared > 100 and horizontal > 5


async def test_lines_drawn_ahead_are_already_divided_where_the_compositor_divides_them(detail, monkeypatch):
    """A file's lines drawn ahead come to the screen already cut at the source's scrollbar: the
    compositor finds its pieces in the strip's own cache (a hit), rather than cutting three new strips."""
    from textual.strip import Strip

    app = TraceApp(detail)
    async with app.run_test(size=(WIDTH, HEIGHT)) as pilot:
        await wait_until_drawn_ahead(app, pilot)
        source = app.query_one(SourceView)
        assert source.show_vertical_scrollbar  # the cut this is about
        first = source.filename
        file_of = [detail.code(detail.frame_of[i]).filename for i in range(len(detail))]
        divided: list[tuple[Strip, int, int]] = []  # (strip, hits before, misses before)
        divide = Strip.divide

        def watched_divide(strip, cuts):
            divided.append((strip, strip._divide_cache.hits, strip._divide_cache.misses))
            return divide(strip, cuts)

        monkeypatch.setattr(Strip, "divide", watched_divide)
        app.goto(next(i for i, name in enumerate(file_of) if name != first))
        await pilot.pause()
        last = source.outer_size.height - 1  # the rows between the borders, whose titles changed
        shown = {id(strip) for y, strip in source._styles_cache._cache.items() if 0 < y < last}
        cuts = [(strip._divide_cache.hits - hits, strip._divide_cache.misses - misses)
                for strip, hits, misses in divided if id(strip) in shown]
        assert len(cuts) > 10  # the new file's lines were put on screen
        found = sum(1 for hits, misses in cuts if hits and not misses)
        # all but the painted line (TextArea's cursor is on it) and the row under the horizontal scrollbar
        assert found >= len(cuts) - 2, cuts
