"""``tracer lesson ...``: the classroom commands.

``register(subparsers)`` adds the ``lesson`` command to tracer's parser; ``main(argv)`` runs it
on its own (``python -m tracer.course.cli``). Output is plain text (or JSON for teachers);
bad input (no such lesson, no workspace) is one line on stderr and exit code 2; a failing
check exits 1.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TextIO

from tracer.course import quiz_cli
from tracer.course import workspace as ws
from tracer.course.grading import letter
from tracer.course.model import Course, Lesson, LessonError, load_course
from tracer.course.progress import Progress
from tracer.course.recording import missing_app
from tracer.course.sandbox import TIME_LIMIT

SAVE_DIR = ".tracer"  # in a learner's own workspace: traces of failed tasks, backups of reset files

PROG = "tracer lesson"


def register(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add ``lesson`` and its subcommands to an existing ``add_subparsers()`` object."""
    lesson = subparsers.add_parser("lesson", help="guided lessons checked against real traces")
    add_arguments(lesson)
    return lesson


def add_arguments(parser: argparse.ArgumentParser) -> None:
    commands = parser.add_subparsers(dest="lesson_command", metavar="COMMAND")
    parser.set_defaults(func=_dispatch, lesson_parser=parser)

    def add(name: str, help_text: str, fn: Callable, with_lesson: bool = True) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text)
        if with_lesson:
            sub.add_argument("lesson", metavar="N", help="lesson number (or its folder name)")
        sub.set_defaults(lesson_func=fn)
        return sub

    add("list", "all lessons, with your progress", cmd_list, with_lesson=False)
    show = add("show", "print a lesson: text, requests, questions and tasks", cmd_show)
    show.add_argument("--answers", action="store_true", help="also print each answer, computed from a real trace")
    start = add("start", "create your workspace for a lesson from its starter files", cmd_start)
    start.add_argument("--workspace", metavar="DIR", help="where (default: ./tracer-lessons/NN-name)")
    check = add("check", "run the lesson's checks on your workspace", cmd_check)
    check.add_argument("--workspace", metavar="DIR", help="the folder to check (default: your started one)")
    check.add_argument("--json", action="store_true", help="print the report as JSON (for grading scripts)")
    check.add_argument("--timeout", type=_seconds, default=TIME_LIMIT, metavar="SECONDS",
                       help=f"time limit for your code's requests (default {TIME_LIMIT:g})")
    watch = add("watch", "check your workspace again on every save, until it passes", cmd_watch)
    watch.add_argument("--workspace", metavar="DIR", help="the folder to watch (default: your started one)")
    watch.add_argument("--interval", type=float, default=0.5, metavar="SECONDS", help="how often to look")
    watch.add_argument("--timeout", type=_seconds, default=TIME_LIMIT, metavar="SECONDS",
                       help=f"time limit for your code's requests (default {TIME_LIMIT:g})")
    grade = add("grade", "check a class: every student workspace in DIR..., a table and JSON/CSV reports", cmd_grade)
    grade.add_argument("dirs", nargs="+", metavar="DIR", help="a workspace, or a folder of workspaces")
    grade.add_argument("--json", metavar="FILE", help="write every report to FILE as JSON")
    grade.add_argument("--csv", metavar="FILE", help="write one row per student to FILE as CSV")
    grade.add_argument("--timeout", type=_seconds, default=TIME_LIMIT, metavar="SECONDS",
                       help=f"time limit per student (default {TIME_LIMIT:g})")
    add("solution", "show the reference solution, once your check has passed", cmd_solution)
    quiz = add("quiz", "answer the lesson's questions; each answer is checked against a real trace", quiz_cli.cmd_quiz)
    quiz.add_argument("--answer", action="append", default=[], metavar="ID=TEXT",
                      help="answer question ID without prompting (repeatable; a letter picks a choice)")
    quiz.add_argument("--reveal", action="append", default=[], metavar="ID",
                      help="show the answer of question ID (it then counts as not answered right)")
    add("hint", "show the next hint", cmd_hint).add_argument("--all", action="store_true", help="every hint at once")
    reset = add("reset", "put the starter files back (yours are saved in .tracer/)", cmd_reset)
    reset.add_argument("--workspace", metavar="DIR", help="the folder to reset (default: your started one)")
    tui = add("tui", "replay the lesson's request with the questions beside it", cmd_tui)
    tui.add_argument("--request", metavar="NAME", help="which request to replay (default: the first one asked about)")


