"""How fast the replay TUI opens and steps on a big trace: ``python benchmarks/tui_replay.py``.

The trace is GET /v2.1/servers/detail recorded from the real sample_api, on a database file
holding ``--servers`` copies of a demo server (180 by default: about 100,000 events),
recorded with ``--include`` (default ``sample_api``). With ``--synthetic N`` it instead builds a
trace of N events without sample_api. Recording takes a few minutes: ``--save FILE`` keeps the trace
built, ``--trace FILE`` replays a saved one.

``--against DIR`` measures the replay of another checkout of tracer (an older version, say) in the same
run, on the same trace, and prints the two side by side: each is measured in a child process of its
own (``PYTHONPATH=DIR``), one after the other, with the same Python and the same installed packages.

Measured headless with the Pilot:

* first frame: loading the file, building the app and the cursor, mounting and the first render;
* drawing ahead: what the app then does in the background while the learner reads the first screen
  (the keys are measured after it);
* each step key: process CPU time around ``pilot.press(key)`` + ``pilot.pause()``, as the median of
  ``--presses`` presses (raw); net pairs each press with a press of a key bound to nothing made right
  after it (the Pilot's own cost, which a real terminal does not pay) and takes the median of the
  differences;
* memory: the process's resident set after the first frame and its peak after the keys.

Targets: first frame <= 1 s (wall and CPU), every step key <= 16 ms of CPU (net; a 60 Hz frame).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tracer.model.trace import Trace, TraceError, load, save

SIZE = (120, 40)
FIRST_FRAME_TARGET = 1.0  # seconds, wall and CPU
KEY_TARGET = 0.016  # seconds of CPU a key, net of the Pilot's own cost: one frame at 60 Hz
KEYS = ["s", "S", "n", "N", "r", "R", "c", "C", "right_square_bracket", "left_square_bracket", "u", "d"]
KEY_NAMES = {"right_square_bracket": "]", "left_square_bracket": "["}


def fill_servers(path: str, count: int) -> None:
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
        fill_servers(db_path, servers)
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


def resident_mb() -> float:
    """The process's resident set now, in MB (Linux), else its peak so far."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6
    except OSError:
        return peak_mb()


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3  # kB on Linux


async def measure(path: Path, presses: int) -> dict:
    """First-frame timings, memory, and for each key the median CPU seconds of a press (raw) and of
    each press less a no-op press made right after it (net)."""
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
    memory: dict[str, float] = {}
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        timings["first frame (wall)"] = time.perf_counter() - wall0
        timings["first frame (CPU)"] = time.process_time() - cpu0
        memory["resident after the first frame"] = resident_mb()
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
            start = time.process_time()
            await pilot.press(key)
            await pilot.pause()
            return time.process_time() - start

        for key in KEYS:
            samples, differences = [], []
            for _ in range(presses):
                cost = await press(key)
                await press("x")  # "x" is bound to nothing: the Pilot's own cost
                idle = await press("x")  # the second one runs as the key did, after a no-op
                idles.append(idle)
                samples.append(cost)
                differences.append(cost - idle)
            raw[key] = statistics.median(samples)
            net[key] = statistics.median(differences)
        memory["resident after the keys"] = resident_mb()
        memory["peak resident"] = peak_mb()
    return {"timings": timings, "raw": raw, "net": net, "idle": statistics.median(idles), "memory": memory}


def measure_in_child(tree: Path, path: Path, presses: int) -> dict:
    """:func:`measure` run on the tracer checkout at ``tree``, in a process of its own."""
    env = dict(os.environ, PYTHONPATH=str(tree))
    script = Path(__file__).resolve()
    out = subprocess.run([sys.executable, str(script), "--child", "--trace", str(path), "--presses", str(presses)],
                         env=env, cwd=tree, capture_output=True, text=True, check=False)
    if out.returncode != 0:
        raise SystemExit(f"tui_replay: measuring {tree} failed:\n{out.stderr[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--servers", type=int, default=180, help="180 servers make about 100,000 events")
    parser.add_argument("--include", default="sample_api")
    parser.add_argument("--synthetic", type=int, default=0, help="build a synthetic trace of N events instead")
    parser.add_argument("--presses", type=int, default=15)
    parser.add_argument("--trace", type=Path, help="replay this trace file instead of building one")
    parser.add_argument("--save", type=Path, help="keep the trace built here (reuse it with --trace)")
    parser.add_argument("--against", type=Path, help="also measure the tracer checkout in this folder, side by side")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.child:
        print(json.dumps(asyncio.run(measure(args.trace, args.presses))))
        return 0

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
        here = Path(__file__).resolve().parents[1]
        runs = {"this tree": measure_in_child(here, path.resolve(), args.presses)}
        if args.against:
            runs[f"{args.against}"] = measure_in_child(args.against.resolve(), path.resolve(), args.presses)

    names = list(runs)
    print("\n" + f"{'':<42}" + "".join(f"{name[-18:]:>20}" for name in names))
    for name in runs[names[0]]["timings"]:
        cells = "".join(f"{runs[n]['timings'].get(name, float('nan')):>18.3f} s" for n in names)
        verdict = ""
        if name.startswith("first frame"):
            verdict = "  " + " / ".join(verdict_of(runs[n]["timings"][name], FIRST_FRAME_TARGET) for n in names)
            verdict += f" (target <= {FIRST_FRAME_TARGET:g} s)"
        print(f"{name:<42}{cells}{verdict}")
    for name in runs[names[0]]["memory"]:
        print(f"{name:<42}" + "".join(f"{runs[n]['memory'][name]:>17.0f} MB" for n in names))
    idle = " / ".join(f"{runs[n]['idle'] * 1000:.2f}" for n in names)
    print(f"\nkeys: median CPU ms of {args.presses} presses, raw / net of the Pilot's own cost "
          f"(a no-op press: {idle} ms)")
    over = dict.fromkeys(names, 0)
    for key in KEYS:
        cells = ""
        for n in names:
            over[n] += runs[n]["net"][key] > KEY_TARGET
            cells += f"{runs[n]['raw'][key] * 1000:>9.2f} /{runs[n]['net'][key] * 1000:>7.2f} ms"
        verdicts = " / ".join(verdict_of(runs[n]["net"][key], KEY_TARGET) for n in names)
        print(f"{KEY_NAMES.get(key, key):<42}{cells}  {verdicts}")
    for n in names:
        print(f"{n}: {len(KEYS) - over[n]} of {len(KEYS)} keys meet <= {KEY_TARGET * 1000:g} ms net")
    return 0


def verdict_of(value: float, target: float) -> str:
    return "ok" if value <= target else "OVER"


if __name__ == "__main__":
    sys.exit(main())
