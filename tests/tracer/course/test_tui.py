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


def test_predict_means_predict_every_pane_at_the_pause_and_nothing_after_it_shown():
    lesson = load_course().get(1)
    app = build_app(lesson)
    asyncio.run(check_nothing_leaks(app))


async def check_nothing_leaks(app) -> None:
    trace = app.trace
    pause = app.pending[0].pause_event
    async with app.run_test(size=(160, 50)) as pilot:
        header = app.query_one("#lesson-header")
        assert str(trace.status) not in str(header.render()).split("│")[0]  # no status before the response
        await pilot.press("end")  # a jump far past the question's hop
        await pilot.pause()
        assert isinstance(app.screen, QuestionScreen)
        assert app.position.index == pause
        # Every pane shows the paused event, none the end the key asked for.
        for pane in ("#hops", "#source", "#stack", "#variables", "#note"):
            assert app.query_one(pane).position.index == pause, pane
        rows = app.query_one("#hops").rows
        assert rows and max(rows) <= pause  # the hop tree holds what has run, nothing after
        assert trace.code(pause).qualname in str(header.render())
        assert "not yet answered" in str(header.render())
        await pilot.press("b", "enter")
        await pilot.pause()
        await pilot.press("o")  # the response, before the replay reached it: refused
        await pilot.pause()
        assert not isinstance(app.screen, QuestionScreen) and len(app.screen_stack) == 1
        await pilot.press("end")
        await pilot.pause()
        assert app.position.index == len(trace) - 1
        assert f"{trace.status} " in str(header.render())
        assert len(app.query_one("#hops").rows) == len(trace.calls)  # all of it has run now
