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
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TextIO

from tracer.course import workspace as ws
from tracer.course.grading import letter
from tracer.course.model import Course, Lesson, LessonError, load_course
from tracer.course.progress import Progress

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
    quiz = add("quiz", "answer the lesson's questions; each answer is checked against a real trace", cmd_quiz)
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


def _workspace_for(lesson: Lesson, progress: Progress, given: str | None) -> Path:
    if given:
        return Path(given)
    return progress.workspace(lesson.slug) or ws.default_workspace(lesson)


def _is_own(lesson: Lesson, progress: Progress, path: Path) -> bool:
    own = progress.workspace(lesson.slug)
    return own is None or own.resolve() == path.resolve()


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
        print("\n## Requests to trace\n", file=out)
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


def cmd_check(args: argparse.Namespace, course: Course, progress: Progress, out: TextIO) -> int:
    from tracer.course.checks import run_check

    lesson = course.get(args.lesson)
    path = _workspace_for(lesson, progress, args.workspace)
    if not path.is_dir():
        hint = "" if args.workspace else f" (run 'tracer lesson start {lesson.number}' first)"
        raise LessonError(f"no workspace at {path}{hint}")
    report = run_check(lesson, path)
    if not args.workspace or _is_own(lesson, progress, path):
        progress.checked(lesson.slug, report.passed, [t.id for t in report.tasks if not t.passed])
    if args.json:
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
        nxt = lesson.number + 1 if lesson.number < len(course.lessons) else None
        print(f"Lesson {lesson.number} done!{_follow(course, progress, lesson)}", file=out)
    else:
        print(f"Stuck? tracer lesson hint {lesson.number}", file=out)
    return 0 if report.passed else 1


def _parse_answers(lesson: Lesson, items: list[str], reveal: list[str]) -> dict[str, str]:
    given: dict[str, str] = {}
    for item in items:
        qid, sep, text = item.partition("=")
        if not sep:
            raise LessonError(f"--answer {item!r} is not ID=TEXT")
        given[qid.strip()] = text
    known = {q.id for q in lesson.questions}
    unknown = sorted((set(given) | set(reveal)) - known)
    if unknown:
        names = ", ".join(sorted(known))
        raise LessonError(f"lesson {lesson.number} has no question {unknown[0]!r} (its questions: {names})")
    return given


def _read_answer(out: TextIO, prompt: str) -> str | None:
    print(prompt, end="", file=out, flush=True)
    line = sys.stdin.readline()
    if not line:
        return None
    answer = line.strip()
    if not sys.stdin.isatty():
        print(answer, file=out)  # piped answers: show them as if typed
    return answer


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


def cmd_quiz(args: argparse.Namespace, course: Course, progress: Progress, out: TextIO) -> int:
    from tracer.course.quiz import ask_all

    lesson = course.get(args.lesson)
    if not lesson.questions:
        print(f"Lesson {lesson.number} has no questions.", file=out)
        return 0
    given = _parse_answers(lesson, args.answer, args.reveal)
    chosen = set(given) | set(args.reveal)
    asked = ask_all(lesson)
    right = 0
    for n, item in enumerate(asked, 1):
        q = item.question
        if chosen and q.id not in chosen:
            continue
        request = lesson.requests[q.request]
        print(f"\nQ{n} ({q.id}) about {request.label}", file=out)
        if q.kind == "predict":
            print(f"  The replay is paused where {q.pause} is called. Predict before you look.", file=out)
        print(f"  {q.prompt}", file=out)
        for i, choice in enumerate(q.choices):
            print(f"    {letter(i)}) {choice}", file=out)
        show_answer = False
        if q.id in args.reveal:
            progress.revealed(lesson.slug, q.id)
            show_answer = True
        elif q.id in given:
            print(f"  your answer: {given[q.id]}", file=out)
            result = item.grade(given[q.id])
            entry = progress.answered(lesson.slug, q.id, result.given, result.correct) if given[q.id] else None
            if result.correct:
                right += 1
                print(f"  right: {result.expected}", file=out)
            elif entry is None:
                print("  (skipped)", file=out)
            elif entry["result"] == "open":
                print(f"  not quite. Try again with --answer {q.id}=..., or see the answer with --reveal {q.id}",
                      file=out)
            else:
                show_answer = True
        else:
            hint = " (a letter picks a choice; ? shows the answer; empty skips)" if q.choices else ""
            answer = _read_answer(out, f"  your answer{hint}: ")
            while answer:
                if answer == "?":
                    progress.revealed(lesson.slug, q.id)
                    show_answer = True
                    break
                result = item.grade(answer)
                entry = progress.answered(lesson.slug, q.id, result.given, result.correct)
                if result.correct:
                    right += 1
                    print(f"  right: {result.expected}", file=out)
                    break
                if entry["result"] != "open":
                    print("  not quite.", file=out)
                    show_answer = True
                    break
                answer = _read_answer(out, "  not quite. Try again (? shows the answer): ")
            if answer is None:
                print("\n(stopped: no more input)", file=out)
                break
            if answer == "":
                print("  (skipped)", file=out)
        if show_answer:
            print(f"  the trace says: {item.expected_text}", file=out)
        if q.explain and (show_answer or progress.question(lesson.slug, q.id)["result"] == "right"):
            print(f"  {q.explain}", file=out)
    print(f"\n{right} right. Every answer above was computed from a trace recorded just now.", file=out)
    return 0


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
