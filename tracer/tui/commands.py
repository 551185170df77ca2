"""``g``: go to a hop by name through Textual's command palette."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from textual.command import DiscoveryHit, Hit, Hits, Provider

if TYPE_CHECKING:
    from tracer.tui.app import TraceApp


class HopProvider(Provider):
    """One entry per recorded function, in the order of their first call; choosing one goes to its
    next call after the current event (again: the one after that)."""

    def _hops(self) -> list[tuple[str, str, int]]:
        app: TraceApp = self.app  # type: ignore[assignment]
        trace = app.trace
        seen: dict[int, int] = {}
        for call in trace.calls:
            code_id = trace.code_ids[call]
            seen[code_id] = seen.get(code_id, 0) + 1
        hops = []
        for code_id, count in seen.items():
            code = trace.codes[code_id]
            calls = "1 call" if count == 1 else f"{count} calls"
            hops.append((code.qualname, f"{code.layer} · {code.filename} · {calls}", code_id))
        return hops

    async def discover(self) -> Hits:
        app: TraceApp = self.app  # type: ignore[assignment]
        for name, help_text, code_id in self._hops():
            yield DiscoveryHit(name, partial(app.goto_function, code_id), help=help_text)

    async def search(self, query: str) -> Hits:
        app: TraceApp = self.app  # type: ignore[assignment]
        matcher = self.matcher(query)
        for name, help_text, code_id in self._hops():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), partial(app.goto_function, code_id), help=help_text)
