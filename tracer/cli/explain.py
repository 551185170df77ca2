"""The ``export``, ``diff`` and ``route`` subcommands, and ``tracer run``'s ``--diff-as`` and ``--deltas``.

What no single-run debugger shows: two runs side by side, why a URL reached its method, what each filter
changed, and the request as a picture for slides. Handlers raise ``UsageError``/``TraceError`` for bad
input, which ``tracer.cli.main`` prints as one line with exit status 2.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from tracer.cli import serve as commands_serve
from tracer.cli.arguments import UsageError

if TYPE_CHECKING:
    from tracer.model.trace import Trace

#: tracer.render.pictures.EXPORT_FORMATS, repeated so that building the parser imports no renderer.
EXPORT_FORMATS = ("perfetto", "mermaid", "svg")
DIFF_FORMATS = ("text", "json")
ROUTE_FORMATS = ("text", "json")


def register(commands: argparse._SubParsersAction) -> None:
    """Add ``export``, ``diff`` and ``route`` to the ``tracer`` command."""
    export = commands.add_parser(
        "export", help="write a trace as a picture: Perfetto/Chrome trace JSON, a Mermaid diagram or an SVG",
        description="Write a saved trace (a file, or an id from tracer list) in a format other tools open: "
                    "perfetto (ui.perfetto.dev, chrome://tracing), mermaid (slides, Markdown), svg (the hop tree).",
    )
    export.add_argument("file", metavar="FILE|ID", help="a trace written by tracer run --save, or an id")
    export.add_argument("--format", choices=EXPORT_FORMATS, required=True, help="what to write")
    export.add_argument("-o", "--output", metavar="OUT", help="write to OUT instead of standard output")
    commands_serve.add_store_option(export)
    export.set_defaults(func=cmd_export)

    diff = commands.add_parser(
        "diff", help="compare two traces: where the two requests first went different ways, and why",
        description="Align the hops of two traces (files or ids from tracer list) and print where they first "
                    "diverged (the frame, the line, the values that differed there) and what only one of them ran.",
    )
    diff.add_argument("a", metavar="A", help="a trace file or id")
    diff.add_argument("b", metavar="B", help="another trace file or id")
    diff.add_argument("--format", choices=DIFF_FORMATS, default="text", help="text (default) or json")
    diff.add_argument("--tui", action="store_true",
                      help="both traces side by side, full-screen; n / p jump to the next or previous divergence")
    commands_serve.add_store_option(diff)
    diff.set_defaults(func=cmd_diff)

    route = commands.add_parser(
        "route", help="explain how the router matches METHOD PATH: routes tried, the match, near misses",
        description="List the routes of the target's router (sample_api's compute router, Nova's, or any WSGI "
                    "app's routes Mapper) in the order routes tries them, the first that matches METHOD PATH with "
                    "the variables it binds, and why the near misses did not match.",
    )
    route.add_argument("method", metavar="METHOD", help="GET, POST, PUT, PATCH, DELETE, HEAD or OPTIONS")
    route.add_argument("path", metavar="PATH", help="e.g. /servers/detail (with or without /v2.1)")
    route.add_argument("--all", action="store_true", help="list every route tried, not only the near misses")
    route.add_argument("--format", choices=ROUTE_FORMATS, default="text", help="text (default) or json")
    route.add_argument("--extensions-dir", metavar="DIR", help="directory of extra API extensions to load")
    route.add_argument("--target", default="sample_api", metavar="TARGET",
                       help="sample_api (default), nova, or module:callable (a WSGI app with a routes router)")
    route.set_defaults(func=cmd_route)


def add_run_options(run: argparse.ArgumentParser) -> None:
    """``tracer run``'s ``--diff-as`` and ``--deltas``."""
    run.add_argument("--diff-as", metavar="USER[:PROJECT]",
                     help="also send the request as this user and compare the two runs (like tracer diff)")
    run.add_argument("--deltas", action="store_true",
                     help="under each filter and router hop (Δ), what it added to or changed in the WSGI environ "
                          "and the response headers")


def check_deltas(args: argparse.Namespace, fmt: str) -> None:
    """``--deltas`` goes under the hop tree; other formats have no place for it."""
    if getattr(args, "deltas", False) and fmt != "tree":
        raise UsageError(f"--deltas is printed under the hop tree; it does not apply to --format {fmt}"
                         " (the json trace carries them in its 'deltas' key)")


