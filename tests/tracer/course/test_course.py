"""The maintainer's self-check, as rustlings does it, for EVERY lesson, against the real sample_api.

- every question's answer is computed from a trace recorded now: it is not empty, and for a
  multiple-choice question it is one of the choices;
- the reference solution passes every check task;
- the starter fails, and each failed task says why in plain lines (no traceback).
"""

from __future__ import annotations

import logging
import re
import shutil
from pathlib import Path

import pytest

from tracer.course.checks import run_check
from tracer.course.model import load_course
from tracer.course.quiz import ask_all
from tracer.course.recording import missing_app

COURSE = load_course()
REPO_LESSONS = Path(__file__).resolve().parents[3] / "tracer" / "course" / "lessons"  # solutions are not installed
# a lesson on real Nova is skipped, with the line the lesson itself says, where Nova is not installed
LESSONS = [pytest.param(lesson, id=lesson.slug, marks=pytest.mark.skipif(bool(missing_app(lesson)),
                                                                          reason=str(missing_app(lesson))))
           for lesson in COURSE.lessons]


@pytest.fixture(autouse=True)
def quiet_logs():
    logging.disable(logging.CRITICAL)  # sample_api logs every request; the check's output is what we read
    yield
    logging.disable(logging.NOTSET)


def workspace_from(lesson, which: str, tmp_path: Path) -> Path:
    target = tmp_path / which
    shutil.copytree(REPO_LESSONS / lesson.slug / which, target, ignore=shutil.ignore_patterns("__pycache__"))
    return target


@pytest.mark.parametrize("lesson", LESSONS)
def test_every_answer_is_computed_from_a_real_trace(lesson):
    for asked in ask_all(lesson):
        q = asked.question
        assert len(asked.trace) > 0
        assert asked.expected not in ("", None, []), f"{lesson.slug}:{q.id}: the query found nothing"
        if q.choices:
            assert asked.expected_text in q.choices, f"{lesson.slug}:{q.id}: {asked.expected!r} is not a choice"
        assert asked.grade(asked.expected_text).correct, f"{lesson.slug}:{q.id}: its own answer does not grade"
        if q.kind == "predict":
            assert asked.pause_event > 0, f"{lesson.slug}:{q.id}: the pause hop {q.pause} never runs"


@pytest.mark.parametrize("lesson", LESSONS)
def test_the_solution_passes(lesson, tmp_path):
    report = run_check(lesson, workspace_from(lesson, "solution", tmp_path))
    problems = [p for task in report.tasks for p in task.problems]
    assert report.passed, problems
    assert report.error is None


@pytest.mark.parametrize("lesson", LESSONS)
def test_the_starter_fails_with_a_helpful_message(lesson, tmp_path):
    report = run_check(lesson, workspace_from(lesson, "starter", tmp_path), save_dir=tmp_path / "saved")
    assert not report.passed
    failed = [task for task in report.tasks if not task.passed]
    assert failed
    for task in failed:
        assert task.problems, f"{task.id} failed without saying why"
        for line in task.problems:
            assert "Traceback" not in line and "\n" not in line
        assert task.trace_file and Path(task.trace_file).is_file(), "a failed task leaves a trace to replay"


def _added_by_solution(lesson) -> set[str]:
    """Lines of the reference solution that the starter does not have, stripped."""
    solution, starter = REPO_LESSONS / lesson.slug / "solution", REPO_LESSONS / lesson.slug / "starter"
    added: set[str] = set()
    for path in solution.rglob("*"):
        if path.is_file() and "__pycache__" not in path.parts:
            twin = starter / path.relative_to(solution)
            before = {line.strip() for line in twin.read_text().splitlines()} if twin.is_file() else set()
            added |= {line.strip() for line in path.read_text().splitlines()} - before
    return added


@pytest.mark.parametrize("lesson", [pytest.param(lesson, id=lesson.slug) for lesson in COURSE.lessons if lesson.tasks])
def test_no_hint_gives_the_solution_away(lesson):  # reads files only: runs where Nova is not installed too
    """No line the solution adds to the starter, nor a quoted value of one, is in a hint, unless the lesson's own
    text already says it: the last hint stops short of the code."""
    told = lesson.text
    hints = "\n".join(lesson.hints)
    lines = {line for line in _added_by_solution(lesson) if len(line) >= 8 and not line.startswith(("#", '"""'))}
    values = {v for line in lines for v in re.findall(r'"([^"]{5,})"', line)}
    given = [line for line in lines if line not in told and line.replace('"', "'") in hints.replace('"', "'")]
    given += [value for value in values if value not in told and value in hints]
    assert given == []
