"""The ``tracer`` command: run a request and show its hops, show a saved trace, open the TUI.

Like ``pdb`` over ``bdb``, this is a face: it parses arguments, asks the engine
(:mod:`tracer.targets.sample_api`, :mod:`tracer.model.trace`) for a trace and hands it to a renderer. Every
subcommand is one small ``cmd_*`` function. Module level imports stay light (no rich, no
Textual) so that start-up is fast and ``tracer run`` never loads Textual.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from tracer.cli import compare as commands_compare
from tracer.cli import explain as commands_explain
from tracer.cli import serve as commands_serve
from tracer.cli.arguments import UsageError, check_db_path, check_extensions_dir, parse_include, positive_int
from tracer.cli.replay import open_tui
from tracer.model.trace import TraceError
from tracer.targets import LABEL_FILES  # noqa: F401  (importing it registers every target's hop labels)

if TYPE_CHECKING:
    from tracer.model.trace import Trace
    from tracer.targets.choose import Target

PROG = "tracer"
FORMATS = ("tree", "pdb", "json")


# -- argument parsing ------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    """The parser with one subparser per subcommand; each sets ``func`` to its ``cmd_*``."""
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Watch one OpenStack Nova API request walk its whole path, then step through it like pdb.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    run = commands.add_parser("run", help="run one request through sample_api (or real Nova) and show every hop")
    add_target_option(run)
    run.add_argument("method", metavar="METHOD", help="GET, POST, PUT, PATCH, DELETE, HEAD or OPTIONS")
    run.add_argument("path", metavar="PATH",
                     help="e.g. /servers/detail (/v2.1 goes in front unless it is /, /v2.1... or /identity...)")
    _add_request_options(run)
    run.add_argument("--include", default="", metavar="MODULES",
                     help="comma-separated module prefixes to record besides sample_api, e.g. webob,routes")
    run.add_argument("--db", metavar="PATH", help="SQLite database file (default: a fresh in-memory demo database)")
    run.add_argument("--extensions-dir", metavar="DIR", help="directory of extra API extensions to load")
    run.add_argument("--detail", choices=("line", "call"), default="line",
                     help="record every line with its locals (line, default: from a deterministic re-run,"
                     " so hop times stay the request's) or only calls (call: faster; arguments and return"
                     " values as the request left them)")
    run.add_argument("--save", metavar="FILE", help="write the trace to FILE (gzip when it ends in .gz)")
    run.add_argument("--tui", action="store_true", help="step through the trace in the full-screen replay")
    _add_render_options(run)
    commands_explain.add_run_options(run)  # --diff-as, --deltas
    run.set_defaults(func=cmd_run)

    show = commands.add_parser("show", help="render a saved trace")
    show.add_argument("file", metavar="FILE|ID", help="a trace written by tracer run --save, or an id from tracer list")
    _add_render_options(show)
    commands_serve.add_store_option(show)
    commands_explain.add_show_options(show)  # --deltas
    show.set_defaults(func=cmd_show)

    tui = commands.add_parser("tui", help="step through a saved trace, or a request recorded now, in the replay")
    tui.add_argument("request", metavar="FILE|ID | METHOD PATH", nargs="*",
                     help="a trace written by tracer run --save or an id from tracer list (none: pick one), or a"
                     " request to record now, e.g. GET /servers/detail")
    add_target_option(tui, default=None)
    _add_request_options(tui)
    tui.add_argument("--at", metavar="FUNCTION[#N]", help="open at the call of FUNCTION (its Nth with #N)")
    commands_serve.add_store_option(tui)
    tui.set_defaults(func=cmd_tui)

    commands_serve.register(commands)  # serve, list
    commands_explain.register(commands)  # export, diff, route
    commands_compare.register(commands)  # compare

    from tracer.course.classroom import register as register_classroom
    from tracer.course.cli import register as register_lessons  # the classroom commands

    register_lessons(commands)
    register_classroom(commands)  # the replays served to web browsers
    return parser


def add_target_option(parser: argparse.ArgumentParser, default: str | None = "sample_api") -> None:
    """``--target``: the app that answers (see ``tracer.targets.choose``); None when the command tells it unset."""
    parser.add_argument("--target", default=default, metavar="TARGET",
                        help="the app to record: sample_api (default, the miniature), nova (OpenStack Nova 34, "
                        "pip install 'tracer[nova]') or module:callable (any WSGI app; the current folder is "
                        "importable)")


def _add_request_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data", metavar="JSON",
                        help="request body as JSON text, or @file.json to read it from a file")
    parser.add_argument("-H", "--header", action="append", default=[], metavar="'Name: value'", help="extra header")
    parser.add_argument("--as", dest="as_user", default="admin:admin", metavar="USER[:PROJECT]",
                        help="who sends the request (default admin:admin)")


def _add_render_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", choices=FORMATS, default=None,
                        help="tree (status, body and hop tree; default), pdb (the stack, pdb-style) or json")
    parser.add_argument("--at", metavar="FUNCTION[#N]",
                        help="where the pdb walkthrough stops, e.g. dispatch or ViewBuilder.show#2 (its second call;"
                        " implies pdb; with --tui, where the replay opens)")
    parser.add_argument("--locals", action="store_true",
                        help="under each frame of the pdb walkthrough, its locals as they were then (implies pdb)")
    parser.add_argument("--depth", type=positive_int, metavar="N", help="draw at most N levels of the hop tree")
    parser.add_argument("--unfold", action="store_true",
                        help="draw each decorator frame of a chain (Nova's validation wrappers) as its own hop")


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``tracer`` console script; returns the exit code (0 ok, 2 bad input)."""
    from tracer.targets.sample_api import RequestError

    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, or argparse's own usage error (already printed)
        return exc.code if isinstance(exc.code, int) else 2
    if args.command is None:
        parser.print_help(sys.stderr)
        return 2
    try:
        return args.func(args)
    except (UsageError, TraceError, RequestError) as exc:
        return error(str(exc))
    except BrokenPipeError:  # e.g. `tracer run ... | head`: stop quietly
        _silence_stdout()
        return 1
    except OSError as exc:
        where = f"{exc.filename}: " if exc.filename else ""
        return error(f"{where}{exc.strerror or exc}")


