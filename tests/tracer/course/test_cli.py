"""``tracer lesson ...`` driven like a function (click's CliRunner idea): a newcomer's lesson 1, a teacher's grading."""

from __future__ import annotations

import argparse
import csv
import io
import json
import logging
import shutil
from pathlib import Path

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


REPO_LESSONS = Path(__file__).resolve().parents[3] / "tracer" / "course" / "lessons"


def files_in(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_a_teacher_checks_a_folder_as_json_without_side_effects(tmp_path):
    lesson = load_course().get(8)
    student = tmp_path / "students" / "ada"
    shutil.copytree(REPO_LESSONS / lesson.slug / "solution", student)
    before = files_in(student)
    code, out = run("check", "8", "--workspace", str(student), "--json")
    assert code == 0
    report = json.loads(out)
    assert report["passed"] is True and report["workspace"] == str(student)
    assert {t["id"] for t in report["tasks"]} == {t.id for t in lesson.tasks}
    assert Progress().lesson(lesson.slug) == {}  # not the teacher's own lesson: nothing recorded
    assert files_in(student) == before  # and nothing written into the student's folder


def test_a_teacher_grades_a_class_in_one_command(tmp_path):
    lesson = load_course().get(7)
    klass = tmp_path / "class"
    shutil.copytree(REPO_LESSONS / lesson.slug / "solution", klass / "ada")
    shutil.copytree(REPO_LESSONS / lesson.slug / "starter", klass / "bob")
    (klass / "carol" / "extensions").mkdir(parents=True)
    (klass / "carol" / "extensions" / "lock_server.py").write_text("while True:\n    pass\n")
    before = files_in(klass)
    reports = tmp_path / "reports"
    reports.mkdir()
    code, out = run("grade", "7", str(klass), "--json", str(reports / "g.json"), "--csv", str(reports / "g.csv"),
                    "--timeout", "10")
    assert code == 0, out
    lines = out.splitlines()
    assert [line.split()[:2] for line in lines[2:5]] == [["ada", "pass"], ["bob", "FAIL"], ["carol", "FAIL"]]
    assert "did not finish within 10 seconds" in lines[4]
    assert "1 of 3 pass." in out
    data = json.loads((reports / "g.json").read_text())
    assert [(d["student"], d["passed"]) for d in data] == [("ada", True), ("bob", False), ("carol", False)]
    rows = list(csv.DictReader((reports / "g.csv").open()))
    assert [(r["student"], r["passed"]) for r in rows] == [("ada", "True"), ("bob", "False"), ("carol", "False")]
    assert rows[0]["tasks_passed"] == str(len(lesson.tasks))
    assert files_in(klass) == before and not Progress().path.exists()


def test_the_solution_is_shown_only_after_the_check_passed(tmp_path, capsys):
    assert run("start", "1")[0] == 0
    code, _ = run("solution", "1")
    assert code == 2 and "shown once your check passes" in capsys.readouterr().err
    ws = tmp_path / "tracer-lessons" / "01-first-trace"
    shutil.copy(REPO_LESSONS / "01-first-trace" / "solution" / "request.toml", ws / "request.toml")
    assert run("check", "1")[0] == 0
    code, out = run("solution", "1")
    assert code == 0 and "==> request.toml <==" in out and "/servers/detail" in out


def test_checking_the_solution_folder_does_not_mark_the_lesson_done(tmp_path):
    lesson = load_course().get(9)
    code, out = run("check", "9", "--workspace", str(REPO_LESSONS / lesson.slug / "solution"))
    assert code == 0
    code, out = run("list")
    assert "[not started]" in [line for line in out.splitlines() if " 9. " in line][0]


def test_watch_checks_again_on_every_save(tmp_path, monkeypatch):
    assert run("start", "1")[0] == 0
    ws = tmp_path / "tracer-lessons" / "01-first-trace"
    seen: list[str] = []
    out = io.StringIO()

    def stop() -> bool:  # the "user" saves a fix after the first check has printed
        seen.append(out.getvalue())
        if len(seen) == 2:
            text = (ws / "request.toml").read_text()
            (ws / "request.toml").write_text(text.replace('path = "/servers"', 'path = "/servers/detail"'))
        return len(seen) > 50

    parser = argparse.ArgumentParser()
    cli.add_arguments(parser)
    args = parser.parse_args(["watch", "1", "--interval", "0.05"])
    args.stop = stop
    code = cli._dispatch(args, out)
    text = out.getvalue()
    assert code == 0
    assert text.count("--- ") == 2, text  # checked once, then once more after the save
    assert "0 of 2 tasks pass" in text and "Lesson 1 done!" in text


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


def test_each_question_says_which_request_it_is_about():
    code, out = run("show", "7")
    assert code == 0
    assert out.count("Requests to trace") == 1  # the lesson's own list, not a second one
    assert 'about POST /servers/57ced187-b1bf-400b-b48b-d22f3ffe6422/action {"reboot": {"type": "SOFT"}}' in out
    assert 'about POST /servers/57ced187-b1bf-400b-b48b-d22f3ffe6422/action {"lock": null}' in out


def test_the_course_end_counts_what_is_done():
    course = load_course()
    last = course.lessons[-1]
    progress = Progress()
    progress.checked(course.lessons[0].slug, True, [])
    progress.checked(last.slug, True, [])
    text = cli._follow(course, progress, last)
    assert "well done" not in text
    assert f"2 of {len(course.lessons)} are done" in text and "still to do: 2, 3," in text
    for lesson in course.lessons:
        progress.checked(lesson.slug, True, [])
    assert f"all {len(course.lessons)} are done" in cli._follow(course, progress, last)