def _dispatch(args: argparse.Namespace, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    fn = getattr(args, "lesson_func", None)
    if fn is None:
        args.lesson_parser.print_help(sys.stderr)
        return 2
    try:
        course = load_course()
        if getattr(args, "lesson", None) is not None:
            missing = missing_app(course.get(args.lesson))
            if missing:  # a lesson on real Nova where Nova is not installed: one line, and nothing to do
                print(missing, file=out)
                return 0
        return fn(args, course, Progress(), out)
    except LessonError as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 2


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    """Run ``tracer lesson`` on its own; returns the exit code."""
    parser = argparse.ArgumentParser(prog=PROG, description="Guided lessons checked against real traces.")
    add_arguments(parser)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 2
    return _dispatch(args, out)


# -- helpers ---------------------------------------------------------------------------------------


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not 0 < value <= 3600:
        raise argparse.ArgumentTypeError("give a time limit between 0 and 3600 seconds")
    return value


def _workspace_for(lesson: Lesson, progress: Progress, given: str | None) -> Path:
    if given:
        return Path(given)
    return progress.workspace(lesson.slug) or ws.default_workspace(lesson)


def _is_own(lesson: Lesson, progress: Progress, path: Path) -> bool:
    """Whether ``path`` is the workspace this learner started for the lesson."""
    own = progress.workspace(lesson.slug)
    return own is not None and own.resolve() == path.resolve()


# -- commands --------------------------------------------------------------------------------------


def cmd_list(args: argparse.Namespace, course: Course, progress: Progress, out: TextIO) -> int:
    current = progress.data.get("current")
    for lesson in course.lessons:
        mark = ">" if lesson.slug == current else " "
        status = progress.status(lesson.slug, len(lesson.questions))
        print(f"{mark} {lesson.number:2d}. {lesson.title}  ({lesson.minutes} min) [{status}]", file=out)
    print(f"\nStart with: tracer lesson start {_next_lesson(course, progress)}", file=out)
    return 0


def _next_lesson(course: Course, progress: Progress) -> int:
    for lesson in course.lessons:
        if not progress.lesson(lesson.slug).get("passed_at"):
            return lesson.number
    return course.lessons[-1].number


def cmd_show(args: argparse.Namespace, course: Course, progress: Progress, out: TextIO) -> int:
    lesson = course.get(args.lesson)
    text = lesson.text.rstrip()
    if text.startswith("# "):  # the lesson's own title line becomes the numbered one
        text = text.partition("\n")[2].lstrip("\n")
    print(f"# Lesson {lesson.number}: {lesson.title}\n", file=out)
    print(text, file=out)
    requests = [r for r in lesson.requests.values() if r.command()]
    if requests:
        print("\n## The questions' requests (record them yourself with these commands)\n", file=out)
        for r in requests:
            print(f"  {r.command()} --save {r.name}.json" + (f"   # {r.describe}" if r.describe else ""), file=out)
    if lesson.questions:
        asked = None
        if args.answers:
            from tracer.course.quiz import ask_all

            asked = {a.question.id: a for a in ask_all(lesson)}
        print(f"\n## Questions (answer them with: tracer lesson quiz {lesson.number})\n", file=out)
        for n, q in enumerate(lesson.questions, 1):
            where = f" [replay paused at {q.pause}]" if q.kind == "predict" else ""
            print(f"{n}. ({q.id}, about {lesson.requests[q.request].label}){where}", file=out)
            print(f"   {q.prompt}", file=out)
            for i, choice in enumerate(q.choices):
                print(f"     {letter(i)}) {choice}", file=out)
            if asked:
                print(f"   answer (from the trace): {asked[q.id].expected_text}", file=out)
    if lesson.tasks:
        print(f"\n## Tasks (run: tracer lesson check {lesson.number})\n", file=out)
        for task in lesson.tasks:
            print(f"- {task.text}", file=out)
    return 0


def cmd_start(args: argparse.Namespace, course: Course, progress: Progress, out: TextIO) -> int:
    lesson = course.get(args.lesson)
    path = Path(args.workspace) if args.workspace else ws.default_workspace(lesson)
    ws.start(lesson, path)
    progress.started(lesson.slug, path)
    print(f"Lesson {lesson.number}: {lesson.title}", file=out)
    print(f"Your workspace: {path}", file=out)
    files = sorted(str(p.relative_to(path)) for p in path.rglob("*") if p.is_file())
    for name in files:
        print(f"  {name}", file=out)
    print(f"\nRead {path / ws.INSTRUCTIONS}, then: tracer lesson quiz {lesson.number}, "
          f"and when your changes are made: tracer lesson check {lesson.number}", file=out)
    return 0


def _checked_workspace(args: argparse.Namespace, lesson: Lesson, progress: Progress) -> tuple[Path, bool]:
    """The folder to check, and whether it is the learner's own (only then is anything recorded or saved)."""
    path = _workspace_for(lesson, progress, args.workspace)
    if not path.is_dir():
        hint = "" if args.workspace else f" (run 'tracer lesson start {lesson.number}' first)"
        raise LessonError(f"no workspace at {path}{hint}")
    return path, not args.workspace or _is_own(lesson, progress, path)


def _check_once(args: argparse.Namespace, course: Course, progress: Progress, out: TextIO) -> int:
    from tracer.course.checks import run_check

    lesson = course.get(args.lesson)
    path, own = _checked_workspace(args, lesson, progress)
    # Only the learner's own workspace counts in their progress and keeps traces in its .tracer/:
    # checking someone else's folder (a teacher's grading) leaves no mark on it or on the progress.
    report = run_check(lesson, path, save_dir=path / SAVE_DIR if own else None, time_limit=args.timeout)
    if own:
        progress.checked(lesson.slug, report.passed, [t.id for t in report.tasks if not t.passed])
    if getattr(args, "json", False):
        print(json.dumps(report.to_json(), indent=2), file=out)
        return 0 if report.passed else 1
    print(f"Lesson {lesson.number}: {lesson.title}  ({path})", file=out)
    for task in report.tasks:
        print(f"  {'PASS' if task.passed else 'FAIL'}  {task.text}", file=out)
        for problem in task.problems:
            print(f"        {problem}", file=out)
    passed = sum(t.passed for t in report.tasks)
    print(f"\n{passed} of {len(report.tasks)} tasks pass.", file=out)
    if report.passed:
        print(f"Lesson {lesson.number} done!{_follow(course, progress, lesson)}", file=out)
    else:
        print(f"Stuck? tracer lesson hint {lesson.number}", file=out)
    return 0 if report.passed else 1


def cmd_check(args: argparse.Namespace, course: Course, progress: Progress, out: TextIO) -> int:
    return _check_once(args, course, progress, out)


def cmd_watch(args: argparse.Namespace, course: Course, progress: Progress, out: TextIO) -> int:
    from tracer.course.teacher import watch

    lesson = course.get(args.lesson)
    path, _own = _checked_workspace(args, lesson, progress)
    print(f"Watching {path}: the check runs again on every save (Ctrl-C stops).", file=out, flush=True)

    def check() -> bool:
        print(f"\n--- {time.strftime('%H:%M:%S')} ---", file=out)
        passed = _check_once(args, course, progress, out) == 0
        out.flush()
        return passed

    try:
        watch(path, check, interval=args.interval, stop=getattr(args, "stop", lambda: False))
    except KeyboardInterrupt:
        print("\nStopped watching.", file=out)
    return 0


def cmd_grade(args: argparse.Namespace, course: Course, progress: Progress, out: TextIO) -> int:
    from tracer.course.teacher import grade, print_table, student_folders, write_csv, write_json

    lesson = course.get(args.lesson)
    if not lesson.tasks:
        raise LessonError(f"lesson {lesson.number} has nothing to build, so nothing to grade")
    folders = student_folders(lesson, [Path(d) for d in args.dirs])
    rows = grade(lesson, folders, time_limit=args.timeout)
    print_table(lesson, rows, out)
    for path, write in ((args.json, lambda p: write_json(rows, p)), (args.csv, lambda p: write_csv(lesson, rows, p))):
        if path:
            try:
                write(Path(path))
            except OSError as exc:
                raise LessonError(f"cannot write {path}: {exc.strerror}") from None
            print(f"Wrote {path}", file=out)
    return 0


def cmd_solution(args: argparse.Namespace, course: Course, progress: Progress, out: TextIO) -> int:
    lesson = course.get(args.lesson)
    if not lesson.tasks:
        raise LessonError(f"lesson {lesson.number} has nothing to build, so no solution")
    if not progress.lesson(lesson.slug).get("passed_at"):
        raise LessonError(f"the reference solution is shown once your check passes (tracer lesson check "
                          f"{lesson.number}); stuck? tracer lesson hint {lesson.number}")
    folder = lesson.solution
    if folder is None:
        raise LessonError("reference solutions are not installed with tracer; they are in the repository, "
                          f"under tracer/course/lessons/{lesson.slug}/solution/")
    starter = lesson.starter
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        rel = path.relative_to(folder)
        text = path.read_text(encoding="utf-8")
        if (starter / rel).is_file() and (starter / rel).read_text(encoding="utf-8") == text:
            continue  # unchanged from the starter: nothing to learn from it
        print(f"==> {rel} <==\n{text.rstrip()}\n", file=out)
    return 0


def _follow(course: Course, progress: Progress, lesson: Lesson) -> str:
    """What to do after a passed check: the next lesson, or how much of the course is done."""
    if lesson.number < len(course.lessons):
        return f" Next: tracer lesson start {lesson.number + 1}"
    slugs = [item.slug for item in course.lessons]
    done = progress.done(slugs) if progress is not None else []
    if len(done) == len(slugs):
        return f" That was the last lesson, and all {len(slugs)} are done: well done."
    left = [str(item.number) for item in course.lessons if item.slug not in done]
    return f" That was the last lesson; {len(done)} of {len(slugs)} are done (still to do: {', '.join(left)})."


def cmd_hint(args: argparse.Namespace, course: Course, progress: Progress, out: TextIO) -> int:
    lesson = course.get(args.lesson)
    if not lesson.hints:
        print(f"Lesson {lesson.number} has no hints.", file=out)
        return 0
    if args.all:
        for n, text in enumerate(lesson.hints, 1):
            print(f"Hint {n}/{len(lesson.hints)}: {text}\n", file=out)
        return 0
    shown = progress.lesson(lesson.slug).get("hints", 0)
    if shown >= len(lesson.hints):
        print(f"No more hints; all {len(lesson.hints)}:\n", file=out)
        for n, text in enumerate(lesson.hints, 1):
            print(f"Hint {n}/{len(lesson.hints)}: {text}\n", file=out)
        return 0
    n = progress.hint_shown(lesson.slug)
    print(f"Hint {n}/{len(lesson.hints)}: {lesson.hints[n - 1]}", file=out)
    return 0


def cmd_reset(args: argparse.Namespace, course: Course, progress: Progress, out: TextIO) -> int:
    lesson = course.get(args.lesson)
    path = _workspace_for(lesson, progress, args.workspace)
    backup = ws.reset(lesson, path)
    if _is_own(lesson, progress, path):
        progress.reset(lesson.slug)
        progress.started(lesson.slug, path)
    print(f"Starter files of lesson {lesson.number} are back in {path}.", file=out)
    if backup:
        print(f"Your previous files are in {backup}", file=out)
    return 0


def cmd_tui(args: argparse.Namespace, course: Course, progress: Progress, out: TextIO) -> int:
    lesson = course.get(args.lesson)
    if not lesson.questions:
        raise LessonError(f"lesson {lesson.number} has no questions to replay")
    from tracer.tui import terminal_problem

    problem = terminal_problem()
    if problem is not None:
        raise LessonError(problem)
    from tracer.course.tui import run_lesson_tui

    return run_lesson_tui(lesson, progress, request=args.request)


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
