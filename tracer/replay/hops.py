"""Where the hop walk (``]`` and ``[``) stops: the calls that hand a request on through the API layers."""

from __future__ import annotations

from tracer.model.trace import Trace
from tracer.replay.folds import decorator_chains


def _layer_changes(trace: Trace) -> list[int]:
    """Events whose layer differs from the one before's (the hop boundaries), in order."""
    layer_ids: dict[str, int] = {}
    layer_of_code = [layer_ids.setdefault(code.layer, len(layer_ids)) for code in trace.codes]
    layers = [layer_of_code[c] for c in trace.code_ids]
    return [i for i in range(1, len(layers)) if layers[i] != layers[i - 1]]


#: The layers a request passes through on its way to the controller and back: where ``]`` and ``[`` stop.
API_LAYERS = ("middleware", "router", "resource", "extension", "controller", "view")


def hop_stops(trace: Trace) -> list[int]:
    """The calls the hop walk stops at, in order: every call that hands the request on through the API layers.

    A call of a function labelled in an API layer is a hop when it is a WSGI app's ``__call__`` (each
    middleware and router of the paste pipeline) or when the calls it makes reach a function of another API
    layer (``Resource.__call__`` → ``_process_stack`` → ``dispatch`` reach the controller; the controller's
    ``detail`` and ``_get_servers`` reach the view builder). Helpers are skipped: functions whose work stays
    within their own layer (``url_join``, ``isotime``, the request's own methods), constructors and context
    managers (``__init__``, ``__enter__``, ``__exit__``), and comprehensions.
    """
    bits = {layer: 1 << n for n, layer in enumerate(API_LAYERS)}
    code_bit = [bits.get(code.layer, 0) for code in trace.codes]
    reach: dict[int, int] = {}
    parent = trace.parent
    for call in reversed(trace.calls):  # a callee's index is above its caller's: callees are done first
        p = parent.get(call, -1)
        if p >= 0:
            reach[p] = reach.get(p, 0) | reach.get(call, 0) | code_bit[trace.code_ids[call]]
    stops = []
    for call in trace.calls:
        cid = trace.code_ids[call]
        bit = code_bit[cid]
        if not bit:
            continue
        code = trace.codes[cid]
        name = code.name
        if code.is_inline or (name.startswith("__") and name != "__call__"):
            continue
        if name == "__call__" or reach.get(call, 0) & ~bit:
            stops.append(call)
    return stops


class HopWalk:
    """The stops of the hop walk of one replay: the path's hops, plus every frame of the decorator chains the
    learner opened (a chain folded in the hop tree is stepped over, see :mod:`tracer.replay.folds`)."""

    def __init__(self, trace: Trace) -> None:
        self.trace = trace
        self._path = hop_stops(trace)
        self.stops = self._path
        self._chains: dict[int, list[int]] | None = None  # found on first need: most traces are never folded
        self._opened: set[int] = set()

    def chains(self) -> dict[int, list[int]]:
        """The decorator chains of the trace, each by its first frame (see :func:`decorator_chains`)."""
        if self._chains is None:
            self._chains = {chain[0]: chain for chain in decorator_chains(self.trace)}
        return self._chains

    def walk_into_chain(self, first: int, walk_into: bool = True) -> bool:
        """Stop at every frame of the chain starting at call ``first`` (the learner opened its row), or step
        over it again; False when no chain starts there."""
        chains = self.chains()
        if first not in chains:
            return False
        if walk_into:
            self._opened.add(first)
        else:
            self._opened.discard(first)
        frames = {call for start in self._opened for call in chains[start]}
        self.stops = sorted(frames.union(self._path)) if frames else self._path
        return True

    def walks_into(self, first: int) -> bool:
        """Whether the walk stops inside the chain starting at ``first``."""
        return first in self._opened
