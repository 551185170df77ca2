"""Read a trace file within limits, and check every field of a trace before anything uses it.

A trace file may come from anywhere (a classmate, a bug report): it must not be able to hang the reader (a
FIFO, a slow disk), exhaust its memory (``/dev/zero``, a small gzip that expands to gigabytes), crash it
(JSON nested deeper than Python's recursion limit) or hand a face a field of the wrong type (a status of
``"abc"``). Each problem is one :class:`~tracer.model.trace.TraceError`-style line for the user.
"""

from __future__ import annotations

import os
import stat
import time
import zlib
from pathlib import Path

#: Largest trace file read (compressed or not), and largest JSON text once decompressed.
MAX_FILE_BYTES = 256 * 1024 * 1024
MAX_JSON_BYTES = 256 * 1024 * 1024
#: Reading and decompressing stop after this long.
READ_SECONDS = 20.0
_CHUNK = 1024 * 1024


class TraceFileError(Exception):
    """A file that is no readable trace; the message is one line (``trace.read_doc`` names the file)."""


def read_limited(path: Path, max_file: int = MAX_FILE_BYTES, max_json: int = MAX_JSON_BYTES,
                 seconds: float = READ_SECONDS) -> bytes:
    """The JSON bytes of a trace file (gunzipped when compressed), read within the limits above.

    Opened without blocking and checked to be a regular file first: a FIFO or a device never reaches a read.
    """
    deadline = time.monotonic() + seconds
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        raise TraceFileError("no such trace file") from None
    except IsADirectoryError:
        raise TraceFileError("is a directory, not a trace file") from None
    except OSError as exc:
        raise TraceFileError(f"cannot read ({exc.strerror})") from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise TraceFileError("is a directory, not a trace file")
        if not stat.S_ISREG(info.st_mode):
            raise TraceFileError("is not a regular file (a device, FIFO or socket is never read as a trace)")
        if info.st_size > max_file:
            raise TraceFileError(f"is {info.st_size} bytes, more than a trace file may be ({max_file})")
    except BaseException:
        os.close(fd)
        raise
    with os.fdopen(fd, "rb") as fh:
        raw = _read_chunks(fh, max_file, deadline, "the file")
    if raw[:2] != b"\x1f\x8b":
        return raw
    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)  # gzip framing
    out = bytearray()
    try:
        data = raw
        while data:
            out += inflater.decompress(data, _CHUNK)
            data = inflater.unconsumed_tail
            if len(out) > max_json:
                raise TraceFileError(f"expands to more than {max_json} bytes: not a trace this tracer reads")
            if time.monotonic() > deadline:
                raise TraceFileError(f"took more than {seconds:g} s to decompress")
            if inflater.eof:
                break
    except zlib.error:
        raise TraceFileError("the compressed trace is truncated or corrupt") from None
    if not inflater.eof:
        raise TraceFileError("the compressed trace is truncated or corrupt")
    return bytes(out)


def _read_chunks(fh, limit: int, deadline: float, what: str) -> bytes:
    parts, size = [], 0
    while True:
        try:
            part = fh.read(_CHUNK)
        except BlockingIOError:
            part = b""
        except OSError as exc:
            raise TraceFileError(f"cannot read ({exc.strerror})") from None
        if not part:
            return b"".join(parts)
        parts.append(part)
        size += len(part)
        if size > limit:
            raise TraceFileError(f"{what} is more than {limit} bytes")
        if time.monotonic() > deadline:
            raise TraceFileError(f"reading {what} took too long")


# -- fields -------------------------------------------------------------------------------------------


def _fail(where: str, what: str) -> None:
    raise TraceFileError(f"the trace is corrupt ({where} is not {what})")


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _str_map(value: object, where: str) -> None:
    if not isinstance(value, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        _fail(where, "a map of text to text")


def _optional_str(holder: dict, key: str, where: str) -> None:
    if holder.get(key) is not None and not isinstance(holder[key], str):
        _fail(f"{where} {key!r}", "text")


_PLAIN = (str, int, float, bool, type(None))


def _shallow(value: object, levels: int) -> bool:
    """A plain value, or a list or map of them nested at most ``levels`` deep."""
    if isinstance(value, _PLAIN):
        return True
    if levels == 0:
        return False
    if isinstance(value, list):
        return all(_shallow(item, levels - 1) for item in value)
    if isinstance(value, dict):
        return all(isinstance(key, str) and _shallow(item, levels - 1) for key, item in value.items())
    return False


def check_fields(doc: dict) -> None:
    """Every field a face reads has the type it expects (the shape of the rows is ``trace.validate``'s job).

    What passes holds no nesting deeper than the format's own, so no face can recurse without end on it.
    """
    request, response = doc["request"], doc["response"]
    for key in ("method", "path"):
        if not isinstance(request.get(key), str):
            _fail(f"the request's {key!r}", "text")
    for key in ("body", "user_id", "project_id"):
        _optional_str(request, key, "the request's")
    _str_map(request.get("headers", {}), "the request's 'headers'")
    status = response.get("status")
    if not (_is_int(status) and 0 <= status <= 999):
        _fail("the response's 'status'", "a number from 0 to 999")
    for key in ("reason", "body", "error"):
        _optional_str(response, key, "the response's")
    _str_map(response.get("headers", {}), "the response's 'headers'")
    _str_map(doc["files"], "'files'")
    meta = doc.get("meta", {})
    if not isinstance(meta, dict) or not all(_shallow(value, 2) for value in meta.values()):
        _fail("'meta'", "a map of plain values, lists and maps of them")
    if not _is_int(doc.get("duration_us", 0)) or not isinstance(doc.get("truncated", False), bool):
        _fail("'duration_us' or 'truncated'", "a number and a yes/no")
    for i, row in enumerate(doc["codes"]):
        module, qualname, filename, line, layer = row
        if not (isinstance(module, str) and isinstance(qualname, str) and isinstance(filename, str)
                and _is_int(line) and isinstance(layer, str)):
            _fail(f"code row {i}", "[module, qualname, file, line, layer]")
    n_values = len(doc["values"])
    for i, row in enumerate(doc["values"]):
        if not (isinstance(row, list) and len(row) in (2, 4) and isinstance(row[0], str) and isinstance(row[1], str)):
            _fail(f"value row {i}", "[type, summary] or [type, summary, children, more]")
        if len(row) == 4:
            children, more = row[2], row[3]
            if not (isinstance(children, list) and _is_int(more) and more >= 0 and all(
                    isinstance(pair, list) and len(pair) == 2 and isinstance(pair[0], str) and _is_int(pair[1])
                    and 0 <= pair[1] < n_values for pair in children)):
                _fail(f"value row {i}", "[type, summary, [[key, row], ...], more]")
    for i, scope in enumerate(doc["scopes"]):
        if not (isinstance(scope, list) and all(
                isinstance(pair, list) and len(pair) == 2 and isinstance(pair[0], str) and _is_int(pair[1])
                and 0 <= pair[1] < n_values for pair in scope)):
            _fail(f"scope {i}", "a list of [name, value row]")
    for i, row in enumerate(doc["events"]):
        if not (_is_int(row[2]) and isinstance(row[3], (int, float)) and not isinstance(row[3], bool)):
            _fail(f"event {i}", "[kind, code, line, dt, data?] with numbers")
