"""The hop note draws each function's note as Textual draws its text, ahead of time or when first shown."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widget import Widget

from tracer.model.trace import Trace, load
from tracer.tui.app import TraceApp
from tracer.tui.widgets import HopNote

DATA = Path(__file__).resolve().parents[3] / "data"
SIZE = (120, 40)


@pytest.fixture(scope="module")
def detail() -> Trace:
    return load(DATA / "servers_detail.json")


async def test_every_function_s_note_drawn_ahead_is_what_static_draws_when_it_is_shown(detail):
    app = TraceApp(detail)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        note = app.query_one(HopNote)
        steps = sum(1 for _ in note.work_ahead())
        drawn = {code_id: note._note_lines(code_id) for code_id in {detail.code_ids[c] for c in detail.calls}}
        assert steps == len(drawn)
        first_call = {}
        for call in detail.calls:
            first_call.setdefault(detail.code_ids[call], call)
        for code_id, call in first_call.items():
            app.goto(call)
            await pilot.pause()
            assert note._shown_code == code_id
            shown = [note.render_line(y) for y in range(note.size.height)]
            assert all(a is b for a, b in zip(shown, drawn[code_id], strict=True))  # drawn ahead, not again
            static = [list(Widget.render_line(note, y)) for y in range(note.size.height)]
            assert [list(line) for line in shown] == static, code_id
        assert len(first_call) > 20
