"""The hop tree's rows."""

from __future__ import annotations

from pathlib import Path

import pytest

from tracer.model.trace import Trace, load
from tracer.tui.app import TraceApp
from tracer.tui.widgets import HopList

DATA = Path(__file__).resolve().parents[3] / "data"


@pytest.fixture(scope="module")
def detail() -> Trace:
    return load(DATA / "servers_detail.json")


async def test_a_row_too_long_for_the_column_ends_in_an_ellipsis(detail):
    """A deep call's name and time do not fit the tree's column: the row says it was cut, and a row
    that fits is drawn whole."""
    app = TraceApp(detail)
    async with app.run_test(size=(96, 40)) as pilot:  # the tree's column at its narrowest
        await pilot.pause()
        hops = app.query_one(HopList)
        width = hops.scrollable_content_region.width  # the column less its border and scrollbar
        texts = ["".join(segment.text for segment in hops.render_line(y)) for y in range(hops.size.height)]
        shown = hops.visible_calls()
        labels = ["".join(segment.text for segment in hops.label(call)) for call in shown]  # after the marker
        cut = [(text, label) for text, label in zip(texts, labels, strict=False) if 1 + len(label) > width]
        fits = [(text, label) for text, label in zip(texts, labels, strict=False) if 1 + len(label) <= width]
        assert cut and fits
        assert all(len(text) == width and text.endswith("…") and label.startswith(text[1:-1]) for text, label in cut)
        assert all(text[1:].rstrip() == label.rstrip() and "…" not in text for text, label in fits)


async def test_a_row_s_width_is_counted_as_it_is_drawn(detail):
    """The tree's column is sized from each row's width, counted without drawing: the same as drawn."""
    app = TraceApp(detail)
    async with app.run_test(size=(200, 40)) as pilot:
        await pilot.pause()
        hops = app.query_one(HopList)
        app.cursor.toggle_function_breakpoint(detail.code_ids[detail.calls[3]])
        hops.breakpoints = frozenset([("function", detail.code_ids[detail.calls[3]])])
        for call in hops.rows:
            drawn = 1 + sum(len(segment.text) for segment in hops.label(call))
            assert hops.label_width(call) == drawn, detail.code(call).qualname
