"""How many GET traces of ``tracer serve`` stay faithful under concurrent writes, and how fast it answers then.

8 client threads each repeat: the admin's listing of every project's servers, a create, a delete (its own
project, so quotas never refuse). Afterwards every GET recipe is built (re-run line by line) and the
share of faithful traces is counted; each unfaithful one's reason is printed.

    python benchmarks/serve_faithful.py                    # 8 clients x 250 requests
    python benchmarks/serve_faithful.py --requests 60      # a smoke run
"""

from __future__ import annotations

import argparse
import collections
import json
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.hardening.processes import ServerProcess, request  # noqa: E402
from tracer.store.traces import TraceStore  # noqa: E402
from tracer.targets.recipes import InProcessBuilder  # noqa: E402


def client(port: int, number: int, requests: int, answers: list) -> None:
    token = f"load{number}:load{number}"
    server_id = None
    for n in range(requests):
        step = n % 3
        if step == 0:
            status, _h, body = request(port, "GET", "/v2.1/servers/detail?all_tenants=1", token="admin:admin")
            answers.append(("GET", status))
        elif step == 1:
            status, _h, body = request(port, "POST", "/v2.1/servers",
                                       json.dumps({"server": {"name": f"w{number}", "flavorRef": "1"}}), token=token)
            answers.append(("POST", status))
            server_id = json.loads(body)["server"]["id"] if status == 202 else None
        elif server_id is not None:
            status, _h, _body = request(port, "DELETE", f"/v2.1/servers/{server_id}", token=token)
            answers.append(("DELETE", status))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--requests", type=int, default=250, help="requests per client")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        process = ServerProcess("tracer", Path(folder), "--max-traces", "10000")
        answers: list = []
        started = time.monotonic()
        try:
            threads = [threading.Thread(target=client, args=(process.port, n, args.requests, answers))
                       for n in range(args.clients)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            served = time.monotonic() - started
        finally:
            process.stop()
        print(f"{len(answers)} requests in {served:.1f} s ({len(answers) / served:.0f} req/s): "
              f"{dict(collections.Counter(answers))}")
        faithful, why = 0, collections.Counter()
        started = time.monotonic()
        with TraceStore(process.store_dir, builder=InProcessBuilder()) as store:
            gets = [summary.id for summary in store.list(last=100_000) if summary.method == "GET"]
            for trace_id in gets:
                detail = store.load(trace_id).meta["line_detail"]
                if detail["faithful"]:
                    faithful += 1
                else:
                    why[detail["differs"]] += 1
        print(f"GET traces faithful: {faithful} of {len(gets)} ({100 * faithful / max(len(gets), 1):.1f}%), "
              f"built in {time.monotonic() - started:.0f} s")
        for reason, count in why.most_common():
            print(f"  {count} unfaithful: {reason}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