def error(message: str) -> int:
    """Print the one-line error and return the exit code for bad input."""
    print(f"{PROG}: error: {message}", file=sys.stderr)
    return 2


# -- subcommands -----------------------------------------------------------------------------------


def cmd_run(args: argparse.Namespace) -> int:
    """Run the request in-process, save it if asked, then show it."""
    from tracer.model.trace import Trace
    from tracer.targets.choose import target_named

    spec = request_spec(args)
    fmt = output_format(args)
    if not args.diff_as:
        commands_explain.check_deltas(args, fmt)
    db_path = check_db_path(args.db)
    extensions_dir = check_extensions_dir(args.extensions_dir)
    target = target_named(args.target)
    include = target.include + parse_include(args.include)
    app, twin = load_target(target, db_path, extensions_dir)
    if args.diff_as:
        return commands_explain.run_diff_as(args, spec, lambda one: target.record(
            one, *target.load_twins(db_path, extensions_dir), include, args.detail))
    doc = record_on(target, spec, app, twin, include, args.detail)
    if doc is None:
        return 1
    say_line_detail(doc["meta"])
    trace = Trace.from_dict(doc)
    if args.save:
        save_trace(doc, args.save, trace)
    if args.tui:
        return open_tui(trace, start_at(trace, args.at))
    render(trace, fmt, args.at, args.depth, args.unfold, deltas=args.deltas, show_locals=args.locals)
    if args.deltas:
        commands_explain.say_no_deltas(trace)
    return 0


def start_at(trace: Trace, at: str | None) -> int:
    """The event ``--at FUNCTION[#N]`` names (its call), checked before the replay opens; 0 without it."""
    from tracer.replay.walkthrough import walkthrough_point

    return walkthrough_point(trace, at) if at else 0


