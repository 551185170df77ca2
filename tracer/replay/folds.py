"""Chains of decorator frames that a reader sees as one hop (Nova's validation wrappers).

Nova 34 runs every API method through about twenty decorators (``expected_errors``, one ``query_schema`` per
accepted query schema, one ``response_body_schema`` per microversion range), each a ``wrapper`` frame calling
the next, between ``Resource.dispatch`` and the controller method. Drawn one frame a row, they push the
controller twenty levels to the right and bury it. The hop tree of ``tracer run`` and the replay's hop pane
both show such a chain as one row that opens on request, and the replay's hop walk (``]``/``[``) steps over
it unless the learner opened it; all three ask this module what a chain is, so they agree.

A chain is never folded when an exception escaped from one of its frames: the exception path stays in sight.
"""

from __future__ import annotations

from dataclasses import dataclass

from tracer.model.trace import Trace
from tracer.replay.exception_path import exception_path

#: The names decorators give the function that replaces the decorated one.
WRAPPER_NAMES = ("wrapper", "wrapped")


def is_decorator_frame(trace: Trace, call: int) -> bool:
    """A wrapper frame of the validation layer (what a chain is made of)."""
    code = trace.code(call)
    return code.layer == "validation" and code.name in WRAPPER_NAMES


def shown_calls(trace: Trace, calls: list[int]) -> list[int]:
    """``calls`` with comprehension frames replaced by the calls made inside them (as the tree draws them)."""
    out: list[int] = []
    for call in calls:
        if trace.code(call).is_inline:
            out.extend(shown_calls(trace, trace.children(call)))
        else:
            out.append(call)
    return out


def shown_children(trace: Trace, call: int) -> list[int]:
    """The calls ``call`` made, as the tree draws them below it."""
    return shown_calls(trace, trace.children(call))


def decorator_chain(trace: Trace, call: int, keep: set[int] | frozenset[int] = frozenset()) -> list[int]:
    """``call`` and the decorator frames it runs the method through, each calling the next, outermost first.

    Followed through the wrapper child with the most events below it (the one that calls the method on; the
    others are the checks beside it). ``[call]`` when there is no chain of at least two frames, or when
    ``call`` is in ``keep`` (the exception path); the chain stops before a frame in ``keep``.
    """
    chain: list[int] = []
    current = call
    while is_decorator_frame(trace, current) and current not in keep:
        chain.append(current)
        inner = [c for c in shown_children(trace, current) if is_decorator_frame(trace, c)]
        if not inner:
            break
        current = max(inner, key=lambda c: trace.end_of.get(c, c) - c)
    return chain if len(chain) > 1 else [call]


def has_decorator_frames(trace: Trace) -> bool:
    """Whether any function of the trace can be part of a chain (cheap: looks at the functions only)."""
    return any(code.layer == "validation" and code.name in WRAPPER_NAMES for code in trace.codes)


def decorator_chains(trace: Trace) -> list[list[int]]:
    """Every chain the hop tree folds, in call order (outermost first inside each).

    The tree is walked from the top as the tree is drawn: a chain found at a call hides the checks beside its
    frames (they are folded with it) and the walk goes on with the calls its last frame made.
    """
    if not has_decorator_frames(trace):
        return []
    keep = exception_path(trace)
    chains: list[list[int]] = []
    top = [call for call in trace.calls if trace.parent.get(call, -1) < 0]
    todo = shown_calls(trace, top)[::-1]  # a stack: the first call on top
    while todo:
        call = todo.pop()
        chain = decorator_chain(trace, call, keep)
        if len(chain) > 1:
            chains.append(chain)
        todo.extend(reversed(shown_children(trace, chain[-1])))
    return chains


@dataclass(frozen=True)
class ChainSummary:
    """What a folded chain's one row says: how many frames, of which decorators, and how many checks it hides."""

    frames: int
    decorators: dict[str, int]  # the decorator's name (``query_schema``) and how many of its frames
    checks: int  # calls the frames made beside the chain (the last frame's own calls are shown below the row)

    def names(self) -> str:
        """``expected_errors, query_schema ×5, response_body_schema ×14``."""
        return ", ".join(f"{name} ×{n}" if n > 1 else name for name, n in self.decorators.items())


def summarize(trace: Trace, chain: list[int]) -> ChainSummary:
    kinds: dict[str, int] = {}
    for call in chain:
        outer = trace.code(call).qualname.split(".<locals>")[0]
        kinds[outer] = kinds.get(outer, 0) + 1
    in_chain = set(chain)
    checks = sum(1 for call in chain[:-1] for child in shown_children(trace, call) if child not in in_chain)
    return ChainSummary(len(chain), kinds, checks)
