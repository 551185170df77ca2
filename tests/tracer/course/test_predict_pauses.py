"""Predict means predict, in every lesson: at each predict question's pause the answer is not on screen.

For every lesson with predict questions, each of its requests is replayed in the real lesson app (Textual's
Pilot); ``end`` jumps far ahead, the app pauses at the question's hop, and the variables pane (what the learner
reads at the pause without expanding anything) must not show the answer: not the hop's name when the answer is
a hop, not a value equal to the answer when it is a value. The answer is then typed and the replay goes on
to the next pause.
"""

from __future__ import annotations

import asyncio
import logging

import pytest
from textual.widgets import Input

from tracer.course.model import load_course
from tracer.course.quiz import Asked, ask_all
from tracer.course.recording import missing_app
from tracer.course.tui import LessonApp, QuestionScreen

COURSE = load_course()
PREDICTING = [pytest.param(lesson, id=lesson.slug) for lesson in COURSE.lessons
              if any(q.kind == "predict" for q in lesson.questions)]


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    monkeypatch.setenv("TRACER_HOME", str(tmp_path / "home"))
    logging.disable(logging.CRITICAL)
    yield
    logging.disable(logging.NOTSET)


def shown_value(line: str) -> str | None:
    """``├ action = 'detail'  str`` → ``detail``: the value a variables line shows, quotes off (None: a heading)."""
    if " = " not in line:
        return None
    value = line.split(" = ", 1)[1].rsplit("  ", 1)[0].strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        value = value[1:-1]
    return value


def leaks(asked: Asked, lines: list[str]) -> list[str]:
    """The lines of the variables pane that give the answer away."""
    expected = asked.expected_text
    if asked.kind in ("hop", "hops"):
        return [line for line in lines if expected in line]
    return [line for line in lines if shown_value(line) == expected]


async def pauses_of(app: LessonApp) -> list[tuple[str, list[str]]]:
    """(question id, leaking lines) at each pause of the app's predict questions, in the order they come."""
    seen: list[tuple[str, list[str]]] = []
    async with app.run_test(size=(160, 50)) as pilot:
        for _ in range(len(app.pending) + 1):
            await pilot.press("end")
            await pilot.pause()
            if not isinstance(app.screen, QuestionScreen):
                break
            asked = app.screen.asked
            assert app.position.index == asked.pause_event
            seen.append((asked.question.id, leaks(asked, app.query_one("#variables").shown_text())))
            app.screen.query_one(Input).value = asked.expected_text
            await pilot.press("enter")
            await pilot.pause()
    return seen


@pytest.mark.parametrize("lesson", PREDICTING)
def test_no_predict_question_shows_its_answer_at_its_pause(lesson):
    missing = missing_app(lesson)  # a lesson on real Nova, where Nova is not installed: the lesson's own line
    if missing:
        pytest.skip(missing)
    asked = ask_all(lesson)
    predicted = [a.question.id for a in asked if a.question.kind == "predict"]
    seen: list[tuple[str, list[str]]] = []
    for request in dict.fromkeys(a.question.request for a in asked):
        mine = [a for a in asked if a.question.request == request]
        if any(a.question.kind == "predict" for a in mine):
            seen += asyncio.run(pauses_of(LessonApp(mine[0].trace, lesson, mine)))
    assert sorted(qid for qid, _lines in seen) == sorted(predicted), "every predict question pauses the replay"
    assert {qid: lines for qid, lines in seen if lines} == {}