def say_line_detail(meta: dict) -> None:
    """On stderr, what a reader of a trace whose lines come from a re-run should know before trusting them."""
    line_detail = meta.get("line_detail") or {}
    if line_detail.get("faithful") is False:
        print(f"{PROG}: note: line detail comes from a re-run that differed ({line_detail['differs']}); "
              "its values may not be the request's", file=sys.stderr)
    for note in line_detail.get("notes") or ():
        print(f"{PROG}: note: {note}", file=sys.stderr)
    for note in (meta.get("target") or {}).get("notes") or ():  # what the recorded app could not do here
        print(f"{PROG}: note: {note}", file=sys.stderr)
    if meta.get("served_as") == "recipe" and isinstance(meta.get("rerun_duration_us"), int):
        print(f"{PROG}: note: built from the served request's recipe; the hop times are its re-run's "
              f"({meta['rerun_duration_us'] / 1000:.1f} ms in all)", file=sys.stderr)


def cmd_show(args: argparse.Namespace) -> int:
    """Render a saved trace exactly as ``tracer run`` rendered it."""
    fmt = output_format(args)
    commands_explain.check_deltas(args, fmt)
    trace = commands_serve.resolve_trace(args.file, args.store)
    say_line_detail(trace.meta)
    render(trace, fmt, args.at, args.depth, args.unfold, deltas=args.deltas, show_locals=args.locals)
    if args.deltas:
        commands_explain.say_no_deltas(trace)
    return 0


def load_target(target: Target, db_path: str | None = None, extensions_dir: str | None = None) -> tuple:
    """The target's app and its twin, ready (its version warning said first); a start that fails is one line."""
    from tracer.targets.sample_api import RequestError

    if target.warning:
        print(f"{PROG}: warning: {target.warning}", file=sys.stderr)
    try:
        return target.load_twins(db_path, extensions_dir)
    except (OSError, RequestError):
        raise
    except Exception as exc:  # a broken database file or extension: one line, not a traceback
        raise UsageError(f"{target.name} could not start: {type(exc).__name__}: {exc}") from None


def record_on(target: Target, spec: object, app: object, twin: object, include: tuple, detail: str) -> dict | None:
    """The trace of ``spec`` sent through the target's app; None (said on stderr) when the request crashed."""
    from tracer.targets.sample_api import RequestError

    try:
        return target.record(spec, app, twin, include, detail)
    except RequestError:
        raise
    except Exception as exc:  # escaped every fault handler: the trace is lost with it
        print(f"{PROG}: error: the request crashed outside {target.name}'s fault handling: "
              f"{type(exc).__name__}: {exc}", file=sys.stderr)
        return None


def cmd_tui(args: argparse.Namespace) -> int:
    """Load (or record) the trace first (errors before Textual is imported), then open the replay.

    ``tracer tui --target nova GET /servers/detail`` records the request as ``tracer run --target nova ... --tui``
    does; a saved trace given with ``--target`` must be one recorded on that target.
    """
    words = args.request
    if len(words) > 2:
        raise UsageError("tracer tui takes a saved trace (FILE|ID) or a request to record (METHOD PATH), "
                         f"not {len(words)} words")
    if len(words) == 2:
        return _record_and_open(args, *words)
    if not words:
        if args.target is not None:
            raise UsageError(f"--target records a request: tracer tui --target {args.target} METHOD PATH "
                             "(the picker lists the stored requests of every target)")
        if args.at:
            raise UsageError("--at needs a trace: tracer tui FILE --at FUNCTION[#N]")
        return commands_serve.cmd_pick(args)
    trace = commands_serve.resolve_trace(words[0], args.store)
    if args.target is not None:
        recorded_on = (trace.meta.get("target") or {}).get("name", "sample_api")
        if recorded_on != args.target:
            raise UsageError(f"{words[0]} was recorded on the {recorded_on} target, not {args.target}")
    start = start_at(trace, args.at)
    say_line_detail(trace.meta)
    return open_tui(trace, start)


