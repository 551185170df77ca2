"""The request picker of ``tracer tui --store``: newest first, updates while traces arrive, Enter chooses."""

from __future__ import annotations

from textual.widgets import DataTable

from tests.tracer.nova_fixture import record_doc
from tracer.store.traces import TraceStore
from tracer.targets.recipes import InProcessBuilder
from tracer.tui.picker import PickerApp

SIZE = (120, 30)


def ids_shown(app: PickerApp) -> list[int]:
    table = app.query_one(DataTable)
    return [table.get_row_at(i)[0] for i in range(table.row_count)]


async def test_lists_newest_first_and_picks_up_new_traces(tmp_path):
    store = TraceStore(tmp_path, max_traces=4, builder=InProcessBuilder())
    for path in ("/v2.1/servers/a", "/v2.1/servers/b", "/v2.1/servers/c"):
        store.add(record_doc(path))
    app = PickerApp(store, refresh_seconds=0.1)
    async with app.run_test(size=SIZE) as pilot:
        assert ids_shown(app) == [3, 2, 1]
        assert app.query_one(DataTable).get_row_at(0)[4] == "/v2.1/servers/c"
        store.add(record_doc("/v2.1/servers/d"))
        store.add(record_doc("/v2.1/servers/e"))  # max_traces=4: trace 1 is pruned
        await pilot.pause(0.4)
        assert ids_shown(app) == [5, 4, 3, 2]
        await pilot.press("down", "enter")
    assert app.return_value == 4
    store.close()


async def test_keeps_the_cursor_on_its_row_and_q_quits(tmp_path):
    store = TraceStore(tmp_path, builder=InProcessBuilder())
    for _ in range(3):
        store.add(record_doc())
    app = PickerApp(store, selected=2, refresh_seconds=0.1)
    async with app.run_test(size=SIZE) as pilot:
        table = app.query_one(DataTable)
        assert table.get_row_at(table.cursor_row)[0] == 2
        store.add(record_doc())
        await pilot.pause(0.4)
        assert ids_shown(app)[0] == 4
        assert table.get_row_at(table.cursor_row)[0] == 2  # a new row on top does not move the choice
        await pilot.press("q")
    assert app.return_value is None
    store.close()


async def test_an_empty_store_says_so(tmp_path):
    store = TraceStore(tmp_path, builder=InProcessBuilder())
    app = PickerApp(store, refresh_seconds=0.1)
    async with app.run_test(size=SIZE) as pilot:
        assert ids_shown(app) == []
        status = str(app.query_one("#status").render())
        assert "no requests yet" in status
        store.add(record_doc())
        await pilot.pause(0.4)
        assert ids_shown(app) == [1]
        await pilot.press("enter")
    assert app.return_value == 1
    store.close()


async def test_a_request_kept_as_its_recipe_shows_its_hops_once_its_trace_is_built(tmp_path):
    from tests.tracer.nova_fixture import served_recipe

    recipe = served_recipe("/flavors")
    store = TraceStore(tmp_path, builder=InProcessBuilder())
    store.add(record_doc())
    tid = store.add_recipe(recipe)
    app = PickerApp(store, refresh_seconds=0.1)
    async with app.run_test(size=SIZE) as pilot:
        table = app.query_one(DataTable)
        assert table.get_row_at(0)[0] == tid and table.get_row_at(0)[7] == "-"
        hops = len(store.load(tid).calls)  # what the server does when idle (or tracer show, elsewhere)
        for _ in range(100):  # the table refreshes every 0.1 s: within 5 s even on a busy machine
            await pilot.pause(0.05)
            if table.get_row_at(0)[7] != "-":
                break
        assert table.get_row_at(0)[7] == hops > 0
        assert table.get_row_at(1)[7] > 0
    store.close()
