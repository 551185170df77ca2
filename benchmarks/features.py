"""What the per-hop deltas, the OTLP export and the trace diff cost, on GET /servers/detail with 100 servers.

Side by side in one run, as the other scripts do: each round times a batch of the request at call level
without the delta probes, a batch with them, and an untraced batch on either side; the ratios are to the
untraced batches' mean, and the median over rounds is reported. The OTLP export and the diff are timed on
traces recorded first (medians over rounds).

    python benchmarks/features.py            # 15 rounds
    python benchmarks/features.py --quick    # 3 rounds, for a smoke run
"""

from __future__ import annotations

import argparse
import gc
import platform
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.overhead import make_app  # noqa: E402
from tracer.model.trace import Trace  # noqa: E402
from tracer.record.deltas import DeltaRecorder  # noqa: E402
from tracer.record.recorder import Recorder  # noqa: E402
from tracer.replay.diff import diff_traces  # noqa: E402
from tracer.targets.pipeline import probed  # noqa: E402
from tracer.targets.sample_api import RequestSpec, build_environ, record_request  # noqa: E402

SPEC = RequestSpec("GET", "/servers/detail?limit=1000")
BATCH = 10


def untraced(app) -> None:
    for _ in range(BATCH):
        environ = build_environ(SPEC)
        b"".join(app(environ, lambda status, headers, exc_info=None: None))


def call_level(app) -> None:
    for _ in range(BATCH):
        Recorder(detail="call").run_wsgi(app, build_environ(SPEC)).session.discard()


def call_level_with_deltas(app) -> None:
    for _ in range(BATCH):
        deltas = DeltaRecorder()
        with probed(app, deltas) as app_with_probes:
            Recorder(detail="call").run_wsgi(app_with_probes, build_environ(SPEC)).session.discard()
        deltas.deltas()
        deltas.let_go()


def timed(func, *args) -> float:
    gc.collect()
    start = time.perf_counter()
    func(*args)
    return time.perf_counter() - start


def otlp_ms(trace: Trace, rounds: int) -> float:
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    from tracer.serve import otlp

    exporter = otlp.OtlpExporter.__new__(otlp.OtlpExporter)  # the real span building, sent to memory
    memory = InMemorySpanExporter()
    exporter.provider = TracerProvider()
    exporter.provider.add_span_processor(SimpleSpanProcessor(memory))
    exporter.tracer = exporter.provider.get_tracer("bench")
    exporter.exported = 0
    times = []
    for _ in range(rounds):
        memory.clear()
        times.append(timed(exporter.export, trace.doc))
    assert len(memory.get_finished_spans()) > 1
    return statistics.median(times) * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    rounds = 3 if args.quick else 15
    app = make_app(100)
    for warm in (untraced, call_level, call_level_with_deltas):
        warm(app)
    plain, probed = [], []
    for _ in range(rounds):
        base1 = timed(untraced, app)
        p = timed(call_level, app)
        d = timed(call_level_with_deltas, app)
        base2 = timed(untraced, app)
        base = (base1 + base2) / 2
        plain.append(p / base)
        probed.append(d / base)
    untraced_ms = timed(untraced, app) / BATCH * 1000
    admin = Trace.from_dict(record_request(RequestSpec("GET", "/servers/detail?all_tenants=1", user="admin")))
    member = Trace.from_dict(record_request(RequestSpec("GET", "/servers/detail?all_tenants=1", user="demo")))
    diff_ms = statistics.median(timed(diff_traces, admin, member) for _ in range(rounds)) * 1000
    export_ms = otlp_ms(admin, rounds)
    print(f"python {platform.python_version()}, {rounds} rounds, GET /servers/detail (100 servers), "
          f"untraced {untraced_ms:.1f} ms")
    print("| call level | call level with the delta probes | OTLP spans of one trace | diff of two traces |")
    print("|---|---|---|---|")
    print(f"| {statistics.median(plain):.2f}x | {statistics.median(probed):.2f}x | {export_ms:.1f} ms "
          f"({sum(1 for c in admin.calls if not admin.code(c).is_inline)} spans) | {diff_ms:.1f} ms "
          f"({len(admin.calls)} and {len(member.calls)} calls) |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
