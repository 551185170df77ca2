"""The pdb face: the blog walkthrough's exact layout, source from the trace, every frame of the stack."""

from __future__ import annotations

import io
import re

import pytest
from rich.console import Console

from tests.tracer.nova_fixture import line_of, record, record_doc
from tracer.model.trace import FORMAT, VERSION, Trace, TraceError
from tracer.render.pdb import PdbWalkthrough, arrow, walkthrough_text

# The first three frames of the blog walkthrough of Nova's API (its "调用过程" section), Nova's paths made relative.
SEED = """\
> nova/api/openstack/wsgi.py(890)__call__()
    889         return self._process_stack(request, action, action_args,
--> 890                                content_type, body, accept)
    891

> nova/api/openstack/wsgi.py(942)_process_stack()
    941                 with ResourceExceptionHandler():
--> 942                     action_result = self.dispatch(meth, request, action_args)
    943             except Fault as ex:

> nova/api/openstack/wsgi.py(1022)dispatch()
   1021
-> 1022         return method(req=request, **action_args)
   1023
"""


def seed_trace() -> Trace:
    """A hand-made trace whose three frames sit on the walkthrough's lines of a file with the walkthrough's text."""
    source = [f"# line {n}" for n in range(1, 1101)]
    for line in SEED.splitlines():
        if line.startswith(">") or not line.strip():
            continue
        number, text = int(line[:7].lstrip("->").strip()), line[8:]
        source[number - 1] = text
    events = [
        [0, 0, 870, 1], [1, 0, 889, 1],  # __call__ runs its multi-line return (the walkthrough stops on its 2nd line)
        [1, 0, 890, 1],
        [0, 1, 930, 1], [1, 1, 942, 1],
        [0, 2, 1020, 1], [1, 2, 1022, 1],
        [0, 3, 470, 1],
    ]
    doc = {
        "format": FORMAT, "version": VERSION, "meta": {},
        "request": {"method": "GET", "path": "/v2.1/servers/detail"},
        "response": {"status": 200, "reason": "OK", "headers": {}, "body": ""},
        "files": {"nova/api/openstack/wsgi.py": "\n".join(source) + "\n", "nova/api/openstack/compute/servers.py": ""},
        "codes": [
            ["nova.api.openstack.wsgi", "Resource.__call__", "nova/api/openstack/wsgi.py", 870, "resource"],
            ["nova.api.openstack.wsgi", "Resource._process_stack", "nova/api/openstack/wsgi.py", 930, "resource"],
            ["nova.api.openstack.wsgi", "Resource.dispatch", "nova/api/openstack/wsgi.py", 1020, "resource"],
            ["nova.api.openstack.compute.servers", "Controller.detail", "nova/api/openstack/compute/servers.py",
             470, "controller"],
        ],
        "values": [], "scopes": [], "events": events,
    }
    return Trace.from_dict(doc)


def test_arrow_grows_from_the_left_of_a_seven_wide_column():
    assert arrow(890) == "--> 890"
    assert arrow(1022) == "-> 1022"
    assert arrow(89) == "---> 89"
    assert arrow(123456) == ">123456"
    assert all(len(arrow(n)) == 7 for n in (1, 22, 333, 4444, 55555))


def test_the_seed_walkthrough_is_reproduced_exactly():
    text = walkthrough_text(seed_trace())
    assert text.startswith(SEED + "\n")
    # the controller's file is empty in this trace: its frame says so instead of showing nothing
    rest = "\n> nova/api/openstack/compute/servers.py(470)detail()\n        [source not in the trace]\n"
    assert text[len(SEED):] == rest


def test_every_frame_of_the_fake_request_in_order_with_its_current_line():
    trace = record("/v2.1/servers/detail")
    text = walkthrough_text(trace)
    headers = [line for line in text.splitlines() if line.startswith("> ")]
    assert [re.sub(r"^> .*\(\d+\)", "", h) for h in headers] == [
        "auth_filter()", "__call__()", "_process_stack()", "dispatch()", "detail()", "_get_servers()", "detail()",
        "_list_view()", "show()",
    ]
    dispatch_line = line_of("return method(req=request, **action_args)")
    block = (
        f"> tests/tracer/fakenova.py({dispatch_line})dispatch()\n"
        f"{dispatch_line - 1:>7}     def dispatch(self, method, request, action_args):\n"
        f"{arrow(dispatch_line)}         return method(req=request, **action_args)\n"
        f"{dispatch_line + 1:>7}\n"
    )
    assert block in text
    assert "<listcomp>" not in text
    assert text.count("\n\n> ") == len(headers) - 1  # one blank line between frames


def test_source_comes_from_the_trace_not_from_disk():
    doc = record_doc("/v2.1/servers/detail")
    name = "tests/tracer/fakenova.py"
    lines = doc["files"][name].splitlines()
    dispatch_line = line_of("return method(req=request, **action_args)")
    lines[dispatch_line - 1] = "        return 'the source as it was when recorded'"
    doc["files"][name] = "\n".join(lines) + "\n"
    text = walkthrough_text(Trace.from_dict(doc), at="ServersController.detail")
    assert f"{arrow(dispatch_line)}         return 'the source as it was when recorded'" in text


def test_rendered_in_a_console_without_colour_the_text_is_the_same():
    trace = record("/v2.1/servers/detail")
    out = io.StringIO()
    Console(file=out, width=60, color_system=None).print(PdbWalkthrough(trace), soft_wrap=True)
    assert "\x1b" not in out.getvalue()
    assert out.getvalue() == walkthrough_text(trace)  # long source lines are not wrapped at 60 columns


def test_unknown_stopping_point_raises_trace_error():
    with pytest.raises(TraceError, match="no call of 'nothing_like_this'"):
        PdbWalkthrough(record("/v2.1/servers/detail"), at="nothing_like_this")
