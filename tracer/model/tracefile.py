"""The trace file: its shape checked and written atomically (gzip by name), each error one line.

:mod:`tracer.model.trace` builds the replay's indexes on what this reads; this knows the format only
(``docs/trace-format.md``), not what a trace means.
"""

from __future__ import annotations

import gc
import gzip
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tracer.model.trace_checks import TraceFileError, check_fields

FORMAT = "tracer-trace"
VERSION = 1

CALL, LINE, RETURN, EXCEPTION = 0, 1, 2, 3
KIND_NAMES = ("call", "line", "return", "exception")


class TraceError(Exception):
    """A trace that cannot be used; the message is one line meant for the user."""


# -- validation, loading and saving --------------------------------------------------------------


#: A trace file this big (bytes of JSON), or with this many events, is parsed and indexed into objects that
#: are kept out of the garbage collector's walks (see :func:`gc_paused`).
BIG_TRACE_BYTES = 2_000_000
BIG_TRACE_EVENTS = 20_000


@contextmanager
def gc_paused(keep: bool = False) -> Iterator[None]:
    """No cyclic garbage collection while many objects that all live on are made.

    Parsing a trace makes hundreds of thousands of lists, and loading a big app its modules, objects
    and routes; none of them is garbage, yet with the collector on each collection walks every object made
    so far, which doubled the load time of a big trace. With ``keep`` the objects made are then frozen
    (:func:`gc.freeze`), so that no later collection walks them either, and whatever runs when one comes
    (the replay's first frame, a step, a request) does not pay for walking them. Frozen objects are still
    freed when nothing refers to them; garbage cycles made before are collected first, so that freezing
    does not keep them.
    """
    was_enabled = gc.isenabled()
    if keep and was_enabled:
        gc.collect()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            if keep:
                gc.freeze()
            gc.enable()


def validate(doc: object) -> None:
    """Raise :class:`TraceError` unless ``doc`` has the shape of a version-1 trace."""
    if not isinstance(doc, dict):
        raise TraceError("not a tracer trace (the top level is not a JSON object)")
    if doc.get("format") != FORMAT:
        raise TraceError("not a tracer trace (no 'format': 'tracer-trace' field)")
    version = doc.get("version")
    if version != VERSION:
        raise TraceError(f"unsupported trace version {version!r} (this tracer reads version {VERSION})")
    expected = {
        "request": dict,
        "response": dict,
        "files": dict,
        "codes": list,
        "values": list,
        "scopes": list,
        "events": list,
    }
    for key, kind in expected.items():
        if not isinstance(doc.get(key), kind):
            raise TraceError(f"the trace is corrupt (field {key!r} is missing or not a {kind.__name__})")
    n_codes, n_values, n_scopes = len(doc["codes"]), len(doc["values"]), len(doc["scopes"])
    for row in doc["codes"]:
        if not (isinstance(row, list) and len(row) == 5):
            raise TraceError("the trace is corrupt (a code row is not [module, qualname, file, line, layer])")
    for i, row in enumerate(doc["events"]):
        if not (isinstance(row, list) and 4 <= len(row) <= 6):
            raise TraceError(f"the trace is corrupt (event {i} is not [kind, code, line, dt, data?, changed?])")
        kind, code = row[0], row[1]
        if kind not in (0, 1, 2, 3) or not (0 <= code < n_codes):
            raise TraceError(f"the trace is corrupt (event {i} has kind {kind!r} or code {code!r} out of range)")
        if len(row) >= 5:
            ref = row[4]
            limit = n_scopes if kind in (CALL, LINE) else n_values
            if not (isinstance(ref, int) and -1 <= ref < limit):
                raise TraceError(f"the trace is corrupt (event {i} refers to missing data {ref!r})")
        if len(row) == 6 and not (isinstance(row[5], list) and all(
            isinstance(pair, list) and len(pair) == 2 and isinstance(pair[0], int) and 0 <= pair[0] <= i
            and isinstance(pair[1], int) and 0 <= pair[1] < n_scopes for pair in row[5]
        )):
            raise TraceError(f"the trace is corrupt (event {i} has changed locals that are not [[frame, scope], ...])")
    try:
        check_fields(doc)  # every field's type and range, so that no face meets a value it cannot show
    except TraceFileError as exc:
        raise TraceError(str(exc)) from None


def dumps(doc: dict) -> str:
    """Compact JSON text of a trace document (what ``--format json`` prints)."""
    return json.dumps(doc, separators=(",", ":"), ensure_ascii=False)


def save(doc: dict, path: str | os.PathLike) -> int:
    """Write a trace atomically (gzip when the name ends in ``.gz``); returns the bytes written."""
    p = Path(path)
    data = dumps(doc).encode("utf-8")
    if p.suffix == ".gz":
        data = gzip.compress(data, compresslevel=6)
    tmp = p.with_name(p.name + ".tmp")
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, p)
    return len(data)
