"""What the TUI tests share for driving the app with the Pilot."""

from __future__ import annotations

from tracer.tui.app import TraceApp


async def wait_until_drawn_ahead(app: TraceApp, pilot, start: bool = True) -> None:
    """Until the app has drawn ahead (started here when ``start``), failing after 5 s."""
    if start:
        app.draw_ahead()
    for _ in range(500):
        if app.drawn_ahead:
            return
        await pilot.pause(0.01)
    raise AssertionError("drawing ahead did not finish in 5 s")
