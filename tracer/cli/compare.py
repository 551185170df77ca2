"""``tracer compare``: one request recorded on two targets, their paths printed side by side.

By default the miniature (``sample_api``) against OpenStack Nova 34 (``nova``): what changed in Nova's API
since the 2015 shape the course teaches. Both are recorded in this process at call level (calls and
returns are what the comparison reads).
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING

from tracer.cli.arguments import UsageError

if TYPE_CHECKING:
    from tracer.model.trace import Trace


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``compare`` to the ``tracer`` command."""
    compare = subparsers.add_parser(
        "compare", help="record one request on two targets (sample_api and real Nova) and show both paths aligned",
        description="Record METHOD PATH on two targets and print the paths to the walkthrough's stop side by "
                    "side, aligned on the frames both have, with what each adds between them.",
    )
    compare.add_argument("method", metavar="METHOD", help="GET, POST, PUT, PATCH, DELETE, HEAD or OPTIONS")
    compare.add_argument("path", metavar="PATH", help="e.g. /servers/detail (/v2.1 goes in front)")
    compare.add_argument("--left", default="sample_api", metavar="TARGET", help="left column (default: sample_api)")
    compare.add_argument("--right", default="nova", metavar="TARGET", help="right column (default: nova)")
    compare.add_argument("--as", dest="as_user", default="admin:admin", metavar="USER[:PROJECT]",
                         help="who sends the request (default admin:admin)")
    compare.add_argument("--data", metavar="JSON", help="request body as JSON text")
    compare.add_argument("--format", choices=("table", "json"), default="table",
                         help="table (default) or json, for scripts")
    compare.add_argument("--tui", action="store_true",
                         help="open both traces side by side, one cursor on their shared frames (n/p to move)")
    compare.set_defaults(func=cmd_compare)


def record_on(target_name: str, spec: object) -> dict:
    """The trace of ``spec`` on the target named ``target_name``, at call level."""
    from tracer.targets.choose import target_named
    from tracer.targets.sample_api import RequestError

    target = target_named(target_name)
    if target.warning:
        print(f"tracer: warning: {target.warning}", file=sys.stderr)
    try:
        app, twin = target.load_twins(None, None)
    except (OSError, RequestError):
        raise
    except Exception as exc:
        raise UsageError(f"{target.name} could not start: {type(exc).__name__}: {exc}") from None
    return target.record(spec, app, twin, target.include, "call")


def cmd_compare(args: argparse.Namespace) -> int:
    from tracer.model.trace import Trace
    from tracer.replay.compare import compare
    from tracer.targets import sample_api as requests

    method = requests.normalize_method(args.method)
    requests.normalize_path(args.path)
    user, project = requests.parse_user(args.as_user)
    body = requests.parse_json_body(args.data) if args.data is not None else None
    spec = requests.RequestSpec(method=method, path=args.path, body=body, user=user, project=project)
    left = Trace.from_dict(record_on(args.left, spec))
    right = Trace.from_dict(record_on(args.right, spec))
    steps = compare(left, right)
    if args.tui:
        return open_compare(left, right, steps)
    if args.format == "json":
        doc = {
            "request": left.request_line,
            "targets": [_summary(left), _summary(right)],
            "steps": [step.as_dict() for step in steps],
        }
        sys.stdout.write(json.dumps(doc, indent=1) + "\n")
        return 0
    from rich.console import Console

    from tracer.render.compare import ComparedPaths

    Console(highlight=False).print(ComparedPaths(left, right, steps))
    return 0


def open_compare(left: Trace, right: Trace, steps: list) -> int:
    """The side-by-side replay (Textual is imported only here)."""
    from tracer.tui import terminal_problem

    problem = terminal_problem()
    if problem is not None:
        raise UsageError(problem)
    from tracer.tui.compare import CompareApp

    CompareApp(left, right, steps).run()
    return 0


def _summary(trace: Trace) -> dict:
    target = trace.meta.get("target") or {}
    return {"name": target.get("name"), "versions": target.get("versions"), "status": trace.status,
            "calls": len(trace.calls), "duration_us": trace.duration_us}