def add_show_options(show: argparse.ArgumentParser) -> None:
    show.add_argument("--deltas", action="store_true",
                      help="under each filter and router hop (Δ), what it changed in the environ and the headers")


# -- export ----------------------------------------------------------------------------------------


def cmd_export(args: argparse.Namespace) -> int:
    from tracer.render.pictures import export

    trace = commands_serve.resolve_trace(args.file, args.store)
    text = export(trace, args.format)
    if args.output:
        out = Path(args.output)
        if out.is_dir():
            raise UsageError(f"{out}: is a directory; give a file name for --output")
        out.write_text(text, encoding="utf-8")
        print(f"tracer: wrote {args.format} to {out} ({len(text.encode('utf-8')):,} bytes)", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


# -- diff ------------------------------------------------------------------------------------------


def cmd_diff(args: argparse.Namespace) -> int:
    if args.tui and args.format != "text":
        raise UsageError("--tui shows the comparison full-screen; it does not apply to --format json")
    a = commands_serve.resolve_trace(args.a, args.store)
    b = commands_serve.resolve_trace(args.b, args.store)
    if args.tui:
        return open_diff_tui(a, b)
    print_diff(a, b, args.format)
    return 0


def open_diff_tui(a: Trace, b: Trace) -> int:
    """The side-by-side replay of two traces (Textual is imported only here)."""
    from tracer.replay.diff import diff_traces
    from tracer.tui import terminal_problem

    problem = terminal_problem()
    if problem is not None:
        raise UsageError(problem)
    from tracer.tui.diff import run_diff_tui

    return run_diff_tui(diff_traces(a, b))


def print_diff(a: Trace, b: Trace, fmt: str = "text") -> None:
    from tracer.replay.diff import diff_traces

    diff = diff_traces(a, b)
    if fmt == "json":
        sys.stdout.write(json.dumps(diff.to_dict(), indent=2, ensure_ascii=False) + "\n")
        return
    from rich.console import Console

    from tracer.render.diff import DiffReport

    console = Console(highlight=False, color_system=None if os.environ.get("NO_COLOR") else "auto")
    console.print(DiffReport(diff), soft_wrap=not console.is_terminal)


def run_diff_as(args: argparse.Namespace, spec, record) -> int:
    """``tracer run ... --diff-as USER``: the request as ``--as`` (A) and as ``--diff-as`` (B), compared.

    ``record`` records one request spec into a trace document; each run gets fresh apps on a fresh demo
    database (or the same ``--db`` file), so the two differ only by who sent the request.
    """
    from dataclasses import replace

    from tracer.model.trace import Trace
    from tracer.targets.sample_api import parse_user

    user, project = parse_user(args.diff_as)
    if args.save or args.at or args.depth or args.deltas or args.format not in (None, "json") or (
            args.tui and args.format):
        raise UsageError("--diff-as shows the comparison (text, --format json or --tui); to keep the two traces, "
                         "save each run with --save and compare them with tracer diff")
    a = Trace.from_dict(record(spec))
    b = Trace.from_dict(record(replace(spec, user=user, project=project)))
    if args.tui:
        return open_diff_tui(a, b)
    print_diff(a, b, "json" if args.format == "json" else "text")
    return 0


# -- route -----------------------------------------------------------------------------------------


def cmd_route(args: argparse.Namespace) -> int:
    from tracer.cli.arguments import check_extensions_dir
    from tracer.targets import routing

    extensions_dir = check_extensions_dir(args.extensions_dir)
    explanation = routing.explain(args.method, args.path, extensions_dir=extensions_dir, target=args.target)
    if args.format == "json":
        sys.stdout.write(json.dumps(explanation.to_dict(), indent=2, ensure_ascii=False) + "\n")
        return 0
    from rich.console import Console

    from tracer.render.route import RouteReport

    console = Console(highlight=False, color_system=None if os.environ.get("NO_COLOR") else "auto")
    console.print(RouteReport(explanation, show_all=args.all), soft_wrap=not console.is_terminal)
    return 0


# -- deltas ---------------------------------------------------------------------------------------


def say_no_deltas(trace: Trace) -> None:
    """``--deltas`` on a trace recorded without them (by an older tracer): say so on stderr."""
    if not isinstance(trace.doc.get("deltas"), list):
        print("tracer: note: this trace has no per-hop deltas (tracer run and tracer serve record them)",
              file=sys.stderr)
