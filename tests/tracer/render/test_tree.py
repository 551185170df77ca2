"""The hop tree on the Nova-shaped fake app: nesting, labels once, grouping, the exception path."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from tests.tracer.nova_fixture import LABELS, record
from tracer.render.tree import HopTree, exception_marks


@pytest.fixture(scope="module")
def detail_trace():
    return record("/v2.1/servers/detail")


@pytest.fixture(scope="module")
def nope_trace():
    return record("/v2.1/servers/nope")


def render(tree: HopTree, width: int = 100) -> str:
    out = io.StringIO()
    Console(file=out, width=width, color_system=None).print(tree)
    return out.getvalue()


def names(lines: list[str]) -> list[str]:
    """The function name of each node line (what follows the guide)."""
    return [line.lstrip("│├└─ ").split("  ")[0] for line in lines[1:]]


def test_nodes_nest_like_the_frames_with_layer_duration_and_place(detail_trace):
    lines = HopTree(detail_trace, labels=LABELS).lines()
    assert lines[0] == "GET /v2.1/servers/detail"
    assert lines[1].startswith("└─ auth_filter  middleware  ")
    dispatch = next(line for line in lines if "Resource.dispatch" in line)
    assert dispatch.startswith("         ├─ Resource.dispatch  resource  ")  # fourth level, more siblings follow
    assert " µs  tests/tracer/fakenova.py:" in dispatch
    order = names(lines)
    seed = ["Resource.__call__", "Resource._process_stack", "Resource.dispatch", "ServersController.detail",
            "ServersController._get_servers", "ViewBuilder.detail", "ViewBuilder._list_view", "ViewBuilder.show"]
    assert [n for n in order if n in seed][: len(seed)] == seed


def test_durations_come_from_the_trace(detail_trace):
    lines = HopTree(detail_trace, labels=LABELS).lines()
    top = detail_trace.calls[0]
    expected = detail_trace.duration_of(top)
    assert f"auth_filter  middleware  {expected} µs  " in lines[1]


def test_each_explanation_is_shown_the_first_time_only(detail_trace):
    text = "\n".join(HopTree(detail_trace, labels=LABELS).lines())
    assert text.count("— Shapes servers into JSON.") == 1
    line = next(line for line in text.splitlines() if "— Shapes servers into JSON." in line)
    assert "ViewBuilder.detail  view" in line  # the first view hop, not a later one


def test_comprehension_frames_are_folded_into_their_parent(detail_trace):
    lines = HopTree(detail_trace, labels=LABELS).lines()
    assert not any("<listcomp>" in line for line in lines)
    at = next(i for i, line in enumerate(lines) if "ViewBuilder._list_view" in line)
    assert "ViewBuilder.show" in lines[at + 1]
    assert len(lines[at + 1]) - len(lines[at + 1].lstrip("│├└─ ")) == len(lines[at]) - len(
        lines[at].lstrip("│├└─ ")) + 3  # one level deeper, not two


def test_repeated_calls_are_grouped_after_the_first_two(detail_trace):
    lines = HopTree(detail_trace, labels=LABELS).lines()
    assert sum(1 for line in lines if "ViewBuilder.show  view" in line) == 2
    assert any(line.endswith("└─ … 3 more calls of ViewBuilder.show (150 µs)") for line in lines)
    everything = HopTree(detail_trace, labels=LABELS, group_after=10).lines()
    assert sum(1 for line in everything if "ViewBuilder.show  view" in line) == 5
    assert not any("more calls of" in line for line in everything)


def test_depth_limit_counts_what_it_leaves_out(detail_trace):
    lines = HopTree(detail_trace, labels=LABELS, max_depth=2).lines()
    assert not any("Resource._process_stack" in line for line in lines)
    below = detail_trace.find_calls("Resource.__call__")[0]
    hidden = sum(1 for c in detail_trace.calls if below < c <= detail_trace.end_of[below]
                 and not detail_trace.code(c).is_inline)
    assert f"└─ … {hidden} more calls below" in "\n".join(lines)


def test_exception_path_from_raise_to_catch(nope_trace):
    lines = HopTree(nope_trace, labels=LABELS).lines()
    row = {n: line for n, line in zip(names(lines), lines[1:], strict=True)}
    assert row["ServersController.show"].endswith("✗ raised HTTPNotFound('Instance nope could not be found.')")
    assert row["Resource.dispatch"].endswith("↑ HTTPNotFound passed through")
    assert row["ResourceExceptionHandler.__exit__"].endswith("✗ raised Fault('Instance nope could not be found.')")
    assert row["Resource._process_stack"].endswith("✓ caught HTTPNotFound  ✓ caught Fault")
    assert "raised" not in row["Resource.__call__"] and "caught" not in row["Resource.__call__"]
    # the with block's exit runs recorded code after the raise: the exception still escapes show
    assert row["transaction"].endswith("↑ HTTPNotFound thrown in at the yield, passed on")
    show = nope_trace.find_calls("ServersController.show")[0]
    assert nope_trace.outcome(show).kind == "raised"


def test_exception_marks_tell_origin_and_handling(nope_trace):
    marks = exception_marks(nope_trace)
    by_name = {nope_trace.code(call).qualname: found for call, found in marks.items()}
    assert [(m.origin, m.caught, m.type_name) for m in by_name["ServersController.show"]] == [
        ("raised", False, "HTTPNotFound")]
    assert [(m.origin, m.caught) for m in by_name["Resource.dispatch"]] == [("propagated", False)]
    assert [(m.origin, m.caught, m.type_name) for m in by_name["Resource._process_stack"]] == [
        ("propagated", True, "HTTPNotFound"), ("propagated", True, "Fault")]
    assert [(m.origin, m.caught) for m in by_name["transaction"]] == [("thrown", False)]
    assert set(by_name) == {"ServersController.show", "Resource.dispatch", "Resource._process_stack",
                            "ResourceExceptionHandler.__exit__", "transaction"}


def test_grouping_and_depth_never_hide_the_exception_path(nope_trace):
    lines = HopTree(nope_trace, labels=LABELS, group_after=0).lines()
    text = "\n".join(lines)
    assert "✗ raised HTTPNotFound" in text  # on the path: drawn although group_after is 0
    assert "… 1 more call of ServersController.__init__" in text  # off the path: grouped
    shallow = "\n".join(HopTree(nope_trace, labels=LABELS, max_depth=2).lines())
    assert "more calls below (on the exception path)" in shallow


def test_in_a_console_labels_wrap_under_their_guide_without_colour(detail_trace):
    text = render(HopTree(detail_trace, labels=LABELS), width=70)
    assert "\x1b" not in text
    lines = text.splitlines()
    assert all(len(line) <= 70 for line in lines)
    at = next(i for i, line in enumerate(lines) if "ServersController.__init__" in line)
    assert lines[at].startswith("   ├─ ")
    assert lines[at + 1].startswith("   │  ") and "ServersController" not in lines[at + 1]  # continuation


def test_unwrapped_each_node_is_one_line(detail_trace):
    out = io.StringIO()
    Console(file=out, width=40, color_system=None).print(HopTree(detail_trace, labels=LABELS, wrap=False),
                                                          soft_wrap=True)
    assert out.getvalue().splitlines() == HopTree(detail_trace, labels=LABELS).lines()
