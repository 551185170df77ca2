"""``tracer lesson ...`` driven like a function (click's CliRunner idea): a newcomer's lesson 1, a teacher's grading."""

from __future__ import annotations

import io
import json
import logging
import shutil

import pytest

from tracer.cli import main as tracer_cli
from tracer.course import cli
from tracer.course.model import load_course
from tracer.course.progress import Progress


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    """Progress in a temporary TRACER_HOME, workspaces under a temporary current folder."""
    monkeypatch.setenv("TRACER_HOME", str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path)
    logging.disable(logging.CRITICAL)
    yield
    logging.disable(logging.NOTSET)


def run(*argv: str, stdin: str | None = None, monkeypatch=None) -> tuple[int, str]:
    if stdin is not None and monkeypatch is not None:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    out = io.StringIO()
    code = cli.main(list(argv), out=out)
    return code, out.getvalue()


def test_a_newcomer_does_lesson_1(tmp_path, monkeypatch):
    code, out = run("start", "1")
    assert code == 0
    ws = tmp_path / "tracer-lessons" / "01-first-trace"
    assert (ws / "request.toml").is_file() and (ws / "INSTRUCTIONS.md").is_file()
    assert "tracer lesson check 1" in (ws / "INSTRUCTIONS.md").read_text()

    # The questions: a choice typed by its letter or its text; each is graded against a fresh trace.
    code, out = run("quiz", "1", stdin="b\n5\n4\nc\n", monkeypatch=monkeypatch)
    assert code == 0
    assert out.count("right:") == 4, out

    # The starter request is the short list: the check explains what ran instead.
    code, out = run("check", "1")
    assert code == 1
    assert "Resource.dispatch called ServersController.index; expected ServersController.detail" in out

    # The one-line fix a newcomer makes.
    request = ws / "request.toml"
    request.write_text(request.read_text().replace('path = "/servers"', 'path = "/servers/detail"'))
    code, out = run("check", "1")
    assert code == 0, out
    assert "2 of 2 tasks pass" in out and "Lesson 1 done" in out

    code, out = run("list")
    assert "done, quiz 4 right, 0 wrong of 4" in out.splitlines()[0]
    assert "Start with: tracer lesson start 2" in out


def test_a_number_is_a_value_never_a_position():
    # "3" is the third choice's position but not its value: a learner who believes 3 is told so.
    code, out = run("quiz", "1", "--answer", "filters=3")
    assert code == 0
    assert "right:" not in out and "not quite. Try again" in out
    assert "the trace says" not in out  # one wrong try does not give the answer away
    code, out = run("quiz", "1", "--answer", "filters=5")
    assert "right: 5" in out


def test_a_wrong_answer_is_retried_then_shown_and_kept_as_wrong(monkeypatch):
    code, out = run("quiz", "1", "--answer", "controller=a")
    assert "not quite. Try again" in out and "ServersController.detail" not in out.split("your answer")[1]
    code, out = run("quiz", "1", "--answer", "controller=ServersController.show")
    assert "the trace says: ServersController.detail" in out
    # Typing the shown answer afterwards is graded right but does not turn the question into a right one.
    code, out = run("quiz", "1", "--answer", "controller=b")
    assert "right: ServersController.detail" in out
    record = Progress().lesson("01-first-trace")["answers"]["controller"]
    assert record["result"] == "wrong"
    assert [t["given"] for t in record["tries"]] == [
        "ServersController.index", "ServersController.show", "ServersController.detail"]


def test_interactively_a_wrong_try_is_asked_again(monkeypatch):
    code, out = run("quiz", "1", stdin="ServersController.index\nServersController.detail\n", monkeypatch=monkeypatch)
    assert "not quite. Try again" in out and "right: ServersController.detail" in out


def test_the_answer_on_request_counts_as_not_answered_right(monkeypatch):
    code, out = run("quiz", "1", "--reveal", "shows")
    assert "the trace says: " in out
    assert Progress().lesson("01-first-trace")["answers"]["shows"]["result"] == "wrong"
    code, out = run("list")
    assert "quiz 0 right, 1 wrong of 4" in out.splitlines()[0]


def test_a_teacher_grades_a_folder_as_json(tmp_path):
    lesson = load_course().get(8)
    student = tmp_path / "students" / "ada"
    shutil.copytree(lesson.solution, student)
    code, out = run("check", "8", "--workspace", str(student), "--json")
    assert code == 0
    report = json.loads(out)
    assert report["passed"] is True and report["workspace"] == str(student)
    assert {t["id"] for t in report["tasks"]} == {t.id for t in lesson.tasks}
    assert Progress().lesson(lesson.slug).get("last_check") is not None  # no own workspace: recorded


@pytest.mark.parametrize(
    "argv, message",
    [
        (["show", "99"], "no lesson '99'"),
        (["check", "2", "--workspace", "/no/such/folder"], "no workspace at /no/such/folder"),
        (["check", "3"], "run 'tracer lesson start 3' first"),
        (["quiz", "1", "--answer", "nope=1"], "has no question 'nope'"),
        (["quiz", "1", "--answer", "controller"], "is not ID=TEXT"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(argv, message, capsys):
    code, _out = run(*argv)
    err = capsys.readouterr().err
    assert code == 2
    assert message in err and err.count("\n") == 1 and "Traceback" not in err


def test_hints_come_one_at_a_time():
    lesson = load_course().get(1)
    outs = [run("hint", "1")[1] for _ in range(len(lesson.hints) + 1)]
    assert outs[0].startswith(f"Hint 1/{len(lesson.hints)}: {lesson.hints[0]}")
    assert outs[1].startswith(f"Hint 2/{len(lesson.hints)}")
    assert outs[-1].startswith("No more hints")


def test_start_refuses_to_overwrite_and_reset_keeps_a_backup(tmp_path, capsys):
    assert run("start", "5")[0] == 0
    ws = tmp_path / "tracer-lessons" / "05-controller-views"
    (ws / "request.toml").write_text("mine")
    assert run("start", "5")[0] == 2
    assert "already exists" in capsys.readouterr().err
    code, out = run("reset", "5")
    assert code == 0
    backups = list((ws / ".tracer").glob("backup-*"))
    assert len(backups) == 1 and (backups[0] / "request.toml").read_text() == "mine"
    assert (ws / "request.toml").read_text() == (load_course().get(5).starter / "request.toml").read_text()


def test_show_prints_the_lesson_its_requests_and_computed_answers():
    code, out = run("show", "3", "--answers")
    assert code == 0
    assert "# Lesson 3: Routing" in out
    assert out.count("Routing: Router, RoutesMiddleware and ProjectMapper") == 1  # one title, not two
    assert "tracer run GET /nothing/here --save unknown.json" in out
    assert "answer (from the trace): Router._dispatch" in out


def test_registered_under_the_tracer_command(tmp_path, capsys):
    assert tracer_cli.main(["lesson", "show", "1"]) == 0
    assert "First trace" in capsys.readouterr().out
    assert tracer_cli.main(["lesson", "show", "42"]) == 2


def test_the_lesson_replay_without_a_terminal_is_one_line_and_exit_2(capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO(""))  # a pipe, not a terminal
    assert tracer_cli.main(["lesson", "tui", "1"]) == 2
    err = capsys.readouterr().err
    assert err.splitlines() == [
        "tracer lesson: error: the replay is full-screen and needs a terminal, but standard input is not one"]
