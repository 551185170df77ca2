"""The ``serve`` and ``list`` subcommands, and how ``show``/``tui`` find a trace by id.

A face over :mod:`tracer.serve.server` and :mod:`tracer.store.traces`. ``tracer/cli.py`` hooks it in with
``commands_serve.register(commands)``; its handlers raise the same errors as the other commands
(``UsageError``, ``TraceError``, of which ``StoreError`` is one), which ``cli.main`` turns into one
``tracer: error: ...`` line and exit status 2.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from tracer.cli.arguments import (
    UsageError,
    check_db_path,
    check_extensions_dir,
    parse_include,
    port_number,
    positive_int,
)
from tracer.cli.replay import open_tui
from tracer.render.theme import format_time

if TYPE_CHECKING:
    from tracer.model.trace import Trace
    from tracer.store.traces import TraceSummary

#: sample_api.wsgi.BACKENDS, repeated so that building the parser does not import webob and routes.
BACKENDS = ("threaded", "eventlet")
#: tracer.serve.server.DETAILS, for the same reason
DETAILS = ("rerun", "line", "call")
#: The words ``tracer show`` / ``tracer tui`` accept for the newest stored trace.
LATEST = ("last", "latest")


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``serve`` and ``list`` to the ``tracer`` command."""
    from tracer.store.traces import DEFAULT_MAX_TRACES

    serve = subparsers.add_parser(
        "serve", help="serve sample_api over HTTP and record every request into the trace store",
        description="Run the miniature Nova API on a real socket (point novaclient, openstacksdk or curl at "
                    "http://HOST:PORT/v2.1 with the token admin:admin); every request becomes a trace in the store.",
    )
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default: %(default)s)")
    serve.add_argument("--allow-unauthenticated-remote-access", action="store_true",
                       help="allow a --host other than loopback: anyone who can reach it can use the API as admin "
                            "(there is no real authentication) and every request body lands in the trace store")
    serve.add_argument("--port", type=port_number, default=8774, help="port, 0 for a free one (default: %(default)s)")
    serve.add_argument("--pool-size", type=positive_int, default=None, metavar="N", help="worker pool size")
    serve.add_argument("--backlog", type=positive_int, default=None, metavar="N",
                       help="listen backlog (default: sample_api's, 4096)")
    serve.add_argument("--server", choices=BACKENDS, default="threaded", help="server backend (default: threaded)")
    _add_store_option(serve)
    serve.add_argument("--max-traces", type=positive_int, default=DEFAULT_MAX_TRACES, metavar="N",
                       help="keep at most N traces, the oldest go first (default: %(default)s)")
    serve.add_argument("--include", default="", metavar="MODULES",
                       help="comma-separated module prefixes to record besides sample_api, e.g. webob,routes")
    serve.add_argument("--detail", choices=DETAILS, default="rerun",
                       help="rerun (default): keep each read-only request's inputs and build its line-level trace"
                       " by re-running it when the server is idle or the trace is first opened, record the others"
                       " line by line; line: record every request line by line while it runs (slow); call: only"
                       " calls, arguments and return values, as the request left them")
    serve.add_argument("--db", metavar="PATH", help="SQLite database file (default: a fresh in-memory demo database)")
    serve.add_argument("--extensions-dir", metavar="DIR", help="directory of extra API extensions to load")
    serve.add_argument("--target", default="sample_api", metavar="TARGET",
                       help="the app to serve: sample_api (default), nova (OpenStack Nova 34, pip install "
                       "'tracer[nova]'; --detail rerun records each request line by line) or module:callable")
    serve.add_argument("--debug", action="store_true", help="log everything at DEBUG level")
    serve.add_argument("--otlp-endpoint", metavar="URL",
                       help="also send each trace as OpenTelemetry spans (OTLP/HTTP) to this collector, e.g. "
                       "http://127.0.0.1:4318 (Jaeger, Tempo, an OpenTelemetry Collector); needs tracer[otlp]")
    serve.set_defaults(func=cmd_serve)

    listing = subparsers.add_parser("list", help="list the requests recorded by tracer serve, newest first")
    _add_store_option(listing)
    listing.add_argument("--last", type=positive_int, default=20, metavar="N",
                         help="show the N newest (default: %(default)s)")
    listing.add_argument("--json", action="store_true", help="one JSON object per trace, for scripts")
    listing.set_defaults(func=cmd_list)


def add_store_option(parser: argparse.ArgumentParser) -> None:
    """``--store DIR`` for other subcommands (``show``, ``tui``) that read the store."""
    _add_store_option(parser)


def _add_store_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--store", metavar="DIR", default=None,
                        help="the trace store folder (default: the per-user data folder, e.g. ~/.local/share/tracer)")


# -- handlers --------------------------------------------------------------------------------------


def cmd_serve(args: argparse.Namespace) -> int:
    """Check the arguments, then serve until Ctrl-C / SIGTERM."""
    from tracer.serve import server as serve
    from tracer.targets.choose import target_named

    if not serve.is_loopback(args.host) and not args.allow_unauthenticated_remote_access:
        raise UsageError(f"--host {args.host} is reachable from other machines, and the API has no real "
                         "authentication (any 'admin:admin' token is admin): add --allow-unauthenticated-remote-access "
                         "to do it anyway")
    target = target_named(args.target)
    if target.warning:
        print(f"tracer: warning: {target.warning}", file=sys.stderr)
    include = target.include + parse_include(args.include)
    db_path = check_db_path(args.db)
    extensions_dir = check_extensions_dir(args.extensions_dir)
    if args.otlp_endpoint:
        from tracer.serve.otlp import traces_url

        try:
            traces_url(args.otlp_endpoint)
        except ValueError as exc:
            raise UsageError(str(exc)) from None
    serve.setup_logging(args.debug)

    def say(text: str) -> None:
        print(text, file=sys.stderr, flush=True)

    try:
        return serve.serve(
            store_dir=args.store, max_traces=args.max_traces, host=args.host, port=args.port,
            pool_size=args.pool_size, backlog=args.backlog, backend=args.server, include=include,
            detail=args.detail, db_path=db_path, extensions_dir=extensions_dir, say=say, target=target.name,
            otlp_endpoint=args.otlp_endpoint,
        )
    except OSError as exc:
        raise UsageError(f"cannot listen on {args.host}:{args.port}: {exc.strerror or exc}") from None
    except RuntimeError as exc:  # e.g. the eventlet backend without eventlet installed
        raise UsageError(str(exc)) from None
    except sqlite3.DatabaseError as exc:  # --db names a file that is no SQLite database (the store has its own)
        raise UsageError(f"sample_api could not start: {type(exc).__name__}: {exc}") from None


