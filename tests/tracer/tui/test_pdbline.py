"""pdb's command line in the replay, driven by the Pilot: b with a condition, p, w, l, ll, and a status line
that says why a key could not act and what a search matched."""

from __future__ import annotations

import json

import pytest
from textual.widgets import Input

from tracer.model.trace import Trace
from tracer.replay.evaluate import plain
from tracer.targets import sample_api as target
from tracer.tui.app import TraceApp
from tracer.tui.pdbline import PdbLine

SIZE = (120, 40)


@pytest.fixture(scope="module")
def detail() -> Trace:
    return Trace.from_dict(target.record_request(target.RequestSpec("GET", "/servers/detail")))


async def command(pilot, app: TraceApp, text: str) -> list[str]:
    """Type ``text`` at the open prompt, press enter, and return the answer lines it added."""
    line = app.query_one(PdbLine)
    before = len(line.answers)
    app.query_one("#pdb-input", Input).value = text
    await pilot.press("enter")
    await pilot.pause()
    return line.answers[before:]


async def test_b_with_a_condition_then_c_stops_where_the_condition_holds(detail):
    body = json.loads(detail.response["body"])
    db01 = next(server["id"] for server in body["servers"] if server["name"] == "db-01")
    # a line ViewBuilder.show runs once a call, wherever the file has it now
    source = detail.doc["files"]["sample_api/api/openstack/compute/views/servers.py"].splitlines()
    line = next(n for n, text in enumerate(source, 1) if 'status = server["server"]["status"]' in text)
    app = TraceApp(detail)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("colon")
        assert app.query_one("#pdb-input", Input).has_focus
        answer = await command(pilot, app, f'b views/servers.py:{line} if instance["display_name"] == "db-01"')
        assert answer[0] == "(Pdb) " + f'b views/servers.py:{line} if instance["display_name"] == "db-01"'
        assert answer[1].startswith(f"Breakpoint 1 at sample_api/api/openstack/compute/views/servers.py:{line} if ")
        assert "c stops 1 time in all" in answer[1]
        await pilot.press("escape")
        assert not app.query_one(PdbLine).is_open
        await pilot.press("c")
        index, frame = app.position
        assert detail.code(frame).qualname == "ViewBuilder.show" and detail.lines[index] == line
        instance = dict(detail.locals_at(index, frame))["instance"]
        assert plain(dict(instance.children)["uuid"]) == db01
        await pilot.press("colon")
        printed = await command(pilot, app, 'p instance["display_name"]')
        assert printed == ['(Pdb) p instance["display_name"]', "'db-01'"]
        listed = await command(pilot, app, "b")
        assert "(hit 1 time)" in listed[1]


async def test_p_says_what_was_not_recorded_and_pdb_errors_are_one_line(detail):
    app = TraceApp(detail, start=detail.find_calls("ViewBuilder.show")[0])
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("p")
        assert app.query_one("#pdb-input", Input).value == "p "
        missing = (await command(pilot, app, "p nothing"))[1]
        assert missing == "*** NameError: name 'nothing' is not defined in this frame"
        assert (await command(pilot, app, "p instance['no such key']"))[1] == "*** KeyError: 'no such key'"
        assert (await command(pilot, app, "p instance.keys()"))[1].startswith("*** only names")
        assert "a secret is never recorded" in (await command(pilot, app, "p request.headers['X-Auth-Token']"))[1]


async def test_w_l_and_L_print_where_list_and_longlist(detail):
    show = detail.find_calls("ViewBuilder.show")[0]
    app = TraceApp(detail, start=show)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("w")
        answer = app.query_one(PdbLine).answers
        expected = [f"{'>' if frame == show else ' '} {detail.code(frame).filename}({detail.line_at(show, frame)})"
                    f"{detail.code(frame).name}()" for frame in detail.stack(show)]
        assert [line for line in answer if line[:2] in ("> ", "  ")] == expected
        await pilot.press("escape", "l")
        listed = app.query_one(PdbLine).answers[len(answer):]
        assert listed[0] == "(Pdb) l" and len(listed) == 12
        assert any("->" in line and "def show" in line for line in listed)
        await pilot.press("escape", "L")
        longlisted = app.query_one(PdbLine).answers[len(answer) + len(listed):]
        source = detail.source_lines(detail.code(show).filename)
        assert longlisted[1].endswith(source[detail.code(show).firstlineno - 1].rstrip())
        assert longlisted[-1].split(None, 1)[0].isdigit() and len(longlisted) > len(listed)


async def test_keys_that_cannot_act_say_why_and_search_says_what_it_matched(detail):
    app = TraceApp(detail)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("u")
        assert app.query_one(PdbLine).status == "already at the outermost frame (the first one recorded)"
        await pilot.press("S")
        assert "at the first event" in app.query_one(PdbLine).status
        await pilot.press("s")
        assert app.query_one(PdbLine).status == ""
        await pilot.press("slash")
        app.query_one("#search", Input).value = "db-01"
        await pilot.press("enter")
        status = app.query_one(PdbLine).status
        matches = app.cursor.matches("db-01")
        assert status.startswith(f"match 1 of {len(matches)}: value ") and "'db-01'" in status
        await pilot.press("slash")
        app.query_one("#search", Input).value = "url_join"
        await pilot.press("enter")
        assert app.query_one(PdbLine).status.startswith("match 1 of ") and "function url_join" in \
            app.query_one(PdbLine).status
