"""The hop note shows the viewed function's note from the labels, wrapped to the pane, scrolling when long."""

from __future__ import annotations

from pathlib import Path

import pytest

from tracer.model.labels import load_labels
from tracer.model.trace import Trace, load
from tracer.tui.app import TraceApp
from tracer.tui.widgets import HopNote

DATA = Path(__file__).resolve().parents[3] / "data"


@pytest.fixture(scope="module")
def detail() -> Trace:
    return load(DATA / "servers_detail.json")


def words(text: str) -> list[str]:
    return text.split()


async def test_every_function_s_note_is_its_label_wrapped_to_the_pane(detail):
    labels = load_labels()
    app = TraceApp(detail)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        note = app.query_one(HopNote)
        first_call = {}
        for call in detail.calls:
            first_call.setdefault(detail.code_ids[call], call)
        with_notes = 0
        for code_id, call in list(first_call.items())[:30]:
            app.goto(call)
            await pilot.pause()
            assert note.shown_code == code_id
            code = detail.codes[code_id]
            label = labels.lookup(code.module, code.qualname)
            shown = note.text()
            assert "".join(words(shown)).startswith(code.layer + code.qualname)  # a long name folds, whole
            if label is not None and label.does:
                with_notes += 1
                assert " ".join(words(label.does)) in " ".join(words(shown))  # the whole text, only wrapped
            width = note.scrollable_content_region.width
            assert all(len(line) <= width for line in shown.splitlines())
        assert with_notes > 5


async def test_a_note_longer_than_the_pane_scrolls_instead_of_being_cut(detail):
    app = TraceApp(detail)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        note = app.query_one(HopNote)
        longest = max(detail.calls, key=lambda call: len(note.describe(detail.code_ids[call]).plain))
        app.goto(longest)
        await pilot.pause()
        rows = note.row_count()
        height = note.scrollable_content_region.height
        assert rows > height  # too long for the pane at this size
        first = "".join(segment.text for segment in note.render_line(0))
        assert first.strip() == note.text().splitlines()[0].strip()
        note.scroll_end(animate=False, immediate=True)
        await pilot.pause()
        shown = ["".join(segment.text for segment in note.render_line(y)).strip() for y in range(height)]
        assert note.text().splitlines()[-1].strip() in shown  # the end is reachable
