"""Record tests.tracer.fakenova into a Trace with steady timings, for exact-text renderer tests."""

from __future__ import annotations

from pathlib import Path

import webob

from tests.tracer import fakenova
from tracer.model.labels import Labels, parse_labels
from tracer.model.trace import Trace
from tracer.record.recorder import Recorder

MODULE = fakenova.__name__
SOURCE = Path(fakenova.__file__).read_text(encoding="utf-8").splitlines()

LABELS = parse_labels(
    f"""
[[hop]]
match = "{MODULE}:auth_filter"
layer = "middleware"
does = "Checks the token."

[[hop]]
match = "{MODULE}:Resource.__call__"
layer = "resource"
does = "Finds the action and runs it."

[[hop]]
match = "{MODULE}:Resource.*"
layer = "resource"
does = "Runs the controller method."

[[hop]]
match = "{MODULE}:ResourceExceptionHandler*"
layer = "resource"
does = "Turns exceptions into faults."

[[hop]]
match = "{MODULE}:ServersController*"
layer = "controller"
does = "Lists and shows servers."

[[hop]]
match = "{MODULE}:ViewBuilder*"
layer = "view"
does = "Shapes servers into JSON."

[[hop]]
match = "*"
layer = "other"
"""
)

STEP_US = 10


def record_doc(path: str = "/v2.1/servers/detail", detail: str = "line", labels: Labels = LABELS) -> dict:
    """A trace document of one request through the fake app, every event ``STEP_US`` after the last."""
    recorder = Recorder(include=(MODULE,), detail=detail, labels=labels)
    environ = webob.Request.blank(path, headers={"X-Auth-Token": "admin:admin"}).environ
    _status, _headers, _body, doc = recorder.call_wsgi(fakenova.auth_filter, environ)
    for row in doc["events"]:
        row[3] = STEP_US
    doc["duration_us"] = STEP_US * len(doc["events"])
    doc["request"]["user_id"] = "admin"
    doc["request"]["project_id"] = "admin"
    return doc


def record(path: str = "/v2.1/servers/detail", detail: str = "line", labels: Labels = LABELS) -> Trace:
    return Trace.from_dict(record_doc(path, detail, labels))


def line_of(text: str) -> int:
    """The line number of the one line of fakenova.py containing ``text`` (so tests survive edits)."""
    found = [n for n, line in enumerate(SOURCE, 1) if text in line]
    assert len(found) == 1, f"{text!r} is on lines {found} of fakenova.py"
    return found[0]


def served_recipe(path: str = "/servers/detail"):
    """The recipe ``tracer serve --detail rerun`` keeps of GET ``path`` on a fresh real sample_api."""
    from tracer.targets.recipes import RecipeRecorder
    from tracer.targets.sample_api import RequestSpec, build_environ, load_sample_api

    got: list = []
    recorder = RecipeRecorder(load_sample_api(), None, got.append)
    b"".join(recorder(build_environ(RequestSpec("GET", path)), lambda *_: None))
    return got[0]
