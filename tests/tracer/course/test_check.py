"""The checker on a tiny fixture course: clear lines for broken code, crashes saved as traces, JSON reports."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from tracer.course.checks import run_check
from tracer.course.model import LessonError, load_course
from tracer.model import trace as trace_model

CHECK = """
[workspace]
extensions = "extensions"

[requests.detail]
method = "GET"
path = "/servers/detail"

[[task]]
id = "key"
text = "every server has tracer:hello"
request = "detail"
expect = [
  { query = "status", equals = 200 },
  { query = "json", path = "servers.*", has = "tracer:hello", message = "a server has no tracer:hello" },
  { query = "order", hops = ["Resource.dispatch", "sample_api_extensions.*", "ResponseObject.serialize"] },
]
"""

GOOD = '''
from sample_api.api.openstack import extensions, wsgi


class HelloController(wsgi.Controller):
    @wsgi.extends
    def detail(self, req, resp_obj):
        for server in resp_obj.obj["servers"]:
            server["tracer:hello"] = BODY


class Hello(extensions.ExtensionDescriptor):
    name = "Hello"
    alias = "tracer-hello"
    namespace = "http://example.org/hello"
    updated = "2015-04-30T00:00:00Z"

    def get_controller_extensions(self):
        return [extensions.ControllerExtension(self, "servers", HelloController())]
'''


@pytest.fixture(autouse=True)
def quiet_logs():
    logging.disable(logging.CRITICAL)
    yield
    logging.disable(logging.NOTSET)


@pytest.fixture
def lesson(tmp_path: Path):
    root = tmp_path / "course"
    folder = root / "01-hello"
    for sub in ("starter/extensions", "solution/extensions"):
        (folder / sub).mkdir(parents=True)
    (root / "index.toml").write_text('format_version = 1\n[[lesson]]\nslug = "01-hello"\ntitle = "Hello"\n')
    (folder / "lesson.md").write_text("# Hello\n")
    (folder / "questions.toml").write_text("")
    (folder / "hints.toml").write_text('[[hint]]\ntext = "look"\n')
    (folder / "check.toml").write_text(CHECK)
    return load_course(root).get(1)


def workspace(tmp_path: Path, source: str) -> Path:
    ws = tmp_path / "ws"
    (ws / "extensions").mkdir(parents=True, exist_ok=True)
    (ws / "extensions" / "hello.py").write_text(source)
    return ws


def test_working_extension_passes(lesson, tmp_path):
    report = run_check(lesson, workspace(tmp_path, GOOD.replace("BODY", "'hi'")))
    assert report.passed, report.tasks


def test_syntax_error_names_file_and_line(lesson, tmp_path):
    report = run_check(lesson, workspace(tmp_path, "x = 1\ndef broken(:\n"))
    assert not report.passed
    assert report.error.startswith("extensions/hello.py line 2: SyntaxError")
    assert report.tasks[0].problems == [report.error]


def test_import_error_names_file_and_line(lesson, tmp_path):
    report = run_check(lesson, workspace(tmp_path, "import os\n\nfrom nowhere_at_all import thing\n"))
    assert report.error == "extensions/hello.py line 3: ModuleNotFoundError: No module named 'nowhere_at_all'"


def test_a_crash_in_student_code_is_saved_as_a_replayable_trace(lesson, tmp_path):
    ws = workspace(tmp_path, GOOD.replace("BODY", "server['no-such-key']"))
    report = run_check(lesson, ws, save_dir=ws / ".tracer")
    task = report.tasks[0]
    assert not task.passed
    assert "expected the response status to be 200, but it was 500" in task.problems
    crash = task.problems[-1]
    assert crash.startswith("your code raised: KeyError in HelloController.detail (extensions/hello.py line 9)")
    assert f"tracer tui {task.trace_file}" in crash
    saved = trace_model.load(task.trace_file)
    assert saved.status == 500


def test_edits_take_effect_between_checks(lesson, tmp_path):
    ws = workspace(tmp_path, GOOD.replace("BODY", "server['no-such-key']"))
    assert not run_check(lesson, ws).passed
    (ws / "extensions" / "hello.py").write_text(GOOD.replace("BODY", "'hi'"))
    assert run_check(lesson, ws).passed


def test_missing_workspace_is_bad_input(lesson, tmp_path):
    with pytest.raises(LessonError, match="no workspace at"):
        run_check(lesson, tmp_path / "nope")


def test_report_is_json_ready(lesson, tmp_path):
    report = run_check(lesson, workspace(tmp_path, "# nothing yet\n"))
    data = json.loads(json.dumps(report.to_json()))
    assert data["passed"] is False and data["lesson"] == 1 and data["slug"] == "01-hello"
    assert data["tasks"][0]["id"] == "key" and data["tasks"][0]["problems"]


def test_the_check_leaves_sample_api_as_it_found_it(lesson, tmp_path):
    import sys

    from sample_api import conf, policy

    before = {name for name in sys.modules if name.startswith("sample_api_extensions")}
    assert run_check(lesson, workspace(tmp_path, GOOD.replace("BODY", "'hi'"))).passed
    assert conf.CONF.extensions_dir is None
    assert policy.RULES == policy.DEFAULT_RULES
    # The learner's module ran in the child process only: this one never imported it.
    assert {name for name in sys.modules if name.startswith("sample_api_extensions")} == before
    assert not [m for m in sys.modules.values() if str(getattr(m, "__file__", "")).startswith(str(tmp_path))]


# -- the learner's code runs in a child process, judged from outside ----------------------------------


DETAIL = "    def detail(self, req, resp_obj):\n"


def files_in(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_a_loop_that_never_ends_fails_at_the_time_limit(lesson, tmp_path):
    ws = workspace(tmp_path, GOOD.replace("BODY", "'hi'") + "\nwhile True:\n    pass\n")
    report = run_check(lesson, ws, time_limit=5)
    assert not report.passed
    assert report.error.startswith("your code did not finish within 5 seconds")


def test_exiting_early_is_a_failure_not_a_pass(lesson, tmp_path):
    source = GOOD.replace("BODY", "'hi'").replace(DETAIL, DETAIL + "        import os; os._exit(0)\n")
    report = run_check(lesson, workspace(tmp_path, source))
    assert not report.passed
    assert "exited (exit code 0) before every request was answered" in report.error


def test_a_crash_of_the_whole_process_is_a_failure(lesson, tmp_path):
    source = GOOD.replace("BODY", "'hi'") + "\nimport os, signal\nos.kill(os.getpid(), signal.SIGSEGV)\n"
    report = run_check(lesson, workspace(tmp_path, source))
    assert not report.passed and "stopped by signal SIGSEGV" in report.error


def test_too_much_memory_is_a_failure(lesson, tmp_path):
    source = GOOD.replace("BODY", "'hi'").replace(DETAIL, DETAIL + "        b = bytearray(2**31)\n")
    report = run_check(lesson, workspace(tmp_path, source), memory_limit=1024**3)
    assert not report.passed
    assert any("MemoryError" in p or "500" in p for p in report.tasks[0].problems), report.tasks[0].problems


def test_patching_the_checker_changes_nothing(lesson, tmp_path):
    # The starter does nothing; two lines that make every comparison true would pass it in-process.
    source = "import tracer.course.checks as c\nc.compare = lambda exp, actual: True\n"
    report = run_check(lesson, workspace(tmp_path, source))
    assert not report.passed
    assert "a server has no tracer:hello" in report.tasks[0].problems


def test_checking_writes_nothing_into_the_workspace(lesson, tmp_path):
    ws = workspace(tmp_path, GOOD.replace("BODY", "server['no-such-key']"))
    before = files_in(ws)
    report = run_check(lesson, ws)
    assert not report.passed and report.tasks[0].trace_file is None
    assert files_in(ws) == before  # no .tracer/, no __pycache__
