"""What panes keep between renders is forgotten when what it was made from changes."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.css.query import NoMatches
from textual.dom import NoScreen
from textual.widget import Widget

from tracer.model.trace import load
from tracer.tui.app import TraceApp
from tracer.tui.widgets import HopList, SourceView, StackView, TraceHeader, VariablesView

DATA = Path(__file__).resolve().parents[3] / "data"


async def test_kept_component_styles_follow_a_theme_change_and_focus():
    app = TraceApp(load(DATA / "servers_detail.json"))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        panes = [(app.query_one(HopList), "hops--current"), (app.query_one(StackView), "stack--viewed"),
                 (app.query_one(VariablesView), "variables--cursor")]
        before = {name: pane.get_component_rich_style(name) for pane, name in panes}
        for pane, name in panes:
            assert pane.get_component_rich_style(name) is before[name]  # kept: the same object
        app.theme = "textual-light" if app.theme != "textual-light" else "nord"
        await pilot.pause()
        for pane, name in panes:
            fresh = Widget.get_component_rich_style(pane, name)
            assert pane.get_component_rich_style(name) == fresh
            assert fresh != before[name], name


async def test_a_kept_rich_style_follows_a_change_up_the_dom_and_focus():
    """Each pane's kept ``rich_style`` is Textual's own after an ancestor's colour changes, after focus
    moves (panes restyle on focus) and after a theme change; unchanged, it is the very same object."""
    app = TraceApp(load(DATA / "servers_detail.json"))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        panes = [app.query_one(kind) for kind in (HopList, StackView, VariablesView, TraceHeader, SourceView)]
        kept = {pane: pane.rich_style for pane in panes}
        for pane in panes:
            assert pane.rich_style is kept[pane]
        changes = [lambda: setattr(app.query_one("#center").styles, "color", "red"),
                   lambda: setattr(app.screen.styles, "background", "green"),
                   lambda: app.query_one(StackView).focus(),
                   lambda: setattr(app, "theme", "textual-light" if app.theme != "textual-light" else "nord")]
        for change in changes:
            change()
            await pilot.pause()
            for pane in panes:
                assert pane.rich_style == Widget.rich_style.fget(pane)
        assert {pane: pane.rich_style for pane in panes} != kept


async def test_a_pane_s_kept_screen_is_its_screen_until_it_is_removed():
    app = TraceApp(load(DATA / "servers_detail.json"))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        stack = app.query_one(StackView)
        bar = app.query_one(HopList).vertical_scrollbar
        for widget in (stack, bar):
            assert widget.screen is Widget.screen.fget(widget) is app.screen
        await stack.remove()
        await pilot.pause()
        with pytest.raises(NoMatches):
            app.query_one(StackView)
        with pytest.raises(NoScreen):
            stack.screen  # noqa: B018 (the property is what is tested)
        assert stack.region.area == 0
