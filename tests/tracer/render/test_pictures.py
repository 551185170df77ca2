"""tracer export: Perfetto JSON against the trace-event schema, Mermaid against its grammar, SVG as XML."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest

from tracer.cli.main import main
from tracer.model.trace import CALL, Trace, save
from tracer.render.pictures import export, hops
from tracer.targets.sample_api import RequestSpec, record_request

SCHEMA = json.loads((Path(__file__).with_name("trace-event-format.schema.json")).read_text())


@pytest.fixture(scope="module")
def detail_doc() -> dict:
    return record_request(RequestSpec("GET", "/servers/detail"))


@pytest.fixture(scope="module")
def fault_doc() -> dict:
    return record_request(RequestSpec("GET", "/servers/nope"))


# -- Perfetto ---------------------------------------------------------------------------------------


def test_perfetto_validates_against_the_trace_event_schema(detail_doc):
    data = json.loads(export(Trace.from_dict(detail_doc), "perfetto"))
    jsonschema.validate(data, SCHEMA)


def test_perfetto_has_one_slice_per_hop_nested_like_the_frames(detail_doc):
    trace = Trace.from_dict(detail_doc)
    slices = [e for e in json.loads(export(trace, "perfetto"))["traceEvents"] if e["ph"] == "X"]
    # every call event of the document that is not a comprehension, straight from the rows
    calls = [i for i, row in enumerate(detail_doc["events"]) if row[0] == CALL
             and not detail_doc["codes"][row[1]][1].rsplit(".", 1)[-1].startswith("<")]
    assert len(slices) == len(calls)
    assert [s["name"] for s in slices] == [detail_doc["codes"][detail_doc["events"][i][1]][1] for i in calls]
    assert {s["cat"] for s in slices} >= {"middleware", "router", "resource", "controller", "view"}
    # a slice lies inside the slice of its caller, as chrome://tracing needs to stack them on one thread
    by_call = dict(zip(hops(trace), slices, strict=True))
    for call, piece in by_call.items():
        parent = trace.parent[call]
        while parent >= 0 and parent not in by_call:
            parent = trace.parent[parent]
        if parent >= 0:
            outer = by_call[parent]
            assert outer["ts"] <= piece["ts"] and piece["ts"] + piece["dur"] <= outer["ts"] + outer["dur"]


def test_perfetto_arguments_are_the_recorded_ones_and_redacted(detail_doc):
    text = export(Trace.from_dict(detail_doc), "perfetto")
    assert "admin:admin" not in text  # the token sent as X-Auth-Token
    slices = [e for e in json.loads(text)["traceEvents"] if e["ph"] == "X"]
    dispatch = next(s for s in slices if s["name"] == "Resource.dispatch")
    assert dispatch["args"]["file"] == "sample_api/api/openstack/wsgi.py"
    assert any(key.startswith("arg ") for key in dispatch["args"])


# -- Mermaid ----------------------------------------------------------------------------------------

PARTICIPANT = re.compile(r"^    participant ([A-Za-z]+)$")
ARROW = re.compile(r"^    ([A-Za-z]+)(->>|-->>)([+-]?)([A-Za-z]+): ([^;\n]+)$")
NOTE = re.compile(r"^    Note over ([A-Za-z]+),([A-Za-z]+): ([^;\n]+)$")
TITLE = re.compile(r"^    title [^;\n]+$")


def check_mermaid_sequence(text: str) -> list[tuple[str, str, str]]:
    """What a test can check of Mermaid's sequenceDiagram grammar: the header, each statement's shape,
    participants declared before use, activations that never go below zero and end balanced."""
    lines = text.splitlines()
    assert lines[0] == "sequenceDiagram"
    declared: list[str] = []
    active: dict[str, int] = {}
    arrows = []
    for line in lines[1:]:
        if TITLE.match(line):
            assert not declared, "the title comes first"
            continue
        if m := PARTICIPANT.match(line):
            assert not arrows, "participants are declared before the first message"
            declared.append(m.group(1))
            continue
        if m := ARROW.match(line):
            src, arrow, act, dst, _msg = m.groups()
            assert src in declared and dst in declared, line
            if act == "+":
                active[dst] = active.get(dst, 0) + 1
            elif act == "-":
                active[src] = active.get(src, 0) - 1
                assert active[src] >= 0, f"deactivates an inactive participant: {line}"
            arrows.append((src, arrow, dst))
            continue
        if m := NOTE.match(line):
            assert m.group(1) in declared and m.group(2) in declared, line
            continue
        raise AssertionError(f"not a sequenceDiagram statement: {line!r}")
    assert all(n == 0 for n in active.values()), active
    return arrows


def test_mermaid_is_a_sequence_diagram_of_the_layers(detail_doc):
    trace = Trace.from_dict(detail_doc)
    text = export(trace, "mermaid")
    arrows = check_mermaid_sequence(text)
    assert arrows[0] == ("client", "->>", "router")  # URLMap is the first hop
    assert arrows[-1] == ("router", "-->>", "client")
    assert ("middleware", "->>", "resource") in arrows
    assert ("resource", "->>", "controller") in arrows
    assert "ServersController.detail" in text
    # one call arrow per crossing into another layer, never one for a call within the same layer
    calls = [line for line in text.splitlines() if "->>+" in line]
    assert len(calls) < len(hops(trace)) / 2


def test_mermaid_shows_the_exception_path(fault_doc):
    text = export(Trace.from_dict(fault_doc), "mermaid")
    check_mermaid_sequence(text)
    assert re.search(r"controller-->>-\w+: raised .*NotFound", text)


# -- SVG --------------------------------------------------------------------------------------------


def test_svg_is_well_formed_and_names_every_hop(detail_doc):
    trace = Trace.from_dict(detail_doc)
    text = export(trace, "svg")
    root = ET.fromstring(text)
    assert root.tag.endswith("svg")
    drawn = "".join(root.itertext()).replace("\xa0", " ")
    for name in ("URLMap.__call__", "NoAuthMiddleware.__call__", "Resource._process_stack", "Resource.dispatch",
                 "ServersController.detail", "ViewBuilder.detail"):
        assert name in drawn
    assert "200 OK" in drawn


# -- the command ------------------------------------------------------------------------------------


def test_tracer_export_writes_each_format(tmp_path, detail_doc, capsys):
    source = tmp_path / "detail.json"
    save(detail_doc, source)
    for fmt, check in (("perfetto", lambda t: jsonschema.validate(json.loads(t), SCHEMA)),
                       ("mermaid", check_mermaid_sequence),
                       ("svg", ET.fromstring)):
        out = tmp_path / f"out.{fmt}"
        assert main(["export", str(source), "--format", fmt, "-o", str(out)]) == 0
        check(out.read_text(encoding="utf-8"))
    assert main(["export", str(source), "--format", "mermaid"]) == 0
    assert capsys.readouterr().out.startswith("sequenceDiagram\n")


def test_tracer_export_bad_input_is_one_line(tmp_path, capsys):
    assert main(["export", str(tmp_path / "missing.json"), "--format", "svg"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no such trace file" in err
    (tmp_path / "d").mkdir()
    source = tmp_path / "t.json"
    save(record_request(RequestSpec("GET", "/servers"), detail="call"), source)
    assert main(["export", str(source), "--format", "svg", "-o", str(tmp_path / "d")]) == 2
    assert "is a directory" in capsys.readouterr().err
    assert main(["export", str(source), "--format", "png"]) == 2
