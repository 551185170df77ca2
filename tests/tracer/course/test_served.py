"""Lesson requests served over HTTP by sample_api's own server, and a workspace's own request handler.

Real server on 127.0.0.1, a real HTTP client, the check's real child process.
"""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import pytest

from tracer.course.checks import run_check
from tracer.course.model import LessonError, load_course, parse_request
from tracer.course.quiz import record_traces
from tracer.model.trace import CALL

REPO_LESSONS = Path(__file__).resolve().parents[3] / "tracer" / "course" / "lessons"
LESSON = load_course().get("16-the-server")


@pytest.fixture(autouse=True)
def quiet_logs():
    logging.disable(logging.CRITICAL)
    yield
    logging.disable(logging.NOTSET)


def workspace_with(handler_source: str, tmp_path: Path) -> Path:
    ws = tmp_path / "ws"
    shutil.copytree(REPO_LESSONS / LESSON.slug / "solution", ws)
    (ws / "handler.py").write_text(handler_source)
    return ws


def test_a_handler_that_is_not_a_request_handler_is_one_clear_line(tmp_path):
    ws = workspace_with("class RequestHandler:\n    pass\n", tmp_path)
    report = run_check(LESSON, ws)
    assert not report.passed
    assert report.error is not None and "\n" not in report.error
    assert "sample_api.wsgi.RequestHandler" in report.error


def test_a_handler_module_without_the_class_is_one_clear_line(tmp_path):
    ws = workspace_with("from sample_api import wsgi\n\n\nclass PortHandler(wsgi.RequestHandler):\n    pass\n",
                        tmp_path)
    report = run_check(LESSON, ws)
    assert not report.passed
    assert report.error == "handler.py: needs a class RequestHandler derived from sample_api.wsgi.RequestHandler"


def test_a_handler_that_never_calls_the_app_fails_without_hanging(tmp_path):
    source = ("from sample_api import wsgi\n\n\nclass RequestHandler(wsgi.RequestHandler):\n"
              "    def handle(self):\n        self.raw_requestline = self.rfile.readline(65537)\n"
              "        if self.parse_request():\n            self.send_error(503)\n")
    report = run_check(LESSON, workspace_with(source, tmp_path))
    assert not report.passed
    assert "did your handler call the app?" in (report.error or "")


def test_a_served_request_is_shown_as_the_curl_command_that_sends_it():
    request = parse_request("r", {"path": "/servers/detail", "as": "demo", "served": True}, "test")
    assert request.command() == "curl -H 'X-Auth-Token: demo:demo' http://127.0.0.1:8774/v2.1/servers/detail"
    assert request.label == "GET /servers/detail (as demo) (over HTTP)"


def test_a_path_as_written_needs_a_served_request():
    with pytest.raises(LessonError, match="as_written needs served = true"):
        parse_request("r", {"path": "/v2/servers/detail", "as_written": True}, "check.toml")
    served = parse_request("r", {"path": "/v2/servers/detail", "as_written": True, "served": True}, "check.toml")
    assert served.command().endswith(" http://127.0.0.1:8774/v2/servers/detail")


def test_a_request_served_by_eventlet_is_traced_from_its_green_thread():
    traces = record_traces(LESSON)
    green, threaded = traces["green"], traces["flavors"]
    first = [next(trace.code(i) for i in range(len(trace)) if trace.kinds[i] == CALL) for trace in (green, threaded)]
    assert (first[0].module, first[0].qualname) == ("eventlet.wsgi", "Server.process_request")
    assert first[1].qualname == "ServerWithThreadPool.serve_connection"
    assert green.request_line == threaded.request_line == "GET /v2.1/flavors"
    assert green.status == threaded.status == 200
    assert green.layer(0) == "server"


def test_a_server_is_chosen_for_served_requests_only():
    with pytest.raises(LessonError, match="server needs served = true"):
        parse_request("r", {"path": "/flavors", "server": "eventlet"}, "check.toml")
    with pytest.raises(LessonError, match="server must be one of"):
        parse_request("r", {"path": "/flavors", "served": True, "server": "gunicorn"}, "check.toml")
    green = parse_request("r", {"path": "/flavors", "served": True, "server": "eventlet"}, "check.toml")
    assert green.label == "GET /flavors (over HTTP, eventlet server)"
