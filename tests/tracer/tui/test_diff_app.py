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


def test_the_hop_note_shows_the_deltas_and_the_route():
    """The replay's note for the auth filter and the router, from what tracer run recorded."""
    from tracer.tui.hop_extras import hop_extras

    trace = Trace.from_dict(record_request(RequestSpec("GET", "/servers/detail")))
    code = {trace.code(c).qualname: trace.code(c) for c in trace.calls}
    auth = hop_extras(trace, code["NoAuthMiddleware.__call__"]).plain
    assert "+ nova.context" in auth
    router = hop_extras(trace, code["Router.__call__"]).plain
    assert "+ wsgiorg.routing_args" in router
    assert "Route: #1 GET /servers/detail → detail()" in router
    assert "show would match too, but comes later" in router
    assert hop_extras(trace, code["ServersController.detail"]) is None
    old = dict(trace.doc)
    old.pop("deltas")
    old.pop("route")
    assert hop_extras(Trace.from_dict(old), code["NoAuthMiddleware.__call__"]) is None
