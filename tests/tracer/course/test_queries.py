"""The lesson query language and answer grading, on hand-made traces (no sample_api needed)."""

from __future__ import annotations

import json

import pytest

from tracer.course import grading
from tracer.course.queries import QueryError, evaluate, hop_matches, validate_query
from tracer.model.trace import CALL, EXCEPTION, LINE, RETURN, CodeInfo, Trace

CODES = [
    ["app.filters", "Auth.__call__", "app/filters.py", 1, "middleware"],  # 0
    ["app.wsgi", "Resource.dispatch", "app/wsgi.py", 10, "resource"],  # 1
    ["app.servers", "Controller.detail", "app/servers.py", 1, "controller"],  # 2
    ["app.views", "ViewBuilder._list_view", "app/views.py", 1, "view"],  # 3
    ["app.views", "<listcomp>", "app/views.py", 3, "view"],  # 4
    ["app.views", "ViewBuilder.show", "app/views.py", 9, "view"],  # 5
    ["app.db", "get_row", "app/db.py", 1, "db"],  # 6
    ["app.wsgi", "JSONDictSerializer.default", "app/wsgi.py", 30, "serializer"],  # 7
]


def doc(events: list[list], values: list | None = None, scopes: list | None = None, body: object = None) -> dict:
    return {
        "format": "tracer-trace",
        "version": 1,
        "meta": {},
        "request": {"method": "GET", "path": "/v2.1/servers/detail", "headers": {}, "body": None},
        "response": {
            "status": 200,
            "reason": "OK",
            "headers": {"X-Compute-Request-Id": "req-1"},
            "body": json.dumps(body if body is not None else {"servers": [{"id": "a", "name": "one"}, {"id": "b"}]}),
        },
        "files": {},
        "codes": CODES,
        "values": values
        or [["str", "'detail'"], ["dict", "dict of 1 items", [["id", 0]], 0], ["KeyError", "KeyError('x')"]],
        "scopes": scopes or [[], [["action", 0]], [["action_args", 1]]],
        "events": events,
    }


def happy() -> Trace:
    """Auth → dispatch → detail → _list_view → <listcomp> → show ×2; then the serializer."""
    return Trace.from_dict(
        doc(
            [
                [CALL, 0, 1, 0, 0],
                [CALL, 1, 10, 1, 2],
                [CALL, 2, 1, 1, 1],
                [CALL, 3, 1, 1, 0],
                [CALL, 4, 3, 1, 0],
                [CALL, 5, 9, 1, 0],
                [RETURN, 5, 9, 1, 1],
                [CALL, 5, 9, 1, 0],
                [RETURN, 5, 9, 1, 1],
                [RETURN, 4, 3, 1, 1],
                [RETURN, 3, 1, 1, 1],
                [RETURN, 2, 1, 1, 1],
                [RETURN, 1, 10, 1, 1],
                [CALL, 7, 30, 1, 0],
                [RETURN, 7, 30, 1, 0],
                [RETURN, 0, 1, 1, 1],
            ]
        )
    )


def crashing() -> Trace:
    """dispatch → detail → get_row raises KeyError; detail lets it pass; dispatch catches it."""
    return Trace.from_dict(
        doc(
            [
                [CALL, 1, 10, 0, 0],
                [CALL, 2, 1, 1, 0],
                [CALL, 6, 1, 1, 0],
                [EXCEPTION, 6, 2, 1, 2],
                [RETURN, 6, 2, 1, -1],
                [EXCEPTION, 2, 3, 1, 2],
                [RETURN, 2, 3, 1, -1],
                [EXCEPTION, 1, 11, 1, 2],
                [LINE, 1, 12, 1, 0],
                [RETURN, 1, 13, 1, 0],
            ]
        )
    )


@pytest.mark.parametrize(
    "query, expected",
    [
        ({"query": "next_call", "after": "Resource.dispatch", "layer": "controller"}, "Controller.detail"),
        ({"query": "first_call", "layer": "view"}, "ViewBuilder._list_view"),
        ({"query": "last_call", "layer": "serializer"}, "JSONDictSerializer.default"),
        ({"query": "count", "name": "ViewBuilder.show"}, 2),
        ({"query": "count", "layer": "view", "distinct": True}, 2),
        ({"query": "calls", "layer": "view", "distinct": True}, ["ViewBuilder._list_view", "ViewBuilder.show"]),
        ({"query": "count", "before": "Resource.dispatch"}, 1),
        ({"query": "caller", "name": "ViewBuilder.show"}, "ViewBuilder._list_view"),
        ({"query": "callees", "name": "ViewBuilder._list_view"}, ["ViewBuilder.show"]),
        ({"query": "calls", "within": "Resource.dispatch", "direct": True}, ["Controller.detail"]),
        ({"query": "arg", "name": "Controller.detail", "arg": "action"}, "detail"),
        ({"query": "arg", "name": "Resource.dispatch", "arg": "action_args", "keys": True}, ["id"]),
        ({"query": "arg", "name": "Resource.dispatch", "arg": "action_args", "path": "id"}, "detail"),
        ({"query": "returns", "name": "ViewBuilder.show", "nth": -1, "keys": True}, ["id"]),
        ({"query": "reached", "name": "get_row"}, False),
        ({"query": "order", "hops": ["Auth.__call__", "Resource.dispatch", "JSONDictSerializer.default"]}, True),
        ({"query": "order", "hops": ["JSONDictSerializer.default", "Resource.dispatch"]}, False),
        ({"query": "layers"}, ["middleware", "resource", "controller", "view", "serializer"]),
        ({"query": "layer_of", "name": "get_row"}, ""),
        ({"query": "status"}, 200),
        ({"query": "header", "header": "x-compute-request-id"}, "req-1"),
        ({"query": "json", "path": "servers.0.name"}, "one"),
        ({"query": "json", "path": "servers.-1.id"}, "b"),
        ({"query": "json", "path": "servers.*.id"}, ["a", "b"]),
        ({"query": "json", "path": "servers", "len": True}, 2),
        ({"query": "json", "path": "servers.*", "has": "name"}, False),
        ({"query": "json", "path": "servers.*.id", "count": "a"}, 1),
        ({"query": "json", "keys": True}, ["servers"]),
        ({"query": "deepest"}, "ViewBuilder.show"),
    ],
)
def test_queries_on_a_happy_trace(query, expected):
    assert evaluate(query, happy()) == expected


