"""The shipped course loads, covers every hop of the blog walkthrough of Nova's API,
and broken lesson files are refused with one line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tracer.course.model import LessonError, lessons_root, load_course

#: Every hop the blog walkthrough of Nova's API (../shared/blog/nova-api-walkthrough.txt) walks through or names.
WALKTHROUGH_HOPS = [
    "wsgi.Server", "APIRouter", "ExtensionManager", "ProjectMapper", "mapper.resource", "_setup_routes",
    "_setup_ext_routes", "_setup_extensions", "Router", "RoutesMiddleware", "Request", "JSONDeserializer",
    "DictSerializer", "@wsgi.action", "@wsgi.extends", "ResponseObject", "Resource.__call__", "_process_stack",
    "dispatch", "Controller", "ServersController.detail", "_get_servers", "ViewBuilder.detail", "_list_view",
    "ViewBuilder.show", "ResourceExceptionHandler", "Fault",
]


def course_text() -> str:
    course = load_course()
    parts = []
    for lesson in course.lessons:
        parts.append(lesson.text)
        for name in ("questions.toml", "check.toml"):
            parts.append((lesson.path / name).read_text(encoding="utf-8"))
    return "\n".join(parts)


def test_the_course_loads_in_order_with_at_least_ten_lessons():
    course = load_course()
    assert course.format_version == 1
    assert len(course.lessons) >= 10
    assert [lesson.number for lesson in course.lessons] == list(range(1, len(course.lessons) + 1))
    assert course.lessons[0].minutes <= 10, "lesson 1 must fit a newcomer's first ten minutes"
    for lesson in course.lessons:
        assert lesson.questions, f"{lesson.slug} has no questions"
        assert lesson.hints, f"{lesson.slug} has no hints"
        assert lesson.tasks, f"{lesson.slug} has no check tasks"
        assert any(q.kind == "predict" for q in lesson.questions), f"{lesson.slug} has no predict-then-step question"


@pytest.mark.parametrize("hop", WALKTHROUGH_HOPS)
def test_every_hop_of_the_seed_is_taught(hop):
    assert hop in course_text()


def test_lookup_by_number_or_slug_and_a_clear_error_otherwise():
    course = load_course()
    assert course.get("1").slug == course.get("01").slug == course.get(course.lessons[0].slug).slug
    with pytest.raises(LessonError, match="no lesson '99'"):
        course.get("99")


@pytest.fixture
def course_copy(tmp_path: Path) -> Path:
    root = tmp_path / "course"
    shutil.copytree(lessons_root(), root, ignore=shutil.ignore_patterns("__pycache__"))
    return root


@pytest.mark.parametrize(
    "mutate, message",
    [
        (lambda r: (r / "index.toml").write_text("format_version = 2\n"), "format_version 2"),
        (lambda r: (r / "index.toml").write_text("format_version = 1\n[[lesson]]\nslug = 'zz'\n"), "no folder zz/"),
        (lambda r: (r / "01-first-trace" / "hints.toml").write_text("[[hint]]\n"), "needs a text"),
        (lambda r: (r / "01-first-trace" / "questions.toml").write_text("[[question\n"), "not valid TOML"),
        (
            lambda r: (r / "01-first-trace" / "questions.toml").write_text(
                "[requests.a]\npath='/x'\n[[question]]\nid='q'\nrequest='a'\nprompt='?'\nanswer={query='nope'}\n"
            ),
            "unknown query 'nope'",
        ),
        (
            lambda r: (r / "01-first-trace" / "questions.toml").write_text(
                "[[question]]\nid='q'\nrequest='missing'\nprompt='?'\nanswer={query='status'}\n"
            ),
            "request 'missing' is not defined",
        ),
        (
            lambda r: (r / "01-first-trace" / "questions.toml").write_text(
                "[requests.a]\npath='/x'\n[[question]]\nid='q'\nkind='predict'\nrequest='a'\nprompt='?'\n"
                "answer={query='status'}\n"
            ),
            "needs 'pause'",
        ),
    ],
)
def test_broken_lessons_are_refused_with_one_line(course_copy, mutate, message):
    mutate(course_copy)
    with pytest.raises(LessonError) as info:
        load_course(course_copy)
    assert message in str(info.value)
    assert "\n" not in str(info.value)
