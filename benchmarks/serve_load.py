"""Requests per second of ``tracer serve`` on loopback: GET /v2.1/servers/detail, traced vs untraced.

Each mode runs the same server child process (``TracedServer``; untraced is ``record=False``), on the
same backend, with the same client: N threads in this process, a new HTTP connection per request
(the threaded backend speaks HTTP/1.0), for a fixed number of seconds. After a traced run the child
is stopped with SIGTERM (which stores everything still queued) and the store must hold exactly one
trace per answered request. Modes alternate over rounds; the median rate per mode is reported.

    python benchmarks/serve_load.py                       # threaded + eventlet, untraced/rerun/call/line
    python benchmarks/serve_load.py --backend threaded --seconds 5 --rounds 1
    python benchmarks/serve_load.py --otlp-endpoint       # also call-otlp, rerun-otlp: each trace exported

With ``--otlp-endpoint`` (or a mode ending in ``-otlp``) this process also runs an OTLP/HTTP receiver on
127.0.0.1 that reads each export and answers 200, and the ``-otlp`` modes serve with ``--otlp-endpoint``
pointing at it: what exporting every trace as spans costs, side by side with the same mode without it.
"""

from __future__ import annotations

import argparse
import http.client
import os
import platform
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PATH = "/v2.1/servers/detail"
MODES = ("untraced", "rerun", "call", "line")
#: How many of a rerun run's recipes the child builds after the load, to report what a trace costs later.
BUILD_SAMPLE = 20
#: Extra modes: record, then drop the trace (what the recorder alone costs, without the store); and
#: call-timeline: record at call level and keep only the calls and their times, no value described (what
#: a request would pay at the least if its values were described later, by a re-run; nothing is stored).
DISCARD_MODES = ("call-discard", "line-discard", "call-timeline")
#: The modes ``--otlp-endpoint`` adds: each trace also exported as OTLP spans to a receiver on 127.0.0.1.
OTLP_MODES = ("rerun-otlp", "call-otlp")


class Receiver:
    """An OTLP/HTTP endpoint on 127.0.0.1 that reads each export and answers 200 (counting exports and bytes)."""

    def __init__(self) -> None:
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        self.exports = 0
        self.bytes = 0
        receiver, lock = self, threading.Lock()

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                with lock:
                    receiver.exports += 1
                    receiver.bytes += len(body)
                self.send_response(200)
                self.send_header("Content-Type", "application/x-protobuf")
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1/traces"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def child(args: argparse.Namespace) -> int:
    """The server process: serve until SIGTERM, then store every queued trace."""
    import logging

    from tracer.serve.server import TracedServer
    from tracer.store.traces import TraceStore

    logging.basicConfig(level=logging.WARNING)
    detail, _, variant = args.mode.partition("-")
    discard = variant in ("discard", "timeline")
    record = args.mode != "untraced"
    store = TraceStore(args.store, max_traces=1_000_000) if record and not discard else None
    if discard:
        from sample_api.wsgi import Server
        from tracer.record.recorder import Recorder
        from tracer.targets.sample_api import load_sample_api

        recorder = Recorder(detail=detail)
        api = load_sample_api()
        recorder.install(api)  # as TracedServer does
        app = recorder.wrap(api, lambda doc: None) if variant == "discard" else timeline_app(recorder, api)
        server = Server("osapi_compute", app, port=0, backend=args.backend)
    else:
        background = {"thread": True, "inline": False}.get(variant)  # None: TracedServer's choice per backend
        server = TracedServer(store, port=0, backend=args.backend, detail=detail if record else "line", record=record,
                              background_writer=background, otlp_endpoint=args.otlp if variant == "otlp" else None)
    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    server.start()
    print(f"PORT {server.port}", flush=True)
    while not stopping.wait(0.1):
        pass
    server.stop()
    server.wait()
    if store is not None:
        print(f"STORED {store.count()}", flush=True)
        if detail == "rerun":  # what building a trace from its recipe costs, after the load (one at a time)
            waiting = store.pending(last=BUILD_SAMPLE)
            started = time.perf_counter()
            for tid in waiting:
                store.get(tid)
            if waiting:
                print(f"BUILT {len(waiting)} {time.perf_counter() - started:.6f}", flush=True)
        store.close()
    return 0


def timeline_app(recorder, app):
    """``app`` recorded at call level, each request's timeline taken (before its body goes out), then dropped."""

    def timed_app(environ: dict, start_response):
        run = recorder.run_wsgi(app, environ)
        if run.error is not None:
            raise run.error
        start_response(run.status, run.headers)
        run.session.timeline()
        return [run.body]

    return timed_app


