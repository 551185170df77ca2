"""``--at FUNCTION#N --locals``: the walkthrough at a function's Nth call, each frame with its locals as then."""

from __future__ import annotations

import json
import re

import pytest

from tracer.cli.main import main
from tracer.model.trace import save
from tracer.targets import sample_api as target


@pytest.fixture(scope="module")
def detail_file(tmp_path_factory):
    doc = target.record_request(target.RequestSpec("GET", "/servers/detail"))
    path = tmp_path_factory.mktemp("traces") / "detail.json"
    save(doc, path)
    return path, doc


def frames(text: str) -> dict[str, str]:
    """Each frame's block of the walkthrough, by function name."""
    blocks = {}
    for block in text.split("\n\n"):
        head = re.match(r"> \S+\(\d+\)(\S+)\(\)", block.strip())
        if head:
            blocks[head[1]] = block
    return blocks


def test_the_caller_frame_holds_the_server_that_show_was_called_with(detail_file, capsys):
    path, doc = detail_file
    second = json.loads(doc["response"]["body"])["servers"][1]["id"]  # what the client got, independently
    assert main(["show", str(path), "--at", "ViewBuilder.show#2", "--locals"]) == 0
    blocks = frames(capsys.readouterr().out)
    instance = re.search(r"instance = \{.*'uuid': '([0-9a-f-]+)'", blocks["show"])
    server = re.search(r"\bserver = \{.*'uuid': '([0-9a-f-]+)'", blocks["_list_view"])
    assert instance and server
    assert instance[1] == server[1] == second


def test_locals_are_redacted_as_recorded(detail_file, capsys):
    path, _doc = detail_file
    assert main(["show", str(path), "--at", "ViewBuilder.show", "--locals"]) == 0
    out = capsys.readouterr().out
    assert "admin:admin" not in out and "[redacted: X-Auth-Token]" in out


@pytest.mark.parametrize(("at", "says"), [
    ("ViewBuilder.show#9", "is called 4 times in this trace: #9 is past the last"),
    ("ViewBuilder.show#0", "after '#' give which call"),
    ("nothing_like_this", "no call of 'nothing_like_this'"),
])
def test_an_nth_call_that_is_not_there_is_one_line_and_exit_2(detail_file, capsys, at, says):
    path, _doc = detail_file
    assert main(["show", str(path), "--at", at, "--locals"]) == 2
    err = capsys.readouterr().err
    assert says in err and err.count("\n") == 1


def test_locals_apply_to_the_pdb_walkthrough_only(detail_file, capsys):
    path, _doc = detail_file
    assert main(["show", str(path), "--format", "tree", "--locals"]) == 2
    assert "--locals" in capsys.readouterr().err


def test_tui_at_a_function_that_is_not_called_is_one_line_before_the_replay_opens(detail_file, capsys):
    path, _doc = detail_file
    assert main(["tui", str(path), "--at", "ViewBuilder.show#5"]) == 2
    assert "is called 4 times" in capsys.readouterr().err
    assert main(["tui", "--at", "ViewBuilder.show"]) == 2
    assert "--at needs a trace" in capsys.readouterr().err


def test_tui_at_opens_the_replay_on_the_nth_call(detail_file):
    from tracer.cli.main import start_at
    from tracer.model.trace import load

    path, _doc = detail_file
    trace = load(path)
    shows = [c for c in trace.calls if trace.code(c).qualname == "ViewBuilder.show"]
    assert start_at(trace, "ViewBuilder.show#3") == shows[2]
    assert start_at(trace, None) == 0
