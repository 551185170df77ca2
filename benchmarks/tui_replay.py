"""How fast the replay TUI opens and steps on a big trace: ``python benchmarks/tui_replay.py``.

The trace is GET /v2.1/servers/detail recorded from the real sample_api, on a database file
seeded with ``--servers`` copies of a demo server (270 by default: about 100,000 events; sample_api
records ~370 events a server, so the issue's "1,000 servers" would make ~375,000),
recorded with ``--include`` (default ``sample_api``; add ``webob,routes`` for even more events).
With ``--synthetic N`` it instead builds a trace of N events without sample_api. Recording takes a
few minutes: ``--save FILE`` keeps the trace built, ``--trace FILE`` replays a saved one.

Measured headless with the Pilot:

* first frame: loading the file, building the app and the cursor, mounting and the first render;
* drawing ahead: what the source pane then does in the background (every file parsed, every line
  drawn once) while the learner reads the first screen; the keys are measured after it;
* each step key: process CPU time around ``pilot.press(key)`` + ``pilot.pause()``, as the median of
  ``--presses`` presses; reported raw and net. Net pairs each press with a press of a key bound to
  nothing made right after it (the Pilot's own cost, which a real terminal does not pay) and takes
  the median of the differences: the machine's speed drifts by a fifth within a minute here, and a
  no-op measured at another moment than the key made net figures swing (even below zero). The
  no-op pressed straight after a key makes the same calls as any other but was seen to run up to a
  millisecond slower (colder caches), so the key is paired with the no-op after that one; both
  medians are printed.

Targets: first frame <= 1 s (wall and CPU), every step key <= 10 ms of CPU (net). Each
figure is printed with ``ok`` or ``OVER`` against its target.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

from tracer.model.trace import Trace, TraceError, load, save

SIZE = (120, 40)
FIRST_FRAME_TARGET = 1.0  # seconds, wall and CPU
KEY_TARGET = 0.010  # seconds of CPU a key, net of the Pilot's own cost
KEYS = ["s", "S", "n", "N", "r", "R", "c", "C", "right_square_bracket", "left_square_bracket", "u", "d"]


def seed_servers(path: str, count: int) -> None:
    """A sample_api database file with ``count`` servers: the demo ones plus copies of the first."""
    from sample_api import db

    db.configure(path)  # creates the schema and the demo rows
    conn = sqlite3.connect(path)
    with conn:
        columns = [row[1] for row in conn.execute("PRAGMA table_info(instances)")]
        first = conn.execute("SELECT * FROM instances ORDER BY id LIMIT 1").fetchone()
        record = dict(zip(columns, first, strict=True))
        cache = conn.execute("SELECT * FROM instance_info_caches WHERE instance_uuid = ?", (record["uuid"],))
        cache = cache.fetchone()
        have = conn.execute("SELECT COUNT(*) FROM instances WHERE project_id = ?", (record["project_id"],))
        have = have.fetchone()[0]
        next_id = conn.execute("SELECT MAX(id) FROM instances").fetchone()[0] + 1
        for n in range(max(count - have, 0)):
            copy = dict(record, id=next_id + n, uuid=f"00000000-0000-4000-8000-{n:012d}", display_name=f"bench-{n}")
            conn.execute(f"INSERT INTO instances ({', '.join(copy)}) VALUES ({', '.join('?' * len(copy))})",
                         list(copy.values()))
            if cache is not None:
                conn.execute("INSERT INTO instance_info_caches VALUES (?, ?)", (copy["uuid"], cache[1]))
    conn.close()


def record_big(servers: int, include: list[str], out: Path) -> Path:
    from tracer.targets.sample_api import RequestSpec, record_request

    with tempfile.TemporaryDirectory() as tmp:
        db_path = os.path.join(tmp, "bench.sqlite")
        seed_servers(db_path, servers)
        doc = record_request(RequestSpec("GET", f"/servers/detail?limit={servers}"), include=include, db_path=db_path)
    save(doc, out)
    return out


def synthesize(events: int, out: Path) -> Path:
    """A trace shaped like a request (nested calls, lines, returns) of about ``events`` events."""
    codes = [["bench", f"layer{d}.f{d}", f"bench/m{d}.py", 1, layer]
             for d, layer in enumerate(["middleware", "router", "resource", "controller", "view", "db"])]
    files = {code[2]: "".join(f"x{n} = {n}\n" for n in range(1, 60)) for code in codes}
    rows: list[list] = []

    def frame(depth: int, budget: int) -> None:
        rows.append([0, depth, 1, 1, 0])
        for n in range(3):
            rows.append([1, depth, 2 + n, 1, 0])
        if depth + 1 < len(codes):
            children = 1 if depth < 3 else 4
            for _ in range(children):
                if len(rows) < budget:
                    frame(depth + 1, budget)
        rows.append([2, depth, 5, 1, 0])

    while len(rows) < events:
        frame(0, events)
    doc = {
        "format": "tracer-trace", "version": 1, "meta": {}, "duration_us": len(rows),
        "request": {"method": "GET", "path": "/v2.1/servers/detail", "headers": {}, "body": None,
                    "user_id": "admin", "project_id": "admin"},
        "response": {"status": 200, "reason": "OK", "headers": {}, "body": "{}"},
        "files": files, "codes": codes, "values": [["int", "1"]], "scopes": [[["x", 0]]], "events": rows,
    }
    # several top-level frames are not a request: wrap them in one outer call
    doc["codes"].append(["bench", "app", "bench/app.py", 1, "server"])
    doc["files"]["bench/app.py"] = "def app():\n    pass\n"
    outer = len(doc["codes"]) - 1
    doc["events"] = [[0, outer, 1, 1, 0], *rows, [2, outer, 2, 1, 0]]
    save(doc, out)
    return out


class CallCounter:
    """Counts the Python and C function calls made while it is active (``sys.setprofile``).

    CPU time per key drifts by a fifth from run to run on these machines; the number of calls a key
    makes is the same every run, so ``--calls`` tells whether a change made a key cheaper.
    """

    def __init__(self) -> None:
        self.calls = 0

    def _count(self, frame, event: str, arg) -> None:
        if event == "call" or event == "c_call":
            self.calls += 1

    def __enter__(self) -> CallCounter:
        sys.setprofile(self._count)
        return self

    def __exit__(self, *exc_info) -> None:
        sys.setprofile(None)


async def measure(path: Path, presses: int, count_calls: bool = False) -> tuple[dict[str, float], dict[str, float],
                                                                                 dict[str, float],
                                                                                 tuple[float, float]]:
    """First-frame timings; for each key the median CPU seconds of a press (raw) and the median of
    each press less a no-op press made right after it (net); and the no-op key's median, after a no-op
    and right after a key. With ``count_calls``, numbers of function calls instead of CPU seconds."""
    from tracer.tui.app import TraceApp

    timings: dict[str, float] = {}
    wall0, cpu0 = time.perf_counter(), time.process_time()
    trace = load(path)
    timings["load trace file"] = time.perf_counter() - wall0
    app = TraceApp(trace)
    timings["build app + cursor"] = time.perf_counter() - wall0 - timings["load trace file"]
    raw: dict[str, float] = {}
    net: dict[str, float] = {}
    idles: list[float] = []
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        timings["first frame (wall)"] = time.perf_counter() - wall0
        timings["first frame (CPU)"] = time.process_time() - cpu0
        # what the source pane draws ahead in the background while the learner reads the first screen
        wall1, cpu1 = time.perf_counter(), time.process_time()
        while not app.drawn_ahead:
            await pilot.pause(0.01)
        timings["drawing ahead, in the background (wall)"] = time.perf_counter() - wall1
        timings["drawing ahead, in the background (CPU)"] = time.process_time() - cpu1
        # somewhere with depth: the middle of the request, with a breakpoint on a busy function
        busiest = max(set(trace.code_ids[c] for c in trace.calls), key=lambda cid: trace.code_ids.count(cid))
        app.cursor.toggle_function_breakpoint(busiest)
        app.goto(len(trace) // 2)
        await pilot.pause()

        async def press(key: str) -> float:
            if count_calls:
                with CallCounter() as counter:
                    await pilot.press(key)
                    await pilot.pause()
                return counter.calls
            start = time.process_time()
            await pilot.press(key)
            await pilot.pause()
            return time.process_time() - start

        alone: list[float] = []
        for key in KEYS:
            samples, differences = [], []
            for _ in range(presses):
                cost = await press(key)
                # "x" is bound to nothing: what the Pilot itself costs, measured at the same moment. The
                # press right after a key can run slower (the same calls, colder caches), so the key is
                # compared with the second no-op, which runs as the key itself did: after a no-op.
                idles.append(await press("x"))
                idle = await press("x")
                alone.append(idle)
                samples.append(cost)
                differences.append(cost - idle)
            raw[key] = statistics.median(samples)
            net[key] = statistics.median(differences)
    return timings, raw, net, (statistics.median(alone), statistics.median(idles))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--servers", type=int, default=270, help="270 servers make about 100,000 events")
    parser.add_argument("--include", default="sample_api")
    parser.add_argument("--synthetic", type=int, default=0, help="build a synthetic trace of N events instead")
    parser.add_argument("--presses", type=int, default=15)
    parser.add_argument("--trace", type=Path, help="replay this trace file instead of building one")
    parser.add_argument("--save", type=Path, help="keep the trace built here (reuse it with --trace)")
    parser.add_argument("--calls", action="store_true",
                        help="also count the function calls of each key, in a second run (the same every run)")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        path = args.trace
        if path is None:
            path = Path(tmp) / "big.json"
            if args.synthetic:
                synthesize(args.synthetic, path)
                source = f"synthetic trace of {args.synthetic} events"
            else:
                record_big(args.servers, args.include.split(","), path)
                source = f"GET /servers/detail with {args.servers} servers, include={args.include}"
            if args.save:
                shutil.copyfile(path, args.save)
        else:
            source = str(path)
        try:
            trace: Trace = load(path)
        except TraceError as error:
            print(f"tui_replay: {error}", file=sys.stderr)
            return 2
        print(f"trace: {source}: {len(trace):,} events, {len(trace.calls):,} calls, "
              f"{path.stat().st_size / 1e6:.1f} MB")
        timings, raw, net, idle = asyncio.run(measure(path, args.presses))
        calls = asyncio.run(measure(path, args.presses, count_calls=True))[2] if args.calls else None

    print(f"\n{'first frame':<34}{'seconds':>10}")
    for name, seconds in timings.items():
        verdict = ""
        if name.startswith("first frame"):
            verdict = f"  {verdict_of(seconds, FIRST_FRAME_TARGET)} (target <= {FIRST_FRAME_TARGET:g} s)"
        print(f"{name:<34}{seconds:>10.3f}{verdict}")
    print(f"\nkeys: median CPU ms of {args.presses} presses; net = the median of (a press - a no-op press made "
          "right after it), i.e. less the Pilot's own cost")
    print(f"{'key':<24}{'raw':>10}{'net':>10}")
    print(f"{'no-op (bound to nothing)':<24}{idle[0] * 1000:>10.2f}  (right after a key: {idle[1] * 1000:.2f})")
    over = 0
    for key in KEYS:
        over += net[key] > KEY_TARGET
        print(f"{key:<24}{raw[key] * 1000:>10.2f}{net[key] * 1000:>10.2f}  {verdict_of(net[key], KEY_TARGET)}")
    print(f"{len(KEYS) - over} of {len(KEYS)} keys meet <= {KEY_TARGET * 1000:g} ms net")
    if calls is not None:
        print(f"\nfunction calls a key (median of {args.presses} presses, each less a no-op press after it)")
        print("  ".join(f"{key}: {calls[key]:,.0f}" for key in KEYS))
    return 0


def verdict_of(value: float, target: float) -> str:
    return "ok" if value <= target else "OVER"


if __name__ == "__main__":
    sys.exit(main())