def drive(port: int, threads: int, seconds: float) -> tuple[int, int, float]:
    """(answered, failed, elapsed): every thread sends requests until the time is up."""
    done = [0] * threads
    failed = [0] * threads
    deadline = time.perf_counter() + seconds

    def client(i: int) -> None:
        while time.perf_counter() < deadline:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
            try:
                conn.request("GET", PATH, headers={"X-Auth-Token": "admin:admin", "Accept": "application/json"})
                response = conn.getresponse()
                response.read()
                if response.status == 200:
                    done[i] += 1
                else:
                    failed[i] += 1
            except OSError:
                failed[i] += 1
            finally:
                conn.close()

    started = time.perf_counter()
    workers = [threading.Thread(target=client, args=(i,)) for i in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return sum(done), sum(failed), time.perf_counter() - started


def run_mode(backend: str, mode: str, threads: int, seconds: float, otlp: str | None = None) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        proc = subprocess.Popen(
            [sys.executable, __file__, "--child", "--backend", backend, "--mode", mode, "--store", tmp,
             *(["--otlp", otlp] if otlp else [])],
            cwd=ROOT, stdout=subprocess.PIPE, text=True,
        )
        assert proc.stdout is not None
        line = proc.stdout.readline()
        found = re.match(r"PORT (\d+)", line)
        if not found:
            proc.kill()
            raise SystemExit(f"the {backend}/{mode} server did not start: {line!r}")
        port = int(found.group(1))
        warm, _, _ = drive(port, threads, 0.5)  # warm up (first-request caches); not timed, but stored
        answered, failed, elapsed = drive(port, threads, seconds)
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=600)
        stored = None
        found = re.search(r"STORED (\d+)", out)
        if found:
            stored = int(found.group(1))
        built = re.search(r"BUILT (\d+) ([\d.]+)", out)
    return {"answered": answered, "failed": failed, "rate": answered / elapsed, "stored": stored,
            "expected": warm + answered,
            "build_ms": float(built.group(2)) * 1000 / int(built.group(1)) if built else None}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=("threaded", "eventlet", "both"), default="both")
    parser.add_argument("--modes", default=",".join(MODES),
                        help="comma-separated: untraced,rerun,call,line (and, storing nothing: "
                             "call-discard,line-discard,call-timeline)")
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--otlp-endpoint", action="store_true",
                        help=f"also the modes {', '.join(OTLP_MODES)}: each trace exported to a receiver here")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--otlp", help=argparse.SUPPRESS)
    parser.add_argument("--mode", default="untraced", help=argparse.SUPPRESS)
    parser.add_argument("--store", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(args)

    backends = ("threaded", "eventlet") if args.backend == "both" else (args.backend,)
    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    if args.otlp_endpoint:
        modes += [m for m in OTLP_MODES if m not in modes]
    receiver = Receiver() if any(m.endswith("-otlp") for m in modes) else None
    print(f"# {platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} CPUs, "
          f"{args.threads} client threads, {args.seconds:g} s x {args.rounds} rounds, GET {PATH}")
    print(f"{'backend':<9} {'mode':<10} {'req/s':>8} {'vs untraced':>12} {'answered':>9} {'stored':>7} {'failed':>7}")
    all_stored = True
    for backend in backends:
        results: dict[str, list[dict]] = {m: [] for m in modes}
        for _ in range(args.rounds):
            for mode in modes:
                result = run_mode(backend, mode, args.threads, args.seconds,
                                  receiver.url if receiver and mode.endswith("-otlp") else None)
                results[mode].append(result)
                if mode.split("-")[0] in ("call", "line", "rerun") and mode not in DISCARD_MODES:
                    all_stored &= result["stored"] == result["expected"]  # warm-up + timed, one trace each
        base = statistics.median(r["rate"] for r in results["untraced"]) if "untraced" in results else None
        for mode in modes:
            rate = statistics.median(r["rate"] for r in results[mode])
            ratio = f"{rate / base:.1%}" if base else "-"
            answered = sum(r["answered"] for r in results[mode])
            stored = sum(r["stored"] or 0 for r in results[mode]) if results[mode][0]["stored"] is not None else "-"
            failed = sum(r["failed"] for r in results[mode])
            print(f"{backend:<9} {mode:<10} {rate:>8.1f} {ratio:>12} {answered:>9} {stored!s:>7} {failed:>7}")
            builds = [r["build_ms"] for r in results[mode] if r["build_ms"] is not None]
            if builds:
                print(f"{'':<20} building a trace from its recipe afterwards: {statistics.median(builds):.1f} ms"
                      f" each (median of {len(builds)} runs, {BUILD_SAMPLE} traces a run)")
    print("stored: one trace per request, the untimed warm-up requests included (each run checks the count);"
          " rerun stores read-only requests as recipes, each built into its trace when the server is idle")
    if receiver is not None:
        print(f"OTLP receiver: {receiver.exports} exports, {receiver.bytes:,} bytes received in all (a -otlp mode"
              " exports each trace stored live; a recipe's trace only once built)")
    if not all_stored:
        print("!! some traced requests were not stored", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
