"""Where the walkthrough stops and which frames it shows, on the Nova-shaped fake app."""

from __future__ import annotations

import pytest

from tests.tracer.nova_fixture import line_of, record
from tracer.model.labels import parse_labels
from tracer.model.trace import LINE, CodeInfo, TraceError
from tracer.replay.walkthrough import frames_at, is_public_method, matches, walkthrough_point

SEED_FRAMES = ["auth_filter", "__call__", "_process_stack", "dispatch", "detail", "_get_servers", "detail",
               "_list_view", "show"]


@pytest.fixture(scope="module")
def detail_trace():
    return record("/v2.1/servers/detail")


def code(qualname: str, layer: str = "view") -> CodeInfo:
    return CodeInfo("sample_api.x", qualname, "sample_api/x.py", 1, layer)


def test_public_methods_are_class_methods_without_underscore_or_call():
    assert is_public_method(code("ViewBuilder.show"))
    assert is_public_method(code("Resource.__call__"))
    assert not is_public_method(code("ViewBuilder._list_view"))
    assert not is_public_method(code("Resource.__init__"))
    assert not is_public_method(code("show"))  # a plain function, not a method
    assert not is_public_method(code("ViewBuilder._list_view.<locals>.<listcomp>"))


def test_names_match_on_a_dotted_boundary_only():
    c = CodeInfo("sample_api.api.openstack.wsgi", "Resource.dispatch", "f.py", 1, "resource")
    full = "sample_api.api.openstack.wsgi:Resource.dispatch"
    for name in ("dispatch", "Resource.dispatch", "wsgi:Resource.dispatch", full):
        assert matches(c, name), name
    for name in ("patch", "source.dispatch", "Resource"):
        assert not matches(c, name), name


def test_default_point_is_the_first_view_builder_show(detail_trace):
    point = walkthrough_point(detail_trace)
    assert detail_trace.code(point).qualname == "ViewBuilder.show"
    assert point == detail_trace.find_calls("ViewBuilder.show")[0]
    # deeper private helpers (_name) do not win
    assert detail_trace.depth[detail_trace.find_calls("ViewBuilder._name")[0]] > detail_trace.depth[point]


def test_default_point_on_an_error_is_the_controller_that_raised():
    trace = record("/v2.1/servers/nope")
    assert trace.code(walkthrough_point(trace)).qualname == "ServersController.show"


def test_default_point_falls_back_to_the_deepest_call_without_app_layers():
    only_other = parse_labels('[[hop]]\nmatch = "*"\nlayer = "other"\n')
    trace = record("/v2.1/servers/detail", labels=only_other)
    point = walkthrough_point(trace)
    assert point == trace.deepest_call()
    assert trace.code(point).qualname == "ViewBuilder._name"


def test_at_picks_the_first_call_of_that_function(detail_trace):
    point = walkthrough_point(detail_trace, "dispatch")
    assert detail_trace.code(point).qualname == "Resource.dispatch"
    assert walkthrough_point(detail_trace, "Resource.dispatch") == point
    show = walkthrough_point(detail_trace, "ViewBuilder.show")
    assert show == detail_trace.find_calls("ViewBuilder.show")[0]


def test_at_an_unknown_function_is_one_clear_error(detail_trace):
    with pytest.raises(TraceError) as info:
        walkthrough_point(detail_trace, "patch")
    message = str(info.value)
    assert "no call of 'patch'" in message
    assert "Resource.dispatch" in message  # the suggestion lists real functions
    assert "\n" not in message


def test_frames_follow_the_seed_and_fold_the_comprehension(detail_trace):
    frames = frames_at(detail_trace, walkthrough_point(detail_trace))
    assert [f.function for f in frames] == SEED_FRAMES
    assert not any(f.code.is_inline for f in frames)
    by_function = {f.function: f for f in frames}
    # _list_view waits on the comprehension's line, as Python 3.12 (no comprehension frame) shows it
    assert by_function["_list_view"].line == line_of('server_list = [func(request, server)["server"]')
    assert by_function["dispatch"].line == line_of("return method(req=request, **action_args)")
    assert by_function["show"].line == line_of("def show(self, request, instance):")
    assert all(f.filename == "tests/tracer/fakenova.py" for f in frames)


def test_a_frame_waits_on_the_line_that_made_several_calls(detail_trace):
    # auth_filter calls ServersController(), Resource() and then the resource, all from one line
    frames = frames_at(detail_trace, walkthrough_point(detail_trace))
    assert frames[0].line == line_of("return Resource(ServersController())(environ, start_response)")


def test_frames_at_a_line_event_show_that_line(detail_trace):
    show = walkthrough_point(detail_trace)
    first_line = next(i for i in range(show + 1, len(detail_trace)) if detail_trace.kinds[i] == LINE)
    frames = frames_at(detail_trace, first_line)
    assert frames[-1].function == "show"
    assert frames[-1].line == line_of('return {"server": {"id": instance["id"]')
