"""The route explainer, printed: the routes tried in order, the one that matched, and the near misses."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Console, ConsoleOptions, RenderResult
from rich.text import Text

from tracer.render.theme import DIM, NAME, status_style

if TYPE_CHECKING:
    from tracer.targets.routing import RouteExplanation, RouteTry

MARKS = {"matched": ("✓", "green"), "shadowed": ("≈", "yellow"), "method": ("✗", "red"), "path": ("✗", "dim")}


def route_line(route: RouteTry) -> Text:
    """``#13  PUT /servers/:(id)  → ServersController.update(id='detail')``."""
    mark, style = MARKS.get(route.outcome, ("?", ""))
    methods = "|".join(route.methods) or "ANY"
    text = Text(f"{mark} #{route.index:<3} ", style=style)
    text.append(f"{methods:<6} {route.pattern}", style=NAME if route.outcome == "matched" else "")
    bound = ", ".join(f"{k}={v!r}" for k, v in route.variables.items())
    text.append(f"  → {route.controller}.{route.action}({bound})", style=DIM if route.outcome == "path" else "")
    return text


class RouteReport:
    """``tracer route METHOD PATH``."""

    def __init__(self, explanation: RouteExplanation, show_all: bool = False) -> None:
        self.explanation = explanation
        self.show_all = show_all

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        e = self.explanation
        yield Text(f"{e.method} {e.script_name}{e.path}", style=NAME)
        moved = f"The layers in front moved {e.script_name} into SCRIPT_NAME; the" if e.script_name else "The"
        yield Text(f"{moved} router matches PATH_INFO {e.path!r} against its {len(e.tried)} routes, in the order "
                   "they were connected, and takes the first whose pattern and conditions match.", style=DIM)
        yield Text("")
        if e.winner is None:
            yield Text(f"No route matched (all {len(e.tried)} tried): the router answers 404 itself, before any "
                       "controller.", style="bold red")
        else:
            w = e.winner
            yield Text(f"Matched route #{w.index} (tried {w.index + 1} of {len(e.tried)}):", style=NAME)
            yield Text("  ") + route_line(w)
            name = f"named {w.name!r}, " if w.name else ""
            methods = f"method {' or '.join(w.methods)}" if w.methods else "any method"
            yield Text(f"  {name}conditions: {methods}; pattern {w.pattern}")
            bound = ", ".join(f"{k}={v!r}" for k, v in w.variables.items()) or "nothing"
            yield Text(f"  binds {bound}; the router dispatches to {w.controller}.{w.action} with it")
        shown = e.tried[: (e.winner.index + 1 if e.winner else len(e.tried))] if self.show_all else e.near_misses
        title = "Every route tried:" if self.show_all else "Near misses:"
        if shown:
            yield Text("")
            yield Text(title, style=NAME)
            for route in shown:
                yield Text("  ") + route_line(route)
                if route.reason:
                    yield Text(f"      {route.reason}", style=DIM)
        yield Text("")
        code = int(e.status.split()[0]) if e.status[:3].isdigit() else 0
        answer = Text("The app answered ")
        answer.append(e.status, style=status_style(code))
        if e.answer:
            answer.append(f": {e.answer}")
        yield answer
        if e.winner is not None and code == 400:
            yield Text("  A route matched, so this is not the router's 404: the code behind the route refused the"
                       " request.", style=DIM)
