"""The child process a check runs the learner's code in: it records the lesson's requests, and nothing more.

The grader (:mod:`tracer.course.sandbox`) starts ``python -m tracer.course.child JOB`` where JOB
is a JSON file naming the course folder, the lesson, the workspace and an output folder. The
child caps its own memory and CPU time first (hard limits, so the learner's code cannot lift
them), loads sample_api with the learner's code, records each request and writes each trace
document to the output folder, then a ``done`` file. It never judges anything: pass or fail is
decided in the grader, from these documents, where the learner's code cannot reach.
"""

from __future__ import annotations

import json
import resource
import sys
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


def run(job: dict) -> None:
    """Record every check request of the job's lesson into ``job["out"]``; a learner's error goes in ``done``."""
    out = Path(job["out"])
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
                (out / f"{n}.json").write_text(json.dumps({"name": name, "doc": doc}), encoding="utf-8")
                recorded.append(name)
    except StudentCodeError as exc:
        error = str(exc)
    (out / DONE).write_text(json.dumps({"recorded": recorded, "error": error}), encoding="utf-8")


def main(argv: list[str]) -> int:
    job = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    sys.dont_write_bytecode = True  # never a __pycache__ in the learner's folder
    limit(int(job.get("memory", 0)), int(job.get("cpu", 0)))
    run(job)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
