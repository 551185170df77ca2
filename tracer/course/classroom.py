"""``tracer classroom``: the replay and the lesson replay served to a web browser, with textual-serve.

A teacher runs ``tracer classroom 3`` (or ``tracer classroom detail.json``) and the class opens
the address it prints: every browser tab gets its own replay, in a process of its own, with the
same keys as in a terminal. It listens on 127.0.0.1 unless told otherwise (``--host 0.0.0.0``
shares it with a room), since anyone who can reach the port can use it.
"""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path

from tracer.course.model import LessonError, load_course
from tracer.course.recording import missing_app

DEFAULT_PORT = 8000


def register(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add ``classroom`` to tracer's parser."""
    parser = subparsers.add_parser("classroom", help="serve a lesson replay (or a trace's replay) to web browsers")
    parser.add_argument("what", nargs="?", default="1", metavar="LESSON|FILE",
                        help="a lesson number (its replay with the questions), or a trace file (default: lesson 1)")
    parser.add_argument("--host", default="127.0.0.1",
                        help="address to listen on (default 127.0.0.1: this machine only)")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port to listen on (default {DEFAULT_PORT})")
    parser.add_argument("--public-url", metavar="URL", help="the address browsers use, when it differs (a proxy)")
    parser.set_defaults(func=cmd_classroom)
    return parser


def app_command(what: str) -> str:
    """The command textual-serve runs for each browser: this module's ``app`` entry, in a process of its own."""
    return shlex.join([sys.executable, "-m", "tracer.course.classroom_app", what])


def check_target(what: str) -> str:
    """A lesson that exists, or a trace file that exists; :class:`LessonError` (one line) otherwise."""
    if what.isdigit():
        lesson = load_course().get(what)
        if not lesson.questions:
            raise LessonError(f"lesson {lesson.number} has no questions to replay")
        missing = missing_app(lesson)
        if missing:  # a lesson on real Nova, where Nova is not installed
            raise LessonError(missing)
        return f"lesson {lesson.number}: {lesson.title}"
    path = Path(what)
    if not path.is_file():
        raise LessonError(f"no lesson or trace file {what!r}")
    return f"the trace {path}"


def cmd_classroom(args: argparse.Namespace) -> int:
    try:
        from textual_serve.server import Server
    except ImportError:
        print("tracer classroom: error: textual-serve is not installed (pip install textual-serve)", file=sys.stderr)
        return 2
    if not 0 < args.port < 65536:
        print(f"tracer classroom: error: port {args.port} is not between 1 and 65535", file=sys.stderr)
        return 2
    try:
        title = check_target(args.what)
        what = args.what if args.what.isdigit() else str(Path(args.what).resolve())
    except LessonError as exc:
        print(f"tracer classroom: error: {exc}", file=sys.stderr)
        return 2
    url = args.public_url or f"http://{args.host}:{args.port}"
    print(f"Serving {title} at {url} (Ctrl-C stops)", flush=True)
    Server(app_command(what), host=args.host, port=args.port, title=f"tracer: {title}",
           public_url=args.public_url).serve()
    return 0
