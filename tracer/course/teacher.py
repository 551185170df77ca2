"""Checking many folders at once (``tracer lesson grade``) or one folder on every save (``tracer lesson watch``).

Grading reads student folders and writes only the files it is told to (a JSON and a CSV
report): never into a student's folder, never into the teacher's own progress. Watching
re-runs the check whenever a file of the workspace changes, as rustlings' watch mode does.
"""

from __future__ import annotations

import csv
import json
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from tracer.course.checks import CheckReport, run_check
from tracer.course.model import Lesson, LessonError
from tracer.course.sandbox import TIME_LIMIT

IGNORED_PARTS = {".tracer", "__pycache__", ".git"}


@dataclass
class Graded:
    """One student's row: the folder's name, and its check report."""

    student: str
    report: CheckReport

    @property
    def passing(self) -> int:
        return sum(t.passed for t in self.report.tasks)

    @property
    def failing(self) -> list[str]:
        return [t.id for t in self.report.tasks if not t.passed]


def is_workspace(lesson: Lesson, folder: Path) -> bool:
    """A folder holding one of the lesson's starter files is a student's workspace."""
    names = {p.name for p in lesson.starter.iterdir()} if lesson.starter.is_dir() else set()
    return any((folder / name).exists() for name in names)


def student_folders(lesson: Lesson, dirs: Iterable[Path]) -> list[Path]:
    """Each DIR is a workspace, or a class folder whose sub-folders are workspaces."""
    found: list[Path] = []
    for folder in dirs:
        if not folder.is_dir():
            raise LessonError(f"no folder at {folder}")
        if is_workspace(lesson, folder):
            found.append(folder)
            continue
        subs = sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith("."))
        students = [p for p in subs if is_workspace(lesson, p)]
        if not students:
            raise LessonError(f"{folder} is neither a workspace of lesson {lesson.number} nor a folder of them")
        found += students
    return found


def grade(lesson: Lesson, folders: list[Path], time_limit: float = TIME_LIMIT) -> list[Graded]:
    """Check every folder; nothing is saved anywhere."""
    return [Graded(folder.name, run_check(lesson, folder, save_dir=None, time_limit=time_limit)) for folder in folders]


def print_table(lesson: Lesson, rows: list[Graded], out: TextIO) -> None:
    width = max([len("student")] + [len(r.student) for r in rows])
    total = len(lesson.tasks)
    print(f"Lesson {lesson.number}: {lesson.title}", file=out)
    print(f"{'student':<{width}}  result  tasks  failing", file=out)
    for r in rows:
        result = "pass" if r.report.passed else "FAIL"
        why = r.report.error or ", ".join(r.failing)
        print(f"{r.student:<{width}}  {result:<6}  {r.passing}/{total:<3}  {why}", file=out)
    passed = sum(r.report.passed for r in rows)
    print(f"\n{passed} of {len(rows)} pass.", file=out)


def write_json(rows: list[Graded], path: Path) -> None:
    data = [{"student": r.student, **r.report.to_json()} for r in rows]
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")


def write_csv(lesson: Lesson, rows: list[Graded], path: Path) -> None:
    task_ids = [t.id for t in lesson.tasks]
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["student", "workspace", "passed", "tasks_passed", "tasks", *task_ids, "error"])
        for r in rows:
            by_id = {t.id: t.passed for t in r.report.tasks}
            writer.writerow([r.student, r.report.workspace, r.report.passed, r.passing, len(task_ids),
                             *(by_id.get(t, False) for t in task_ids), r.report.error or ""])


# -- watching ------------------------------------------------------------------------------------------


def snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    """Each file's modification time and size: a change to either is a save."""
    seen = {}
    for path in folder.rglob("*"):
        if path.is_file() and not IGNORED_PARTS.intersection(path.relative_to(folder).parts):
            stat = path.stat()
            seen[str(path)] = (stat.st_mtime_ns, stat.st_size)
    return seen


def watch(
    folder: Path,
    on_change: Callable[[], bool],
    interval: float = 0.5,
    stop: Callable[[], bool] = lambda: False,
) -> None:
    """Call ``on_change`` now and after every save, until it returns True (passed) or ``stop()`` says so."""
    last = snapshot(folder)
    if on_change():
        return
    while not stop():
        time.sleep(interval)
        now = snapshot(folder)
        if now != last:
            last = now
            if on_change():
                return
