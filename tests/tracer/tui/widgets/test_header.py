"""The header: the step first, then the request; a line too long for the terminal ends in ``…``."""

from __future__ import annotations

from pathlib import Path

from tracer.model.trace import KIND_NAMES, load
from tracer.tui.app import TraceApp
from tracer.tui.widgets import TraceHeader

DATA = Path(__file__).resolve().parents[3] / "data"


async def test_the_header_line_fits_the_width_and_a_cut_one_ends_in_an_ellipsis():
    trace = load(DATA / "servers_detail.json")
    for width in (200, 100, 40):
        app = TraceApp(trace)
        async with app.run_test(size=(width, 30)) as pilot:
            await pilot.pause()
            header = app.query_one(TraceHeader)
            fitted = cut = 0
            for index in range(0, len(trace), len(trace) // 12):
                app.goto(index)
                await pilot.pause()
                kind, function = KIND_NAMES[trace.kinds[index]], trace.code(index).qualname
                whole = f" event {index + 1}/{len(trace)} {kind} {function} "
                assert header.text.plain.startswith(whole)
                assert "GET /v2.1/servers/detail" in header.text.plain and "200 OK" in header.text.plain
                shown = "".join(segment.text for segment in header.render_line(0)).rstrip()
                assert len(shown) <= width
                if len(header.text.plain.rstrip()) <= width:
                    fitted += 1
                    assert shown == header.text.plain.rstrip()
                else:
                    cut += 1
                    assert shown.endswith("…")
                    kept = shown[:-1]
                    assert header.text.plain.startswith(kept) or whole.startswith(kept) or kept.startswith(whole)
            assert (fitted or width < 200) and (cut or width == 200)