def test_exceptions_raised_passed_on_and_caught():
    trace = crashing()
    assert evaluate({"query": "raised_in"}, trace) == "get_row"
    assert evaluate({"query": "exception"}, trace) == "KeyError"
    assert evaluate({"query": "exception", "name": "Controller.detail"}, trace) == "KeyError"
    assert evaluate({"query": "caught_in"}, trace) == "Resource.dispatch"
    assert evaluate({"query": "caught_in", "exception": "ValueError"}, trace) == ""
    assert evaluate({"query": "outcome", "name": "Controller.detail"}, trace) == "raised"
    assert evaluate({"query": "outcome", "name": "Resource.dispatch"}, trace) == "returned"


def test_first_difference_between_two_traces():
    assert evaluate({"query": "first_difference", "other": "b"}, happy(), {"b": crashing()}) == "Auth.__call__"
    assert evaluate({"query": "first_difference", "other": "b"}, happy(), {"b": happy()}) == ""
    with pytest.raises(QueryError, match="no recorded request named 'zz'"):
        evaluate({"query": "first_difference", "other": "zz"}, happy())


def test_hop_patterns():
    code = CodeInfo("sample_api.api.openstack.wsgi", "Resource.dispatch", "f.py", 1, "resource")
    assert hop_matches(code, "Resource.dispatch")
    assert hop_matches(code, "dispatch")
    assert not hop_matches(code, "patch")
    assert hop_matches(code, "sample_api.api.openstack.wsgi:Resource.dispatch")
    assert hop_matches(code, "sample_api.api.*")
    assert hop_matches(code, "Resource.*")
    assert not hop_matches(code, "other:Resource.dispatch")


@pytest.mark.parametrize(
    "query, message",
    [
        ("status", "must be a table"),
        ({"query": "nope"}, "unknown query 'nope'"),
        ({"query": "arg", "name": "x"}, "needs the parameter 'arg'"),
        ({"query": "status", "layer": "view"}, "takes no parameter 'layer'"),
        ({"query": "order", "hops": []}, "non-empty list"),
    ],
)
def test_malformed_queries_are_refused_with_one_line(query, message):
    with pytest.raises(QueryError, match=message):
        validate_query(query, "q")


@pytest.mark.parametrize(
    "given, expected, kind, correct",
    [
        ("detail", "ServersController.detail", "hop", True),
        ("ServersController.detail()", "ServersController.detail", "hop", True),
        ("sample_api.x:ServersController.detail", "ServersController.detail", "hop", True),
        ("show", "ServersController.detail", "hop", False),
        ("FaultWrapper", "FaultWrapper.__call__", "hop", True),
        ("A, B -> C", ["X.A", "X.B", "X.C"], "hops", True),
        ("A, C, B", ["X.A", "X.B", "X.C"], "hops", False),
        (" 5 ", 5, "int", True),
        ("five", 5, "int", False),
        ("yes", True, "bool", True),
        ("no", True, "bool", False),
        ("'demo'", "demo", "value", True),
        ("action, id", ["id", "action"], "value", True),
    ],
)
def test_grading_is_lenient_about_form_not_content(given, expected, kind, correct):
    assert grading.matches(given, expected, kind) is correct


def test_grade_by_choice_letter_reports_the_matching_choice():
    choices = ["ServersController.index", "ServersController.detail"]
    result = grading.grade("a", "ServersController.detail", "hop", choices)
    assert not result.correct and result.given == "ServersController.index"
    assert result.expected == "ServersController.detail"
    assert grading.grade("b", "ServersController.detail", "hop", choices).correct
    assert grading.grade("B)", "ServersController.detail", "hop", choices).correct


def test_a_number_is_its_value_not_a_choice_position():
    choices = ["2", "3", "5", "7"]
    assert not grading.grade("3", 5, "int", choices).correct  # 3 is the third choice, but it is not 5
    assert grading.grade("5", 5, "int", choices).correct
    assert grading.grade("c", 5, "int", choices).correct  # the third choice, by its letter
    # A choice that is itself a letter is matched as the value, never as a position.
    assert grading.grade("a", "a", "text", ["b", "a"]).correct
