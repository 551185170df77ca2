"""The child process a check runs the learner's code in: it records the lesson's requests, and nothing more.

The grader (:mod:`tracer.course.sandbox`) starts ``python -m tracer.course.child`` and writes the job to
its standard input: the course folder, the lesson, the workspace, an output folder and a key made for
this run. The child reads it before any of the learner's code is loaded, caps its own memory and CPU
time (hard limits, so the learner's code cannot lift them), loads sample_api with the learner's code,
records each request and writes each trace document to the output folder, then a ``done`` file. Each
file goes with a seal (an HMAC of its bytes and its place under the run's key), so a file the learner's
code writes there, or changes, is told apart from the check's own. It never judges anything: pass or
fail is decided in the grader, from these documents, where the learner's code cannot reach.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import resource
import sys
from collections.abc import Callable
from pathlib import Path

from tracer.course.model import Lesson, load_course
from tracer.course.recording import (
    StudentCodeError,
    answer_json,
    fill,
    preflight,
    record,
    resolve_request,
    sample_api,
)

DONE = "done.json"
SEAL_SUFFIX = ".seal"


def seal(key: bytes, filename: str, payload: bytes) -> str:
    """The seal of one output file: an HMAC-SHA256 of its name and its bytes under the run's key."""
    return hmac.new(key, filename.encode("utf-8") + b"\0" + payload, hashlib.sha256).hexdigest()


def sealed_writer(out: Path, key: bytes) -> Callable[[str, object], None]:
    """Writes ``out/NAME`` (JSON) and its seal beside it; the key lives on only inside this function."""

    def write(filename: str, data: object) -> None:
        payload = json.dumps(data).encode("utf-8")
        (out / filename).write_bytes(payload)
        (out / (filename + SEAL_SUFFIX)).write_text(seal(key, filename, payload), encoding="ascii")

    return write


def limit(memory_bytes: int, cpu_seconds: int) -> None:
    """Hard limits on address space and CPU time, set before any of the learner's code runs."""
    for which, value in ((resource.RLIMIT_AS, memory_bytes), (resource.RLIMIT_CPU, cpu_seconds)):
        if value > 0:
            resource.setrlimit(which, (value, value))


def requests_in_order(lesson: Lesson) -> list[str]:
    """Check requests in the order tasks first use them (they share one database, so order matters),
    each after the requests whose answers it quotes."""
    names: list[str] = []

    def add(name: str) -> None:
        if name in names:
            return
        for other in lesson.check_requests[name].needs():
            add(other)
        names.append(name)

    for task in lesson.tasks:
        add(task.request)
        for exp in task.expect:
            if exp.comparator == "same_as":
                add(exp.expected.get("request", task.request))
    return names


def run(job: dict, write: Callable[[str, object], None]) -> None:
    """Record every check request of the job's lesson with ``write``; a learner's error goes in ``done``."""
    course = load_course(Path(job["course"]))
    lesson = course.get(job["lesson"])
    workspace = Path(job["workspace"])
    error = None
    recorded: list[str] = []
    answers: dict[str, object] = {}
    try:
        preflight(workspace, lesson.workspace)
        with sample_api(workspace, lesson.workspace) as api:
            for n, name in enumerate(requests_in_order(lesson)):
                request = fill(resolve_request(lesson.check_requests[name], workspace), answers)
                doc = record(request, api)
                answers[name] = answer_json(doc)
                write(f"{n}.json", {"name": name, "doc": doc})
                recorded.append(name)
    except StudentCodeError as exc:
        error = str(exc)
    write(DONE, {"recorded": recorded, "error": error})


def main(argv: list[str]) -> int:
    job = json.loads(sys.stdin.read())  # not a file: nothing on disk names the output folder or holds the key
    write = sealed_writer(Path(job.pop("out")), bytes.fromhex(job.pop("key")))
    sys.dont_write_bytecode = True  # never a __pycache__ in the learner's folder
    limit(int(job.get("memory", 0)), int(job.get("cpu", 0)))
    run(job, write)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
