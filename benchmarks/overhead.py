"""What recording costs: GET /servers/detail untraced, call-level, line-level and under VizTracer.

Absolute times on shared machines drift, so every figure is a ratio measured side by side:
each round runs a batch of every mode, each between two untraced batches; a mode's ratio is
to the mean of the untraced batches on either side of it, and the median over rounds is reported.

    python benchmarks/overhead.py            # 10, 100 and 1,000 servers
    python benchmarks/overhead.py --quick    # fewer rounds, for a smoke run
"""

from __future__ import annotations

import argparse
import gc
import json
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tracer.model import trace as trace_model  # noqa: E402
from tracer.record.recorder import Recorder  # noqa: E402
from tracer.record.rerun import record_by_rerun  # noqa: E402
from tracer.targets.sample_api import DEFAULT_INCLUDE, RequestSpec, SampleApiWorld, build_environ, load_sample_api  # noqa: E402

SPEC = RequestSpec("GET", "/servers/detail?limit=1000")


def make_app(servers: int):
    """A fresh sample_api whose admin project holds about ``servers`` servers."""
    app = load_sample_api()
    import webob

    from sample_api.conf import CONF

    CONF.quota_instances = CONF.quota_cores = CONF.quota_ram = -1  # a benchmark project of 1,000 servers

    have = json.loads(_call(app, build_environ(SPEC))[1])["servers"]
    for n in range(max(0, servers - len(have))):
        req = webob.Request.blank(
            "/v2.1/servers",
            method="POST",
            headers={"X-Auth-Token": "admin:admin", "Content-Type": "application/json"},
            base_url="http://127.0.0.1:8774",
        )
        req.body = json.dumps({"server": {"name": f"bench-{n:04d}", "flavorRef": "1"}}).encode()
        resp = req.get_response(app)
        if resp.status_int != 202:
            raise SystemExit(f"could not create servers for the benchmark: {resp.status} {resp.text[:200]}")
    return app


def _call(app, environ) -> tuple[str, bytes]:
    captured = {}

    def start_response(status, headers, exc_info=None):
        captured["status"] = status

    body = b"".join(app(environ, start_response))
    return captured["status"], body


def modes(app) -> dict[str, Callable[[], object]]:
    call_rec = Recorder(detail="call")
    line_rec = Recorder(detail="line")
    def to_response(recorder: Recorder) -> Callable[[], object]:
        """The request while recording, up to its response; the trace is not built (see the README).

        The session goes back to ``timed``, which lets go of it (and of the values it held) after its clock
        stopped: that happens after the response, and the *with trace* column charges it.
        """

        def run() -> object:
            environ = build_environ(SPEC)
            session = recorder.start(environ, app)
            try:
                _call(app, environ)
            finally:
                recorder.stop(session)
            return session

        return run

    def rerun_request() -> object:
        """What line detail by re-run charges the request: snapshot, fixed inputs, call-level to the response.

        The run and the snapshot go back to ``timed``, let go of after its clock stopped (as to_response's).
        """
        world = SampleApiWorld()
        world.save()
        with world.fixed():
            run = call_rec.run_wsgi(app, build_environ(SPEC))  # its timeline is taken after the response
        return run, world

    found = {
        "untraced": lambda: _call(app, build_environ(SPEC)),
        "rerun request": rerun_request,
        "rerun with trace": lambda: record_by_rerun(
            app, lambda: build_environ(SPEC), DEFAULT_INCLUDE, SampleApiWorld()
        ),
        "call-level": lambda: call_rec.call_wsgi(app, build_environ(SPEC)),
        "call-level to response": to_response(call_rec),
        "line-level": lambda: line_rec.call_wsgi(app, build_environ(SPEC)),
        "line-level to response": to_response(line_rec),
    }
    try:
        from viztracer import VizTracer
    except ImportError:
        return found
    viz = VizTracer(verbose=0)

    def viztraced():
        viz.start()
        _call(app, build_environ(SPEC))
        viz.stop()
        viz.clear()

    found["viztracer"] = viztraced
    return found


