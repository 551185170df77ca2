"""Every build exercise rejects the plausible wrong solutions, each with a line that points at its mistake.

The wrong solutions are data (tests/data/course/wrong-solutions.toml): the reference solution, read
from the repository (solutions are not installed), with one learner's mistake put in.
"""

from __future__ import annotations

import logging
import shutil
import tomllib
from collections import Counter
from pathlib import Path

import pytest

from tracer.course.checks import run_check
from tracer.course.model import load_course
from tracer.course.recording import missing_app

HERE = Path(__file__).resolve()
REPO_LESSONS = HERE.parents[3] / "tracer" / "course" / "lessons"
WRONG = tomllib.loads((HERE.parents[2] / "data" / "course" / "wrong-solutions.toml").read_text())["wrong"]
COURSE = load_course()


@pytest.fixture(autouse=True)
def quiet_logs():
    logging.disable(logging.CRITICAL)
    yield
    logging.disable(logging.NOTSET)


def test_every_build_exercise_has_at_least_three_wrong_solutions():
    counts = Counter(COURSE.get(w["lesson"]).slug for w in WRONG)  # a lesson by its number or its folder name
    built = [lesson.slug for lesson in COURSE.lessons if lesson.tasks]
    assert {slug: counts[slug] for slug in built if counts[slug] < 3} == {}


@pytest.mark.parametrize("wrong", [pytest.param(w, id=f"{w['lesson']}-{w['name']}") for w in WRONG])
def test_a_wrong_solution_fails_and_says_why(wrong, tmp_path):
    lesson = COURSE.get(wrong["lesson"])
    if missing_app(lesson):
        pytest.skip(missing_app(lesson))
    ws = tmp_path / "ws"
    shutil.copytree(REPO_LESSONS / lesson.slug / "solution", ws, ignore=shutil.ignore_patterns("__pycache__"))
    path = ws / wrong["file"]
    text = path.read_text()
    for old, new in wrong["replace"]:
        assert old in text, f"{wrong['name']}: {old!r} is not in the solution any more"
        text = text.replace(old, new)
    path.write_text(text)
    report = run_check(lesson, ws)
    lines = [line for task in report.tasks for line in task.problems]
    assert not report.passed, f"{wrong['name']} passed lesson {lesson.number}"
    assert any(wrong["says"] in line for line in lines), lines
