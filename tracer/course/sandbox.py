"""Run a lesson's check requests in a child process with a time and a memory limit, and read back its traces.

The learner's code never runs in the grader: a loop that never ends is stopped at the time
limit, ``os._exit`` or a crash ends only the child, and code that patches the checker patches
the child's copy, which judges nothing. What comes back is trace documents, one per request,
or one clear line saying why there are none. Nothing is written into the learner's folder:
the child's output goes to a temporary folder of the grader's, and it writes no bytecode.

The learner's code runs in the child, so it could write trace files of its own into that folder (a
"passing" trace copied from elsewhere, then ``os._exit(0)``). The job reaches the child on its standard
input, never on disk, with a key made for this run; every file the child writes carries a seal made
with that key (:func:`tracer.course.child.seal`), and the grader reads only the files the signed ``done``
file names, each checked against its seal. A file without this run's seal fails the check.
"""

from __future__ import annotations

import hmac
import json
import os
import secrets
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from tracer.course import child
from tracer.course.model import Lesson

TIME_LIMIT = 60.0  # seconds for all of a lesson's requests, wall clock
MEMORY_LIMIT = 2 * 1024**3  # bytes of address space for the child
OUTPUT_TAIL = 2000  # characters of the child's own output kept to explain a crash


@dataclass
class Recorded:
    """The child's trace documents by request name, or ``error`` (one line) when it did not finish."""

    docs: dict[str, dict] = field(default_factory=dict)
    error: str | None = None


def _tail(path: Path) -> str:
    try:
        with path.open("rb") as fh:
            fh.seek(0, os.SEEK_END)
            fh.seek(max(fh.tell() - OUTPUT_TAIL, 0))
            text = fh.read().decode("utf-8", "replace")
    except OSError:
        return ""
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1].strip() if lines else ""


def _kill(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)  # the child leads its own group: its children go too
    except ProcessLookupError:
        pass
    proc.wait()


def record_in_child(
    lesson: Lesson, workspace: Path, time_limit: float = TIME_LIMIT, memory_limit: int = MEMORY_LIMIT
) -> Recorded:
    """Record the lesson's check requests with the learner's code loaded, in a child process."""
    with tempfile.TemporaryDirectory(prefix="tracer-check-") as tmp:
        folder = Path(tmp)
        out = Path(tempfile.mkdtemp(prefix="out-", dir=folder))
        work = folder / "work"  # the child's current folder: empty, and apart from the output
        work.mkdir()
        key = secrets.token_bytes(32)
        job = {
            "course": str(lesson.path.parent.resolve()),
            "lesson": lesson.number,
            "workspace": str(Path(workspace).resolve()),
            "out": str(out),
            "key": key.hex(),
            "memory": memory_limit,
            "cpu": int(time_limit) + 1,
        }
        log = folder / "output.txt"
        env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
        with log.open("wb") as sink:
            proc = subprocess.Popen(
                [sys.executable, "-m", child.__name__],
                stdin=subprocess.PIPE, stdout=sink, stderr=sink, cwd=work, env=env, start_new_session=True,
            )
            try:
                assert proc.stdin is not None
                try:
                    proc.stdin.write(json.dumps(job).encode("utf-8"))
                    proc.stdin.close()
                except BrokenPipeError:
                    pass  # the child is already gone: its exit code says why
                code = proc.wait(timeout=time_limit)
            except subprocess.TimeoutExpired:
                _kill(proc)
                return Recorded(error=f"your code did not finish within {time_limit:g} seconds (is there a loop "
                                      "that never ends, or a call that waits forever?)")
            finally:
                if proc.poll() is None:
                    _kill(proc)
        return _read(out, code, _tail(log), key)


class _Unsealed(Exception):
    """A file of the output folder that the check's child did not write (or that was changed since)."""


def _open_sealed(out: Path, filename: str, key: bytes) -> object:
    """The JSON of ``out/filename``, if its seal is this run's; :class:`_Unsealed` otherwise."""
    payload = (out / filename).read_bytes()
    try:
        found = (out / (filename + child.SEAL_SUFFIX)).read_text(encoding="ascii").strip()
    except (OSError, UnicodeError):
        raise _Unsealed(filename) from None
    if not hmac.compare_digest(found, child.seal(key, filename, payload)):
        raise _Unsealed(filename)
    return json.loads(payload)


def _read(out: Path, code: int, last_line: str, key: bytes) -> Recorded:
    done = out / child.DONE
    if code != 0 or not done.is_file():
        if code < 0:
            why = f"it was stopped by signal {signal.Signals(-code).name}"
            if -code in (signal.SIGKILL, signal.SIGXCPU, signal.SIGSEGV):
                why += " (too much memory or CPU time?)"
        elif code == 0:
            why = "it exited (exit code 0) before every request was answered: does your code call exit?"
        else:
            why = f"it exited with code {code}"
            if "MemoryError" in last_line:
                why += " after running out of memory"
        said = f"; its last words: {last_line[:200]}" if last_line and code != 0 else ""
        return Recorded(error=f"the check stopped early: {why}{said}")
    try:
        status = _open_sealed(out, child.DONE, key)
        docs = {}
        for n, name in enumerate(status.get("recorded", [])):
            item = _open_sealed(out, f"{n}.json", key)
            if item["name"] != name:
                raise _Unsealed(f"{n}.json")
            docs[item["name"]] = item["doc"]
    except _Unsealed as exc:
        return Recorded(error=f"the check's records were not all written by the check ({exc} does not carry "
                              "this run's seal): something else wrote into its output folder")
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        return Recorded(error=f"the check's records are damaged ({type(exc).__name__})")
    if status.get("error"):
        return Recorded(docs=docs, error=str(status["error"]))
    if list(docs) != list(status.get("recorded", [])):
        return Recorded(error="the check's records are incomplete")
    return Recorded(docs=docs)