def timed(fn: Callable[[], object], repeat: int) -> float:
    """Seconds per call, the garbage collector collected before and kept still during the batch.

    What ``fn`` returns is kept until the clock has stopped (see ``to_response``).
    """
    gc.collect()
    gc.disable()
    kept = []
    try:
        start = time.perf_counter()
        for _ in range(repeat):
            kept.append(fn())
        return (time.perf_counter() - start) / repeat
    finally:
        kept.clear()
        gc.enable()


def measure(servers: int, rounds: int) -> dict:
    app = make_app(servers)
    runs = modes(app)
    for fn in runs.values():  # warm up caches and imports
        fn()
    repeat = max(1, 200 // servers)
    ratios: dict[str, list[float]] = {name: [] for name in runs if name != "untraced"}
    base_times = []
    for _ in range(rounds):
        # every batch sits between two untraced batches, and is compared with their mean: the machine's
        # drift over a round (seconds, with line-level batches in it) does not land in a ratio
        before = timed(runs["untraced"], repeat)
        base_times.append(before)
        for name in ratios:
            measured = timed(runs[name], repeat)
            after = timed(runs["untraced"], repeat)
            ratios[name].append(measured / ((before + after) / 2))
            before = after
    call_doc = Recorder(detail="call").call_wsgi(app, build_environ(SPEC))[3]
    line_doc = Recorder(detail="line").call_wsgi(app, build_environ(SPEC))[3]
    return {
        "servers": servers,
        "untraced_ms": statistics.median(base_times) * 1000,
        "ratios": {name: statistics.median(values) for name, values in ratios.items()},
        "call_events": len(call_doc["events"]),
        "line_events": len(line_doc["events"]),
        "bytes_per_event_rows": _row_bytes(line_doc),
        "bytes_per_event_file": len(trace_model.dumps(line_doc).encode()) / len(line_doc["events"]),
        "bytes_per_call_event_file": len(trace_model.dumps(call_doc).encode()) / len(call_doc["events"]),
    }


def _row_bytes(doc: dict) -> float:
    """Bytes of the event rows alone (no values, scopes or sources) per event."""
    rows = json.dumps(doc["events"], separators=(",", ":"))
    return len(rows) / len(doc["events"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--servers", type=int, nargs="*", default=[10, 100, 1000])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--quick", action="store_true", help="3 rounds, 10 and 100 servers")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args(argv)
    if args.quick:
        args.rounds, args.servers = 3, [10, 100]
    results = [measure(n, args.rounds) for n in args.servers]
    if args.json:
        print(json.dumps(results, indent=2))
        return 0
    print(f"# tracer overhead, {time.strftime('%Y-%m-%d')}, Python {platform.python_version()}, "
          f"{platform.machine()}, {args.rounds} paired rounds (median of ratios)")
    print("Ratios to untraced. 'to response': the request while recording, up to its response;")
    print("'with trace': the same plus building the trace document (values described, sources attached).")
    print("'line by re-run': the request runs at call level (plus a database snapshot and fixed inputs), then")
    print("a re-run on the snapshot traces its lines; 'request' is what the request itself pays, 'all' both runs.")
    header = (
        "| servers | untraced ms | call-level to response | call-level with trace | line-level to response "
        "| line-level with trace | line by re-run: request | line by re-run: all "
        "| viztracer | events call/line | B/event rows | B/event file (line/call) |"
    )
    print(header)
    print("|" + "---|" * 12)
    for r in results:
        ratios = r["ratios"]
        viz = f"{ratios['viztracer']:.2f}x" if "viztracer" in ratios else "n/a"
        print(
            f"| {r['servers']} | {r['untraced_ms']:.2f} | {ratios['call-level to response']:.2f}x "
            f"| {ratios['call-level']:.2f}x | {ratios['line-level to response']:.2f}x | {ratios['line-level']:.2f}x "
            f"| {ratios['rerun request']:.2f}x | {ratios['rerun with trace']:.2f}x "
            f"| {viz} | {r['call_events']}/{r['line_events']} | {r['bytes_per_event_rows']:.1f} "
            f"| {r['bytes_per_event_file']:.1f}/{r['bytes_per_call_event_file']:.1f} |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
