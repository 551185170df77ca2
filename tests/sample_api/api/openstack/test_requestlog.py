"""request_log: exactly one INFO line per request, in Nova's format."""

from __future__ import annotations

import logging
import re

import pytest

LINE = re.compile(
    r'^(?P<addr>\S+) "(?P<method>[A-Z]+) (?P<uri>\S+)" status: (?P<status>\d+) len: (?P<len>\d+) '
    r"microversion: (?P<mv>\S+) time: \d+\.\d{3}$"
)


@pytest.fixture
def log_lines(caplog):
    caplog.set_level(logging.INFO, logger="sample_api.api.openstack.requestlog")

    def lines():
        return [r.getMessage() for r in caplog.records if r.name == "sample_api.api.openstack.requestlog"]

    return lines


def test_one_line_per_api_request(fake_testapp, log_lines):
    resp = fake_testapp.get("/v2.1/things/detail?limit=1", extra_environ={"REMOTE_ADDR": "10.0.0.9"})
    [line] = log_lines()
    match = LINE.match(line)
    assert match, line
    assert match["addr"] == "10.0.0.9"
    assert match["uri"] == "/v2.1/things/detail?limit=1"
    assert match["status"] == "200"
    assert int(match["len"]) == len(resp.body)
    assert match["mv"] == "2.1"


def test_crash_is_logged_as_500(fake_testapp, log_lines):
    fake_testapp.get("/v2.1/things/crash", expect_errors=True)
    [line] = log_lines()
    assert LINE.match(line)["status"] == "500"


def test_versions_and_auth_failures_are_logged_once(fake_testapp, log_lines):
    fake_testapp.get("/")
    fake_testapp.get("/v2.1")
    fake_testapp.get("/v2.1/things", extra_environ={"HTTP_X_AUTH_TOKEN": ""}, expect_errors=True)
    lines = [LINE.match(line) for line in log_lines()]
    assert [(m["uri"], m["status"], m["mv"]) for m in lines] == [
        ("/", "200", "-"),
        ("/v2.1", "200", "2.1"),
        ("/v2.1/things", "401", "-"),
    ]
