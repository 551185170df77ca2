"""Workspaces: the learner's folder for one lesson, made from its ``starter/``.

``start`` copies the starter and writes ``INSTRUCTIONS.md``; ``reset`` puts the starter back
after saving the learner's files in ``.tracer/backup-<time>/`` (work is never lost silently).
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

from tracer.course.model import Lesson, LessonError

DEFAULT_PARENT = "tracer-lessons"
INSTRUCTIONS = "INSTRUCTIONS.md"
IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc", ".tracer")


def default_workspace(lesson: Lesson, cwd: Path | None = None) -> Path:
    """``./tracer-lessons/NN-slug``."""
    return (cwd or Path.cwd()) / DEFAULT_PARENT / lesson.slug


def instructions(lesson: Lesson) -> str:
    """The lesson text plus what ``check`` will test and the commands to use."""
    lines = [lesson.text.rstrip(), "", "## What `tracer lesson check` tests", ""]
    lines += [f"- {task.text}" for task in lesson.tasks] or ["- (nothing to build in this lesson)"]
    n = lesson.number
    lines += [
        "",
        "## Commands",
        "",
        f"- `tracer lesson quiz {n}`: answer the questions (each answer is checked against a real trace)",
        f"- `tracer lesson tui {n}`: replay the lesson's request with the questions beside it",
        f"- `tracer lesson hint {n}`: one more hint",
        f"- `tracer lesson check {n}`: run the checks on this folder",
        f"- `tracer lesson watch {n}`: run the checks again every time you save a file",
        f"- `tracer lesson solution {n}`: the reference solution, once your check has passed",
        f"- `tracer lesson reset {n}`: put the starter files back (yours are saved in .tracer/)",
        "",
    ]
    return "\n".join(lines)


def check_inside(workspace: Path, path: Path) -> Path:
    """``path``, after checking that writing there stays in the workspace (no symbolic link leads out of it)."""
    root, target = Path(workspace).resolve(), Path(path).resolve()
    if target != root and root not in target.parents:
        raise LessonError(f"{path} leads out of the workspace (a symbolic link): tracer never writes through it; "
                          "remove the link")
    return path


def refuse_links_out(workspace: Path) -> None:
    """Refuse a workspace holding a symbolic link that leads out of it: a later write would land elsewhere."""
    for folder, dirs, files in os.walk(workspace, followlinks=False):
        for name in dirs + files:
            check_inside(workspace, Path(folder) / name)


def start(lesson: Lesson, workspace: Path) -> Path:
    """Create the workspace from the starter; refuses to overwrite one that already has files."""
    workspace = Path(workspace)
    if workspace.is_dir():
        refuse_links_out(workspace)
    if workspace.exists() and any(p.name != ".tracer" for p in workspace.iterdir()):
        raise LessonError(
            f"{workspace} already exists: carry on there, or run 'tracer lesson reset {lesson.number}' to start over"
        )
    workspace.mkdir(parents=True, exist_ok=True)
    if lesson.starter.is_dir():
        shutil.copytree(lesson.starter, workspace, dirs_exist_ok=True, ignore=IGNORED)
    (workspace / INSTRUCTIONS).write_text(instructions(lesson), encoding="utf-8")
    return workspace


def reset(lesson: Lesson, workspace: Path) -> Path | None:
    """Put the starter back; returns the backup folder of the learner's files (None when nothing was saved)."""
    workspace = Path(workspace)
    if not workspace.is_dir():
        raise LessonError(f"no workspace at {workspace} (run 'tracer lesson start {lesson.number}' first)")
    refuse_links_out(workspace)
    backup = None
    files = [p for p in workspace.iterdir() if p.name != ".tracer"]
    if files:
        backup = workspace / ".tracer" / time.strftime("backup-%Y%m%d-%H%M%S")
        n = 0
        while backup.exists():
            n += 1
            backup = backup.with_name(backup.name.split("+")[0] + f"+{n}")
        backup.mkdir(parents=True)
        for path in files:
            shutil.move(str(path), str(backup / path.name))
    start(lesson, workspace)
    return backup
