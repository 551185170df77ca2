"""The check's child process: a learner's code that writes trace files of its own is not believed.

Real child processes, real lessons: the "passing" traces the learner's code plants are genuine ones, recorded
from the reference solution a moment before, so only the seal tells them apart.
"""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path

import pytest

from tracer.course.checks import run_check
from tracer.course.model import load_course
from tracer.course.sandbox import record_in_child

REPO_LESSONS = Path(__file__).resolve().parents[3] / "tracer" / "course" / "lessons"
LESSON = load_course().get(2)  # its workspace's whoami.py is imported before any request is recorded

PLANTER = '''
import json, os, pathlib

def _plant():
    """Write the reference's traces where the check's child writes its own, then leave before it does."""
    traces = json.loads(pathlib.Path({fakes!r}).read_text())
    here = pathlib.Path.cwd()
    folders = list(here.parent.glob("out-*")) + [here / "out"]
    for folder in folders:
        folder.mkdir(exist_ok=True)
        for n, (name, doc) in enumerate(traces.items()):
            (folder / f"{{n}}.json").write_text(json.dumps({{"name": name, "doc": doc}}))
            (folder / f"{{n}}.json.seal").write_text("0" * 64)
        (folder / "done.json").write_text(json.dumps({{"recorded": list(traces), "error": None}}))
        (folder / "done.json.seal").write_text("0" * 64)
    os._exit(0)

_plant()
'''


@pytest.fixture(autouse=True)
def quiet_logs():
    logging.disable(logging.CRITICAL)
    yield
    logging.disable(logging.NOTSET)


def copy_of(which: str, tmp_path: Path) -> Path:
    target = tmp_path / which
    shutil.copytree(REPO_LESSONS / LESSON.slug / which, target, ignore=shutil.ignore_patterns("__pycache__"))
    return target


def test_traces_planted_by_the_learners_code_fail_the_check(tmp_path):
    genuine = record_in_child(LESSON, copy_of("solution", tmp_path))
    assert genuine.error is None and genuine.docs
    assert run_check(LESSON, copy_of("solution", tmp_path / "again")).passed  # those traces pass the check
    fakes = tmp_path / "fakes.json"
    fakes.write_text(json.dumps(genuine.docs))
    ws = copy_of("starter", tmp_path)
    whoami = ws / "whoami.py"
    whoami.write_text(PLANTER.format(fakes=str(fakes)) + whoami.read_text())
    report = run_check(LESSON, ws)
    assert not report.passed
    assert "does not carry this run's seal" in (report.error or "")


def test_a_changed_trace_file_is_refused(tmp_path, monkeypatch):
    """The seal covers the bytes: the child's own file, changed afterwards, is refused too."""
    from tracer.course import sandbox

    real_read = sandbox._read

    def tampered_read(out, code, last_line, key):
        first = out / "0.json"
        first.write_bytes(first.read_bytes().replace(b'"status": 200', b'"status": 201'))
        return real_read(out, code, last_line, key)

    monkeypatch.setattr(sandbox, "_read", tampered_read)
    recorded = record_in_child(LESSON, copy_of("solution", tmp_path))
    assert recorded.error is not None and "0.json does not carry this run's seal" in recorded.error
