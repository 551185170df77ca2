"""``tracer lesson quiz``: ask a lesson's questions in the terminal, or take answers from ``--answer``.

A wrong answer may be tried again; the answer is shown after the second wrong try or on
request (``?``, ``--reveal``), and each question's tries and result go to the progress file.
"""

from __future__ import annotations

import argparse
import sys
from typing import TextIO

from tracer.course.grading import letter
from tracer.course.model import Course, Lesson, LessonError
from tracer.course.progress import Progress
from tracer.course.quiz import ask_all


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


def cmd_quiz(args: argparse.Namespace, course: Course, progress: Progress, out: TextIO) -> int:
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
