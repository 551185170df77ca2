"""``sample-api serve``: run the miniature Nova API on a real socket (``nova/cmd/api.py``).

It serves on 127.0.0.1:8774 by default and logs one line per request.
Ctrl-C or SIGTERM stops it cleanly (exit 0); a busy port is one clear line
and exit 1.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
from collections.abc import Sequence

from sample_api import conf, service, wsgi
from sample_api.log_redaction import MaskingFilter
from sample_api.utils import Stop, is_loopback, port_number, positive_int, raise_stop

LOG = logging.getLogger("sample_api.cmd")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="sample-api", description="A miniature OpenStack Nova compute API.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    serve = commands.add_parser("serve", help="serve the compute API v2.1 over HTTP")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default: %(default)s)")
    serve.add_argument("--allow-unauthenticated-remote-access", action="store_true",
                       help="allow a --host other than loopback: sample-api has NO real authentication, so anyone "
                            "who can reach the address can use the API as admin")
    serve.add_argument("--port", type=port_number, default=8774, help="port, 0 for a free one (default: %(default)s)")
    serve.add_argument(
        "--pool-size", type=positive_int, default=None, help=f"worker pool size (default: {wsgi.DEFAULT_POOL_SIZE})"
    )
    serve.add_argument("--backlog", type=positive_int, default=wsgi.DEFAULT_BACKLOG, help="listen backlog")
    serve.add_argument("--server", choices=wsgi.BACKENDS, default="threaded", help="server backend")
    serve.add_argument("--db", metavar="PATH", default=None, help="SQLite file (default: in-memory demo data)")
    serve.add_argument("--extensions-dir", metavar="DIR", default=None, help="load extra extensions from DIR")
    serve.add_argument("--debug", action="store_true", help="log everything at DEBUG level")
    return parser


def _setup_logging(debug: bool) -> None:
    """One line per request by default: only the request log speaks at INFO."""
    logging.basicConfig(
        stream=sys.stderr,
        level=logging.DEBUG if debug else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s %(message)s",
    )
    for handler in logging.getLogger().handlers:
        handler.addFilter(MaskingFilter())  # no password or token in any line, at any level
    if not debug:
        logging.getLogger("sample_api.api.openstack.requestlog").setLevel(logging.INFO)


def serve(args: argparse.Namespace) -> int:
    if not is_loopback(args.host) and not args.allow_unauthenticated_remote_access:
        print(f"sample-api: error: --host {args.host} is reachable from other machines and sample-api has no real "
              "authentication (any 'admin:admin' token is admin); add --allow-unauthenticated-remote-access to do "
              "it anyway", file=sys.stderr)
        return 2
    _setup_logging(args.debug)
    conf.CONF.db_path = args.db
    conf.CONF.extensions_dir = args.extensions_dir
    if not is_loopback(args.host):
        LOG.warning(
            "!!! Listening on %s: anyone who can reach this address can use the API. "
            "sample-api has NO real authentication (any 'admin:admin' token is admin). !!!",
            args.host,
        )
    try:
        server = service.WSGIService(
            "osapi_compute",
            host=args.host,
            port=args.port,
            pool_size=args.pool_size,
            backlog=args.backlog,
            backend=args.server,
        )
    except OSError as exc:
        print(f"sample-api: cannot listen on {args.host}:{args.port}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    except Exception as exc:
        if args.debug:
            LOG.exception("cannot start")
        print(f"sample-api: cannot start: {exc}", file=sys.stderr)
        return 1

    signal.signal(signal.SIGTERM, raise_stop)
    server.start()
    print(
        f"sample-api: serving the compute API on http://{server.host}:{server.port}/v2.1 "
        f"({args.server} server); Ctrl-C to stop",
        file=sys.stderr,
        flush=True,
    )
    try:
        server.wait()
    except (KeyboardInterrupt, Stop):
        pass
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        server.stop()
        server.wait()
    print("sample-api: stopped", file=sys.stderr)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Console script ``sample-api``: returns the exit status."""
    args = build_parser().parse_args(argv)
    if args.command == "serve":
        return serve(args)
    return 2  # unreachable: argparse requires a known command


if __name__ == "__main__":
    sys.exit(main())
