"""The header draws its line as Textual draws its text, and cuts a long one with an ellipsis."""

from __future__ import annotations

from pathlib import Path

from rich.color import ColorSystem
from textual.strip import Strip
from textual.widget import Widget

from tracer.model.trace import load
from tracer.tui.app import TraceApp
from tracer.tui.widgets import TraceHeader

DATA = Path(__file__).resolve().parents[3] / "data"


def ansi(strip) -> str:
    """What a terminal receives for the line (a colour named ``green`` or ``color(2)`` is the same)."""
    return "".join(segment.style.render(segment.text, color_system=ColorSystem.TRUECOLOR) if segment.style
                   else segment.text for segment in strip)


async def test_the_header_line_is_what_textual_draws_and_a_long_one_ends_in_an_ellipsis():
    trace = load(DATA / "servers_detail.json")
    for width in (200, 100, 80, 40):
        app = TraceApp(trace)
        async with app.run_test(size=(width, 30)) as pilot:
            await pilot.pause()
            header = app.query_one(TraceHeader)
            fitted = cut = 0
            for index in range(0, len(trace), 11):
                app.goto(index)
                await pilot.pause()
                ours = header.render_line(0)
                text = header.text
                if text.cell_len <= width:
                    fitted += 1
                    header._set_dirty()
                    theirs = Widget.render_line(header, 0)  # Textual drawing ``render()``
                    assert ansi(ours) == ansi(theirs)
                    # with the offsets a mouse selection starts from
                    assert [s.style.meta.get("offset") for s in ours] == [s.style.meta.get("offset") for s in theirs]
                else:
                    cut += 1
                    assert ours.cell_length == width
                    assert ours.text == text.plain[: width - 1] + "…"
                    # as Rich cuts the text: the ellipsis in the style of the cell it replaces, ending
                    # that cell's run
                    cut_text = text.copy()
                    cut_text.truncate(width, overflow="ellipsis")
                    assert ansi(ours) == ansi(Strip(cut_text.render(app.console)).apply_style(header.rich_style))
                    x = 0
                    for segment in ours:  # each segment marked with where a selection in it starts
                        assert segment.style.meta["offset"] == (x, 0)
                        x += len(segment.text)
            assert (fitted or width <= 80) and (cut or width == 200)
