"""The variables pane draws its own lines: what it keeps across steps is what it would draw afresh."""

from __future__ import annotations

from pathlib import Path

import pytest

from tracer.model.trace import Trace, load
from tracer.tui.app import TraceApp
from tracer.tui.widgets import VariablesView

DATA = Path(__file__).resolve().parents[3] / "data"
SIZE = (120, 40)


@pytest.fixture(scope="module")
def detail() -> Trace:
    return load(DATA / "servers_detail.json")


def on_screen(view: VariablesView) -> list[list]:
    """The pane's lines as drawn now, from its strip cache where it has them."""
    return [list(view.render_line(y)) for y in range(view.scrollable_content_region.height)]


def drawn_afresh(view: VariablesView) -> list[list]:
    """The same with the pane's caches emptied first."""
    view._labels.clear()
    view._strips.clear()
    return on_screen(view)


def expandable_at(app: TraceApp) -> int:
    trace = app.trace
    view = app.query_one(VariablesView)
    return next(i for i in range(len(trace)) if any(
        v.has_children for pairs in view.sections(app.cursor.goto(i)).values() for _, v in pairs))


async def at_an_expandable_value(app: TraceApp, pilot) -> tuple[VariablesView, int]:
    """The pane at the first step with a value that expands, and that value's line."""
    await pilot.pause()
    view = app.query_one(VariablesView)
    app.goto(expandable_at(app))
    await pilot.pause()
    return view, next(n for n, line in enumerate(view.lines) if line.value is not None and line.value.has_children)


async def test_what_the_pane_keeps_across_moves_is_what_it_draws_afresh(detail):
    """Steps repaint only the lines that changed and reuse lines drawn before: after every move,
    expansion and cursor move, the screen holds exactly what a pane drawing from scratch would."""
    app = TraceApp(detail)
    async with app.run_test(size=SIZE) as pilot:
        view, _ = await at_an_expandable_value(app, pilot)
        view.focus()
        keys = ["down", "down", "space", "down", "space", "up", "space", "s", "s", "S", "down", "space", "S",
                "n", "n", "r", "R", "end", "home", *["s"] * 15, "pagedown", "pageup", *["n"] * 8, "left", "right"]
        changed = 0
        for key in keys:
            before = on_screen(view)
            await pilot.press(key)
            await pilot.pause()
            kept = on_screen(view)
            changed += kept != before
            assert kept == drawn_afresh(view), (key, app.position)
        assert changed > 20  # the moves did change what the pane shows


async def test_the_lines_follow_the_values_and_what_is_expanded(detail):
    app = TraceApp(detail)
    async with app.run_test(size=SIZE) as pilot:
        view, at = await at_an_expandable_value(app, pilot)
        line = view.lines[at]
        children = [name for name, _ in line.value.children]
        assert not line.expanded
        view.set_expanded(line.path, True)
        at = next(n for n, shown in enumerate(view.lines) if shown.path == line.path)
        assert view.lines[at].expanded
        assert [shown.name for shown in view.lines[at + 1 : at + 1 + len(children)]] == children
        assert all(shown.guides.endswith(("├ ", "└ ")) for shown in view.lines[at + 1 : at + 1 + len(children)])
        assert view.lines[at + len(children)].guides.endswith("└ ")  # the last child closes the branch
        view.set_expanded(line.path, False)
        assert [shown.path for shown in view.lines].count(line.path) == 1
        assert not any(shown.path[: len(line.path)] == line.path and shown.path != line.path for shown in view.lines)


async def test_a_click_on_a_value_expands_it_and_the_group_title_folds_its_group(detail):
    app = TraceApp(detail)
    async with app.run_test(size=SIZE) as pilot:
        view, at = await at_an_expandable_value(app, pilot)
        path, count = view.lines[at].path, len(view.lines)
        await pilot.click(view, offset=(5, at + 1))  # + 1: the pane's top border
        assert view.lines[at].path == path and view.lines[at].expanded and len(view.lines) > count
        assert view.cursor_row == at
        await pilot.click(view, offset=(5, 1))  # "arguments": the whole group folds away
        assert not view.lines[0].expanded
        assert view.lines[1].path[0] != view.lines[0].path[0]


async def test_a_line_too_long_for_the_pane_ends_in_an_ellipsis(detail):
    app = TraceApp(detail)
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        view = app.query_one(VariablesView)
        long = next(i for i in range(len(detail)) if any(
            len(name) + len(v.summary) + len(v.type_name) > 100
            for pairs in view.sections(app.cursor.goto(i)).values() for name, v in pairs))
        app.goto(long)
        await pilot.pause()
        texts = ["".join(segment.text for segment in view.render_line(y)) for y in range(len(view.lines))]
        width = view.scrollable_content_region.width  # the pane less its border and scrollbar
        cut = [text for text, full in zip(texts, view.shown_text(), strict=False) if len(full) > width]
        assert cut and all(text.endswith("…") and len(text) == width for text in cut)
