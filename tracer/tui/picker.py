"""``tracer tui --store DIR``: pick a recorded request, newest first, while ``tracer serve`` adds more.

A small Textual app over :class:`~tracer.store.traces.TraceStore`: one ``DataTable`` whose rows are the
store's summary columns (never a trace document), refreshed on a timer with only the rows newer
than the newest shown, and trimmed when the store prunes old ones. Choosing a row ends the app
with that trace id; ``tracer tui`` then hands the loaded trace to ``run_tui`` and comes back here.
"""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Footer, Static

from tracer.store.traces import StoreError, TraceStore, TraceSummary

#: Seconds between looks at the store for new traces.
REFRESH_SECONDS = 1.0
#: The most rows the picker keeps (the newest).
MAX_ROWS = 2_000
COLUMNS = ("id", "time", "user", "method", "path", "status", "ms", "hops")


def row_cells(row: TraceSummary) -> tuple:
    """The table cells of one stored request (the id stays an int so that sorting is numeric)."""
    from tracer.render.theme import format_time

    style = "green" if row.status < 400 else "yellow" if row.status < 500 else "red"
    return (
        row.id,
        format_time(row.recorded_at)[11:],
        f"{row.user}:{row.project}" if row.user else "-",
        row.method,
        row.path,
        f"[{style}]{row.status}[/]",
        f"{row.duration_us / 1000:.1f}",
        "-" if row.hops is None else row.hops,  # None: kept as a recipe, its trace is built when opened
    )


class PickerApp(App[int | None]):
    """Lists the store's requests newest first; Enter returns the chosen trace id, q returns None."""

    TITLE = "tracer: recorded requests"
    CSS = """
    #status { height: 1; padding: 0 1; background: $panel; }
    DataTable { height: 1fr; }
    """
    BINDINGS = [
        Binding("q", "quit_picker", "quit"),
        Binding("escape", "quit_picker", "quit", show=False),
        Binding("enter", "choose", "replay"),
    ]

    def __init__(self, store: TraceStore, selected: int | None = None,
                 refresh_seconds: float = REFRESH_SECONDS) -> None:
        super().__init__()
        self.store = store
        self.selected = selected
        self.refresh_seconds = refresh_seconds
        self.newest: int | None = None
        self.shown: set[int] = set()
        #: rows shown without hops: requests kept as recipes, whose traces the server builds when idle
        self.unbuilt: set[int] = set()

    def compose(self) -> ComposeResult:
        yield Static(id="status")
        yield DataTable(cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for name in COLUMNS:
            table.add_column(name, key=name)
        self.refresh_rows()
        if self.selected is not None and str(self.selected) in table.rows:
            table.move_cursor(row=table.get_row_index(str(self.selected)))
        table.focus()
        self.set_interval(self.refresh_seconds, self.refresh_rows)

    def refresh_rows(self) -> None:
        """Add the traces stored since the last look (on top), drop the ones the store pruned."""
        table = self.query_one(DataTable)
        try:
            new_rows = self.store.list(last=MAX_ROWS, after=self.newest)
            oldest = self.store.oldest_id()
        except StoreError as exc:
            self.query_one("#status", Static).update(f"[red]{exc}[/]")
            return
        if new_rows:
            # At the top, the cursor follows the newest request (like tail -f); elsewhere it keeps its row.
            current = None
            if table.row_count and table.cursor_row > 0:
                current = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
            for row in reversed(new_rows):
                table.add_row(*row_cells(row), key=str(row.id))
                self.shown.add(row.id)
                if row.hops is None:
                    self.unbuilt.add(row.id)
            self.newest = new_rows[0].id
            table.sort("id", reverse=True)
            table.move_cursor(row=table.get_row_index(current) if current is not None else 0)
        if oldest is None:  # the store was emptied
            oldest = (self.newest or 0) + 1
        gone = {tid for tid in self.shown if tid < oldest}
        keep = sorted(self.shown - gone)
        if len(keep) > MAX_ROWS:
            gone.update(keep[:-MAX_ROWS])
        for tid in gone:
            table.remove_row(str(tid))
            self.shown.discard(tid)
            self.unbuilt.discard(tid)
        if self.unbuilt:
            self.fill_in_built()
        self.query_one("#status", Static).update(
            f"{len(self.shown)} requests in {self.store.dir} (new ones appear as tracer serve records them); "
            "Enter replays, q quits" if self.shown else
            f"no requests yet in {self.store.dir}: send some to tracer serve, they appear here"
        )

    def fill_in_built(self) -> None:
        """Show the hops of the rows whose traces were built since they were listed."""
        table = self.query_one(DataTable)
        try:
            rows = self.store.list(last=MAX_ROWS, after=min(self.unbuilt) - 1)
        except StoreError:
            return
        for row in rows:
            if row.id in self.unbuilt and row.hops is not None:
                table.update_cell(str(row.id), "hops", row.hops)
                self.unbuilt.discard(row.id)

    def action_choose(self) -> None:
        table = self.query_one(DataTable)
        if table.row_count:
            key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
            self.exit(int(key.value))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.exit(int(event.row_key.value))

    def action_quit_picker(self) -> None:
        self.exit(None)


def pick(store: TraceStore, selected: int | None = None) -> int | None:
    """Run the picker full-screen; the chosen trace id, or None when the user quit."""
    return PickerApp(store, selected=selected).run()
