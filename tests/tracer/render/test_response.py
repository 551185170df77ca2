"""The status line and the response body."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from tests.tracer.nova_fixture import record, record_doc
from tracer.model.labels import LAYERS
from tracer.model.trace import Trace
from tracer.render.response import ResponseSummary, body_lines, status_line
from tracer.render.theme import LAYER_STYLES, format_duration, layer_style, status_style


def render(renderable, width: int = 100) -> str:
    out = io.StringIO()
    Console(file=out, width=width, color_system=None).print(renderable)
    return out.getvalue()


@pytest.fixture(scope="module")
def detail_trace():
    return record("/v2.1/servers/detail")


def test_status_line_has_status_request_user_time_and_hops(detail_trace):
    expected_time = format_duration(detail_trace.duration_us)
    assert status_line(detail_trace).plain == (
        f"HTTP 200 OK  GET /v2.1/servers/detail  as admin:admin  {expected_time}  {len(detail_trace.calls)} hops"
    )


def test_status_line_of_an_api_error():
    trace = record("/v2.1/servers/nope")
    assert status_line(trace).plain.startswith("HTTP 404 Not Found  GET /v2.1/servers/nope  ")


def test_status_line_says_when_the_trace_was_cut():
    doc = record_doc()
    doc["truncated"] = True
    assert status_line(Trace.from_dict(doc)).plain.endswith("(trace truncated)")


def test_body_is_pretty_json(detail_trace):
    text = render(ResponseSummary(detail_trace))
    assert "\x1b" not in text
    assert '  "servers": [\n    {\n      "id": "srv-1",\n      "name": "demo-1"\n    },' in text


def test_long_bodies_are_cut_with_a_count(detail_trace):
    total = len(body_lines(detail_trace.response["body"]))
    text = render(ResponseSummary(detail_trace, max_lines=5))
    lines = text.splitlines()
    assert lines[1:6] == body_lines(detail_trace.response["body"])[:5]
    assert lines[6] == f"… {total - 5} more lines of body (see them all with --format json or --save)"
    assert len(lines) == 7


def test_bodies_that_are_not_json_are_shown_as_they_came():
    assert body_lines("plain text\nsecond line") == ["plain text", "second line"]
    assert body_lines("") == [] and body_lines(None) == []


def test_a_crash_is_shown_under_the_status():
    doc = record_doc()
    doc["response"] = {"status": 500, "reason": "Internal Server Error", "headers": {}, "body": "",
                       "error": "RuntimeError: boom"}
    lines = render(ResponseSummary(Trace.from_dict(doc))).splitlines()
    assert lines[0].startswith("HTTP 500 Internal Server Error")
    assert lines[1] == "the app crashed: RuntimeError: boom"


def test_theme_covers_every_layer_and_status_class():
    assert set(LAYER_STYLES) == set(LAYERS)
    assert layer_style("no-such-layer") == LAYER_STYLES["other"]
    assert [status_style(s) for s in (200, 302, 404, 500)] == ["bold green", "bold cyan", "bold yellow", "bold red"]
    assert [format_duration(us) for us in (850, 12_345, 1_250_000)] == ["850 µs", "12.3 ms", "1.25 s"]