def _record_and_open(args: argparse.Namespace, method: str, path: str) -> int:
    """``tracer tui [--target T] METHOD PATH``: record the request with line detail, then replay it."""
    from tracer.model.trace import Trace
    from tracer.targets.choose import target_named

    args.method, args.path = method, path
    spec = request_spec(args)
    target = target_named(args.target or "sample_api")
    app, twin = load_target(target)
    doc = record_on(target, spec, app, twin, target.include, "line")
    if doc is None:
        return 1
    say_line_detail(doc["meta"])
    trace = Trace.from_dict(doc)
    return open_tui(trace, start_at(trace, args.at))


# -- helpers ---------------------------------------------------------------------------------------


def request_spec(args: argparse.Namespace):
    """The :class:`~tracer.targets.sample_api.RequestSpec` described by ``tracer run``'s arguments."""
    from tracer.targets import sample_api as target

    method = target.normalize_method(args.method)
    target.normalize_path(args.path)
    headers = dict(target.parse_header(text) for text in args.header)
    user, project = target.parse_user(args.as_user)
    body = None
    if args.data is not None:
        body = target.parse_json_body(read_data(args.data))
    return target.RequestSpec(method=method, path=args.path, body=body, headers=headers, user=user, project=project)


def read_data(data: str) -> str:
    """``--data``'s text: the argument itself, or the file named after ``@``."""
    if not data.startswith("@"):
        return data
    path = data[1:]
    if not path:
        raise UsageError("--data @ needs a file name, e.g. --data @server.json")
    try:
        return Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot read --data file {path!r}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise UsageError(f"--data file {path!r} is not UTF-8 text") from None


def output_format(args: argparse.Namespace) -> str:
    """The chosen format; ``--at`` alone means pdb, and only pdb has a stopping point."""
    if args.locals and getattr(args, "tui", False):
        raise UsageError("--locals prints the pdb walkthrough; the replay shows locals in its variables pane")
    fmt = args.format or ("pdb" if args.at or args.locals else "tree")
    if args.locals and fmt != "pdb":
        raise UsageError(f"--locals shows each frame's locals in the pdb walkthrough; not in --format {fmt}")
    if args.at and fmt != "pdb" and not getattr(args, "tui", False):
        raise UsageError(f"--at chooses where the pdb walkthrough stops; it does not apply to --format {fmt}")
    if args.depth and fmt != "tree":
        raise UsageError(f"--depth limits the hop tree; it does not apply to --format {fmt}")
    if getattr(args, "unfold", False) and fmt != "tree":
        raise UsageError(f"--unfold draws the hop tree; it does not apply to --format {fmt}")
    return fmt


def save_trace(doc: dict, path: str, trace: Trace) -> None:
    """Write the trace and say where on stderr (stdout stays the rendering, for pipes)."""
    from tracer.model.trace import save

    size = save(doc, path)
    print(f"{PROG}: saved the trace to {path} ({len(trace)} events, {size:,} bytes)", file=sys.stderr)


def render(trace: Trace, fmt: str, at: str | None = None, depth: int | None = None, unfold: bool = False,
           deltas: bool = False, show_locals: bool = False) -> None:
    """Print the trace in ``fmt`` to stdout."""
    if fmt == "json":
        from tracer.model.trace import dumps

        sys.stdout.write(dumps(trace.doc) + "\n")
        return
    from rich.console import Console

    from tracer.render import HopTree, PdbWalkthrough, ResponseSummary

    # NO_COLOR means plain text: no colour and no bold or dim either (rich alone would keep those).
    console = Console(highlight=False, color_system=None if os.environ.get("NO_COLOR") else "auto")
    if fmt == "pdb":
        console.print(PdbWalkthrough(trace, at, show_locals=show_locals), soft_wrap=True)
        return
    # On a terminal long nodes wrap under their guide; in a pipe each node, and the status line, stays one
    # greppable line.
    wrap = console.is_terminal
    console.print(ResponseSummary(trace), soft_wrap=not wrap)
    console.print()
    console.print(HopTree(trace, max_depth=depth, wrap=wrap, fold_decorators=not unfold, deltas=deltas),
                  soft_wrap=not wrap)


def _silence_stdout() -> None:
    """After a broken pipe, point stdout at /dev/null so the interpreter's final flush stays quiet."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


if __name__ == "__main__":
    sys.exit(main())
