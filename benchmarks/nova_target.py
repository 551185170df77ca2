"""What the nova target costs: a whole ``tracer run --target nova GET /servers/detail``, part by part, and
recording over Nova as a ratio to the same request untraced, measured side by side in one process.

    python benchmarks/nova_target.py            # 3 whole runs, 15 rounds of ratios
    python benchmarks/nova_target.py --quick    # 1 whole run, 5 rounds
    python benchmarks/nova_target.py --against ../nova-old --no-ratios
                                                # whole runs and parts of this checkout and another one (an
                                                # older tracer), taking turns, in one run

Needs the nova extra (pip install -e '.[nova]'). The databases are built first if the cache has none, so the
whole runs measure what a user pays once they are built.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

COMMAND = ["run", "--target", "nova", "GET", "/servers/detail", "--format", "pdb"]
#: what the ``tracer`` console script runs, for a checkout given by its folder
CLI = "import sys; from tracer.cli.main import main; sys.exit(main())"

#: run in a fresh interpreter: the time of each part of ``tracer run --target nova``
PARTS = r"""
import json, sys, time
start = time.perf_counter()
marks = {}
from tracer.targets.choose import target_named
from tracer.targets.nova import setup
import nova.api.openstack.compute, nova.objects  # noqa: the imports Nova's app needs
marks["imports"] = time.perf_counter()
setup.start()
marks["configure Nova (copy the databases)"] = time.perf_counter()
target = target_named("nova")
app, twin = target.load_twins(None, None)
marks["load the app (paste) and one warm request"] = time.perf_counter()
from tracer.targets.sample_api import RequestSpec
doc = target.record(RequestSpec("GET", "/servers/detail"), app, twin, target.include, "line")
marks["record: warm-up, call-level request, line-level re-run, document"] = time.perf_counter()
import io
from rich.console import Console
from tracer.model.trace import Trace
from tracer.render import PdbWalkthrough
Console(file=io.StringIO(), width=120).print(PdbWalkthrough(Trace.from_dict(doc)))
marks["render the walkthrough"] = time.perf_counter()
last, parts = start, {}
for name, when in marks.items():
    parts[name] = when - last
    last = when
print(json.dumps({"parts": parts, "events": len(doc["events"]), "faithful": doc["meta"]["line_detail"]["faithful"]}))
"""


def _environment(checkout: Path) -> dict[str, str]:
    """This interpreter's environment with ``checkout``'s tracer imported first (its nova extra is this venv's)."""
    return {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, (str(checkout), os.environ.get("PYTHONPATH"))))}


def whole_runs(count: int, checkout: Path = ROOT) -> list[float]:
    times = []
    for _ in range(count):
        started = time.perf_counter()
        done = subprocess.run([sys.executable, "-c", CLI, *COMMAND], capture_output=True, text=True,
                              env=_environment(checkout), cwd=checkout)
        times.append(time.perf_counter() - started)
        if done.returncode != 0 or "views/servers.py" not in done.stdout:
            raise SystemExit(f"tracer run failed: {done.stderr[-500:]}")
    return times


def parts(checkout: Path = ROOT) -> dict:
    done = subprocess.run([sys.executable, "-c", PARTS], capture_output=True, text=True, cwd=checkout,
                          env=_environment(checkout))
    if done.returncode != 0:
        raise SystemExit(done.stderr[-800:])
    return json.loads(done.stdout.strip().splitlines()[-1])


def ratios(rounds: int, batch: int) -> dict[str, float]:
    """Median over rounds of (mode's time per request) / (untraced, the mean of the batches either side)."""
    from tracer.record.recorder import Recorder
    from tracer.targets import nova
    from tracer.targets.sample_api import RequestSpec, build_environ

    app, twin = nova.load_twins()
    spec = RequestSpec("GET", "/servers/detail")

    def untraced() -> None:
        nova._drain(app, build_environ(spec))

    def call_level() -> None:
        Recorder(include=nova.INCLUDE, detail="call").call_wsgi(app, build_environ(spec))

    def line_level() -> None:
        Recorder(include=nova.INCLUDE, detail="line").call_wsgi(app, build_environ(spec))

    def by_rerun() -> None:
        nova.record_request(spec, app=app, twin=twin)

    def timed(work) -> float:
        started = time.perf_counter()
        for _ in range(batch):
            work()
        return (time.perf_counter() - started) / batch

    modes = {"call-level (with trace)": call_level, "line-level (with trace)": line_level,
             "tracer run's line detail by re-run (warm-up, both runs, trace)": by_rerun}
    for work in (untraced, *modes.values()):  # first calls: trampolines found, caches filled
        work()
    found: dict[str, list[float]] = {name: [] for name in modes}
    base: list[float] = []
    for _ in range(rounds):
        for name, work in modes.items():
            before = timed(untraced)
            cost = timed(work)
            after = timed(untraced)
            base.append((before + after) / 2)
            found[name].append(cost / ((before + after) / 2))
    result = {"untraced (ms, median)": statistics.median(base) * 1000}
    result.update({name: statistics.median(values) for name, values in found.items()})
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--against", metavar="DIR", type=Path,
                        help="another checkout of tracer (e.g. a git worktree of an older commit): its whole runs and "
                        "parts are measured too, taking turns with this one's")
    parser.add_argument("--no-ratios", action="store_true", help="leave out the ratios to the untraced request")
    args = parser.parse_args()
    os.environ.setdefault("COLUMNS", "120")
    print(f"{platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} CPUs")
    checkouts = {"this checkout": ROOT}
    if args.against is not None:
        checkouts[f"{args.against}"] = args.against.resolve()
    whole_runs(1)  # builds the databases into the cache when there are none
    times: dict[str, list[float]] = {name: [] for name in checkouts}
    for _ in range(1 if args.quick else 3):
        for name, checkout in checkouts.items():  # taking turns, so both see the same load
            times[name] += whole_runs(1, checkout)
    for name in checkouts:
        print(f"{name}: whole `tracer {' '.join(COMMAND)}`: median {statistics.median(times[name]):.2f} s "
              f"({', '.join(f'{t:.2f}' for t in times[name])})")
    for name, checkout in checkouts.items():
        measured = parts(checkout)
        print(f"{name}: its parts in one fresh process ({measured['events']:,} events, "
              f"faithful: {measured['faithful']}):")
        for part, seconds in measured["parts"].items():
            print(f"  {part}: {seconds:.2f} s")
    if args.no_ratios:
        return 0
    print("GET /servers/detail over Nova, as a ratio to the same request untraced (median of paired batches):")
    for name, value in ratios(5 if args.quick else 15, 3).items():
        print(f"  {name}: {value:.2f}" + ("" if "ms" in name else "x"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
