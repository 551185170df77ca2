"""The variables pane relabels the nodes on screen when only values changed, and draws what a rebuild would."""

from __future__ import annotations

from pathlib import Path

import pytest

from tracer.trace import Trace, load
from tracer.tui.app import TraceApp
from tracer.tui.widgets import VariablesView

DATA = Path(__file__).resolve().parents[3] / "data"
SIZE = (120, 40)


@pytest.fixture(scope="module")
def detail() -> Trace:
    return load(DATA / "servers_detail.json")


def labels(view: VariablesView) -> list[str]:
    return [line.node.label.plain for line in view._tree_lines]


async def test_stepping_relabels_or_rebuilds_and_shows_what_a_rebuild_shows(detail):
    trace = detail
    app = TraceApp(trace)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        view = app.query_one(VariablesView)
        rebuilds = []
        rebuild = view._rebuild
        view._rebuild = lambda rows: (rebuilds.append(app.position), rebuild(rows))  # type: ignore[method-assign]
        relabelled = 0
        for _ in range(400):
            before = len(rebuilds)
            shown = view._shown
            await pilot.press("s")
            await pilot.pause()
            if view._shown != shown and len(rebuilds) == before:
                relabelled += 1
            got = labels(view)
            rebuild(view.rows)  # what the pane would show had it been rebuilt
            assert labels(view) == got, app.position
        assert relabelled > 10  # the cheap path is taken, and it is right
        assert rebuilds  # and so is the rebuild, when the shape changes


def drawn(view: VariablesView) -> list[list]:
    return [list(view.render_line(y)) for y in range(view.size.height)]


async def test_a_line_kept_by_what_it_shows_is_what_tree_draws_afresh(detail):
    """The pane's lines, kept across steps by their content, match Tree's own drawing from scratch
    as the cursor moves, values expand and collapse, and the replay steps."""
    trace = detail
    app = TraceApp(trace)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        view = app.query_one(VariablesView)
        expandable = next(i for i in range(len(trace)) if app.cursor.goto(i) and any(
            v.has_children for pairs in view.sections(app.cursor.position).values() for _, v in pairs))
        app.goto(expandable)
        await pilot.pause()
        view.focus()
        await pilot.pause()
        checked = 0
        for key in ["down", "down", "space", "down", "space", "up", "space", "s", "s", "S", "down", "space", "S"]:
            await pilot.press(key)
            await pilot.pause()
            kept = drawn(view)
            view._drawn.clear()
            view._clear_line_cache()
            assert kept == drawn(view), key
            checked += 1
        assert checked and len(view._drawn)


async def test_a_label_s_width_is_what_tree_measures_by_rendering_it(detail):
    from textual.widgets import Tree

    trace = detail
    app = TraceApp(trace)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        view = app.query_one(VariablesView)
        measured = 0
        for index in range(0, len(trace), 53):
            app.goto(index)
            await pilot.pause()
            for line in view._tree_lines:
                node = line.node
                assert view.get_label_width(node) == Tree.get_label_width(view, node), node.label.plain
                measured += 1
        assert measured > 50