def cmd_list(args: argparse.Namespace) -> int:
    """A table of the newest stored requests (plain text when stdout is not a terminal, or JSON)."""
    with open_store(args.store) as store:
        rows = store.list(last=args.last)
    if args.json:
        for row in rows:
            sys.stdout.write(json.dumps(row.as_dict()) + "\n")
        return 0
    if not rows:
        print(f"no traces yet in {store.dir} (run tracer serve and send it a request)", file=sys.stderr)
        return 0
    print_table(rows)
    return 0


def print_table(rows: list[TraceSummary]) -> None:
    """id, time, user, method, path, status, duration, hops: a rich table, plain when piped."""
    from rich import box
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    console = Console(highlight=False)
    plain = not console.is_terminal
    table = Table(box=None if plain else box.SIMPLE_HEAD, show_edge=False, pad_edge=False,
                  header_style="" if plain else "bold")
    for name, justify in (("id", "right"), ("time", "left"), ("user", "left"), ("method", "left"),
                          ("path", "left"), ("status", "right"), ("duration", "right"), ("hops", "right")):
        table.add_column(name, justify=justify, no_wrap=name != "path", overflow="fold")
    for row in rows:
        status_style = "" if plain else ("green" if row.status < 400 else "yellow" if row.status < 500 else "red")
        table.add_row(
            str(row.id),
            format_time(row.recorded_at),
            Text(f"{row.user}:{row.project}") if row.user else "-",  # Text: a name or a path is not markup
            Text(row.method),
            Text(row.path),
            f"[{status_style}]{row.status}[/]" if status_style else str(row.status),
            f"{row.duration_us / 1000:.1f} ms",
            "-" if row.hops is None else str(row.hops),
        )
    if plain:
        console = Console(highlight=False, width=10_000, no_color=True)
    console.print(table)


def cmd_pick(args: argparse.Namespace) -> int:
    """``tracer tui`` without a trace: pick a stored request, replay it, come back to the list."""
    from tracer.store.traces import StoreError

    with open_store(args.store) as store:  # a missing or corrupt store fails here, before Textual starts
        try:
            from tracer.tui.picker import pick
        except ImportError as exc:
            raise UsageError(f"the replay TUI is not available ({exc})") from None
        from tracer.tui import terminal_problem

        problem = terminal_problem()
        if problem is not None:
            raise UsageError(problem)
        chosen: int | None = None
        while True:
            chosen = pick(store, selected=chosen)
            if chosen is None:
                return 0
            try:
                trace = load_stored(store, chosen)
            except StoreError as exc:  # pruned meanwhile, or corrupt: say so and go back to the list
                print(f"tracer: {exc}", file=sys.stderr)
                continue
            open_tui(trace)


# -- finding a trace -------------------------------------------------------------------------------


def open_store(store_dir: str | None):
    """The existing store (``TraceStore``), or StoreError saying where we looked."""
    from tracer.store.traces import DB_NAME, StoreError, TraceStore, default_store_dir
    from tracer.targets.recipes import InProcessBuilder

    folder = Path(store_dir).expanduser() if store_dir else default_store_dir()
    if not (folder / DB_NAME).is_file():
        if folder.exists() and not folder.is_dir():
            raise StoreError(f"{folder}: is not a folder (--store takes the folder that holds {DB_NAME})")
        raise StoreError(f"no trace store in {folder} (tracer serve records requests there; --store DIR picks another)")
    return TraceStore(folder, builder=InProcessBuilder())


def is_trace_id(ref: str) -> bool:
    text = ref.strip().lstrip("#")
    return text.isdigit() or text in LATEST


def resolve_trace(ref: str, store_dir: str | None = None) -> Trace:
    """A trace named on the command line: a trace file, or an id (or ``last``) in the store.

    An existing file wins; a bare number that is not a file is an id in the store. Raises
    ``TraceError`` (or its subclass ``StoreError``) with one line for the user.
    """
    from tracer.model.trace import load

    if Path(ref).exists() or not is_trace_id(ref):
        return load(ref)
    with open_store(store_dir) as store:
        text = ref.strip().lstrip("#")
        if text in LATEST:
            newest = store.latest_id()
            if newest is None:
                from tracer.store.traces import StoreError

                raise StoreError(f"the store at {store.dir} has no traces yet")
            text = str(newest)
        return load_stored(store, text)


def load_stored(store, ref: int | str) -> Trace:
    """The stored trace ``ref``; building one from its recipe takes a moment, so say so first (on stderr)."""
    recipe = store.recipe(ref)  # a broken recipe fails here, in one line
    if recipe is None:
        return store.load(ref)
    print(f"tracer: building trace {ref} from its recipe (re-running the request line by line, once)",
          file=sys.stderr, flush=True)
    return store.validated(ref, store.build(ref, *recipe))
