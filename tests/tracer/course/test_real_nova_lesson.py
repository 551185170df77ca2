"""The lesson on real Nova: its answers come from the miniature's and Nova 34's traces, a wrong answer is not
taken for a right one, the check's request goes to Nova, and without Nova the lesson says how to install it."""

from __future__ import annotations

import io
import logging
import shutil
from pathlib import Path

import pytest

from tests.tracer import real_nova
from tracer.course import cli, recording
from tracer.course.model import LessonError, RequestDef, load_course, parse_request
from tracer.course.quiz import ask_all

SLUG = "17-real-nova"
LESSON = load_course().get(SLUG)
REPO_LESSON = Path(__file__).resolve().parents[3] / "tracer" / "course" / "lessons" / SLUG

#: a learner's mistakes, each with the right answer the trace gives
WRONG_ANSWERS = [
    ("after-dispatch", "controller", "validation"),  # the miniature's answer, not Nova's
    ("miniature-after-dispatch", "validation", "controller"),  # Nova's answer, not the miniature's
    ("decorator-frames", "14", "20"),  # the response schemas only
    ("cells", "target_cell", "scatter_gather_cells"),  # what scatter_gather_cells calls per cell
    ("miniature-cells", "yes", "no"),
    ("microversion", "compute 2.100", "compute 2.1"),  # the newest Nova knows, not the one that answered
]


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    monkeypatch.setenv("TRACER_HOME", str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path)
    logging.disable(logging.CRITICAL)
    yield
    logging.disable(logging.NOTSET)


@pytest.fixture(scope="module")
def asked():
    real_nova.skip_without_nova()
    return {item.question.id: item for item in ask_all(LESSON)}


def run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    code = cli.main(list(argv), out=out)
    return code, out.getvalue()


def test_each_question_is_answered_from_its_own_trace(asked):
    assert {item.trace.doc["meta"]["target"]["name"] for item in asked.values()
            if item.question.request == "nova"} == {"nova"}
    assert all(item.trace.doc["meta"]["target"]["name"] == "sample_api" for item in asked.values()
               if item.question.request == "miniature")
    for qid, _wrong, right in WRONG_ANSWERS:
        assert asked[qid].expected_text == right, qid
        assert asked[qid].grade(right).correct


@pytest.mark.parametrize("qid, wrong, right", WRONG_ANSWERS, ids=[w[0] for w in WRONG_ANSWERS])
def test_a_wrong_answer_is_wrong_and_the_right_one_is_shown(asked, qid, wrong, right):
    grade = asked[qid].grade(wrong)
    assert not grade.correct
    assert grade.expected == right


def test_the_predict_questions_pause_before_the_answer_happens(asked):
    dispatch = asked["after-dispatch"]
    trace = dispatch.trace
    assert trace.code(dispatch.pause_event).qualname == "Resource.dispatch"
    first_validation = next(c for c in trace.calls if c > dispatch.pause_event and trace.code(c).layer == "validation")
    assert dispatch.pause_event < first_validation
    cells = asked["cells"]
    assert cells.trace.code(cells.pause_event).qualname == "CrossCellLister.get_records_sorted"


def test_the_learner_s_request_file_goes_where_the_lesson_says(tmp_path):
    shutil.copytree(REPO_LESSON / "starter", tmp_path / "ws")
    resolved = recording.resolve_request(LESSON.check_requests["yours"], tmp_path / "ws")
    assert (resolved.target, resolved.detail, resolved.path) == ("nova", "call", "/servers/detail")
    assert LESSON.requests["nova"].command() == "tracer run --target nova GET /servers/detail"


def test_a_request_to_an_unknown_app_is_refused_in_one_line():
    with pytest.raises(LessonError, match="target must be one of") as refused:
        parse_request("yours", {"path": "/servers", "target": "keystone"}, "check.toml")
    assert "\n" not in str(refused.value)
    assert RequestDef("r").target == "sample_api"


@pytest.mark.parametrize("command", ["quiz", "check", "show", "start"])
def test_without_nova_the_lesson_says_how_to_install_it_and_does_nothing(monkeypatch, tmp_path, command):
    monkeypatch.setattr(recording, "nova_installed", lambda: False)
    code, out = run(command, SLUG)
    assert code == 0
    assert out.count("\n") == 1 and "pip install 'tracer[nova]'" in out and "skipped" in out
    assert not (tmp_path / "tracer-lessons").exists()
    code, out = run("show", "1")  # the other lessons do not need Nova
    assert code == 0 and "pip install" not in out
