"""The lesson replay: moving forward onto a predict question's hop pauses and asks; the answer is graded."""

from __future__ import annotations

import asyncio
import logging

import pytest

from tracer.course.model import LessonError, load_course
from tracer.course.progress import Progress
from tracer.course.tui import QuestionScreen, build_app


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    monkeypatch.setenv("TRACER_HOME", str(tmp_path / "home"))
    logging.disable(logging.CRITICAL)
    yield
    logging.disable(logging.NOTSET)


def test_the_replay_pauses_at_the_hop_and_grades_the_prediction():
    lesson = load_course().get(1)
    app = build_app(lesson, progress=Progress())
    asyncio.run(drive(app))
    answers = Progress().lesson(lesson.slug)["answers"]
    assert answers["controller"]["result"] == "right" and answers["filters"]["result"] == "wrong"
    assert [t["given"] for t in answers["filters"]["tries"]] == ["2", "3"]


async def drive(app) -> None:
    """Run without an async test plugin: step until the pause, answer, then ask a fact question."""
    pause = app.pending[0].pause_event
    async with app.run_test(size=(160, 50)) as pilot:
        for _ in range(200):  # step hop by hop until the question pops up
            if isinstance(app.screen, QuestionScreen):
                break
            await pilot.press("right_square_bracket")
        assert isinstance(app.screen, QuestionScreen)
        assert app.position.index == pause
        await pilot.press("b", "enter")
        await pilot.pause()
        assert not isinstance(app.screen, QuestionScreen)
        assert app.results["controller"] == "right: ServersController.detail"
        await pilot.press("a")  # the fact questions are asked on demand
        assert isinstance(app.screen, QuestionScreen)
        await pilot.press("2", "enter")  # the value 2, not the second choice
        await pilot.pause()
        assert isinstance(app.screen, QuestionScreen) and app.screen.retry  # one more try, no answer yet
        assert "filters" not in app.results
        await pilot.press("3", "enter")
        await pilot.pause()
        assert not isinstance(app.screen, QuestionScreen)
        assert app.results["filters"] == "not quite: the trace says 5"


def test_an_unknown_request_is_bad_input():
    with pytest.raises(LessonError, match="no questions about a request 'nope'"):
        build_app(load_course().get(1), request="nope")
