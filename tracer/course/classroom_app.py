"""The app one browser tab of ``tracer classroom`` runs: a lesson replay, or a trace's replay.

textual-serve starts ``python -m tracer.course.classroom_app LESSON|FILE`` once per tab with
Textual's web driver, so there is no terminal to ask about: the app draws into the browser.
Answers go to the progress of the user running the classroom.
"""

from __future__ import annotations

import sys

from tracer.course.model import LessonError, load_course
from tracer.course.progress import Progress
from tracer.course.tui import run_lesson_tui
from tracer.tui import run_tui


def main(argv: list[str]) -> int:
    what = argv[0] if argv else "1"
    if what.isdigit():
        try:
            return run_lesson_tui(load_course().get(what), Progress())
        except LessonError as exc:
            print(f"tracer classroom: error: {exc}", file=sys.stderr)
            return 2
    return run_tui(what)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
