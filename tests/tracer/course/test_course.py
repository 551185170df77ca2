"""The maintainer's self-check, as rustlings does it, for EVERY lesson, against the real sample_api.

- every question's answer is computed from a trace recorded now: it is not empty, and for a
  multiple-choice question it is one of the choices;
- the reference solution passes every check task;
- the starter fails, and each failed task says why in plain lines (no traceback).
"""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import pytest

from tracer.course.checks import run_check
from tracer.course.model import load_course
from tracer.course.quiz import ask_all

COURSE = load_course()
REPO_LESSONS = Path(__file__).resolve().parents[3] / "tracer" / "course" / "lessons"  # solutions are not installed
LESSONS = [pytest.param(lesson, id=lesson.slug) for lesson in COURSE.lessons]


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
