"""The side-by-side replay of two traces, driven by Textual's Pilot: rows aligned, n / p between divergences."""

from __future__ import annotations

import asyncio
import html

from textual.widgets import DataTable

from tracer.model.trace import Trace
from tracer.replay.diff import diff_traces
from tracer.targets.sample_api import RequestSpec, record_request
from tracer.tui.diff import DiffApp


def screen_text(app: DiffApp) -> str:
    return html.unescape(app.export_screenshot()).replace("\xa0", " ")


def test_keys_jump_between_divergences():
    a = Trace.from_dict(record_request(RequestSpec("GET", "/servers/detail?all_tenants=1", user="admin")))
    b = Trace.from_dict(record_request(RequestSpec("GET", "/servers/detail?all_tenants=1", user="demo")))
    diff = diff_traces(a, b)
    starts = diff.divergent_rows()
    assert len(starts) >= 2

    async def drive() -> None:
        app = DiffApp(diff)
        async with app.run_test(size=(140, 40)) as pilot:
            await pilot.pause()
            table = app.query_one(DataTable)
            assert table.row_count == len(diff.rows)
            assert table.cursor_row == starts[0]  # it opens where the runs first part
            # every row pairs the same function, or leaves one side empty
            for ca, cb in diff.rows:
                assert ca is None or cb is None or a.code(ca).key == b.code(cb).key
            text = screen_text(app)
            assert f"Divergence 1 of {len(starts)}" in text and "authorize" in text
            await pilot.press("n")
            await pilot.pause()
            assert table.cursor_row == starts[1]
            assert f"Divergence 2 of {len(starts)}" in screen_text(app)
            await pilot.press("p")
            await pilot.pause()
            assert table.cursor_row == starts[0]
            ca, cb = diff.rows[starts[0]]
            side, trace, call = ("A", a, ca) if cb is None else ("B", b, cb)
            assert f"Only {side} ran {trace.code(call).qualname}" in screen_text(app)
            await pilot.press("q")

    asyncio.run(drive())
