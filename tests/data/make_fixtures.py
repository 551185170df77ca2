"""Record the fixture traces the TUI tests and snapshots replay: ``python tests/data/make_fixtures.py``.

Each fixture is one request through the real sample_api on its demo database, recorded with
``tracer.targets.sample_api.record_request``. What changes from one run to the next is masked so that
regenerating gives the same files: every event takes 10 µs, the recording date and request ids
are fixed, and any value that still differs between two recordings is replaced by a mask.
Fixtures are named ``<name>.json`` (``*.trace.json`` is git-ignored).
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

from tracer.model.trace import Trace
from tracer.targets.sample_api import RequestSpec, record_request

HERE = Path(__file__).resolve().parent

FIXTURES: dict[str, RequestSpec] = {
    "servers_detail": RequestSpec("GET", "/servers/detail"),
    "server_not_found": RequestSpec("GET", "/servers/11111111-2222-3333-4444-555555555555"),
    "servers_bad_limit": RequestSpec("GET", "/servers?limit=abc"),
}

STEP_US = 10
RECORDED_AT = "2015-04-30T00:00:00.000000Z"
REQUEST_ID = re.compile(r"req-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
FIXED_REQUEST_ID = "req-00000000-0000-0000-0000-000000000000"
MASK = "<differs on every run>"


def _fix_ids(node: object) -> object:
    """Every request id, wherever it appears (headers, values, bodies), becomes the fixed one."""
    if isinstance(node, str):
        return REQUEST_ID.sub(FIXED_REQUEST_ID, node)
    if isinstance(node, list):
        return [_fix_ids(item) for item in node]
    if isinstance(node, dict):
        return {_fix_ids(key): _fix_ids(value) for key, value in node.items()}
    return node


def normalise(doc: dict, other: dict) -> dict:
    """``doc`` with timing, dates and ids fixed, and values that differ from ``other`` masked."""
    doc, other = _fix_ids(doc), _fix_ids(other)
    for events in (doc["events"], other["events"]):
        for row in events:
            row[3] = STEP_US
    if [row[:3] for row in doc["events"]] != [row[:3] for row in other["events"]]:
        raise SystemExit("two recordings of the same request took different paths: cannot make a fixture")
    if len(doc["values"]) != len(other["values"]):
        raise SystemExit("two recordings of the same request recorded different values: cannot make a fixture")
    for row, twin in zip(doc["values"], other["values"], strict=True):
        if row[1] != twin[1]:
            row[1] = MASK
    doc["duration_us"] = STEP_US * len(doc["events"])
    doc["meta"]["recorded_at"] = RECORDED_AT
    doc["meta"]["request_id"] = FIXED_REQUEST_ID
    return doc


def make(name: str, spec: RequestSpec) -> Path:
    doc = normalise(record_request(spec), record_request(spec))
    Trace.from_dict(doc)  # it must load
    path = HERE / f"{name}.json"
    path.write_text(json.dumps(doc, indent=None, separators=(",", ":"), sort_keys=True) + "\n", encoding="utf-8")
    return path


def main(names: list[str]) -> int:
    for name in names or list(FIXTURES):
        path = make(name, FIXTURES[name])
        print(f"{path.relative_to(HERE.parent.parent)}: {len(json.loads(path.read_text())['events'])} events")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
