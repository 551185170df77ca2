"""Whether a frame that ends is returning or letting an exception escape, read from its bytecode.

A ``return`` trace event whose value is None looks the same for ``return None`` and for an exception leaving
the frame; the instruction the frame stopped on tells them apart.
"""

from __future__ import annotations

import dis
import inspect
from types import FrameType

#: Opcodes a frame leaves by normally; any other opcode under a ``return`` event means an exception escaped.
_NORMAL_EXITS = frozenset(
    dis.opmap[name] for name in ("RETURN_VALUE", "RETURN_CONST", "YIELD_VALUE") if name in dis.opmap
)
YIELD_VALUE = dis.opmap["YIELD_VALUE"]
#: a generator's or coroutine's code: an exception may be thrown into it where it is paused
GENERATOR_FLAGS = inspect.CO_GENERATOR | inspect.CO_COROUTINE | inspect.CO_ASYNC_GENERATOR


def opcode_at(frame: FrameType) -> int:
    """The opcode of the instruction the frame is on (-1 when it cannot be read)."""
    try:
        return frame.f_code.co_code[frame.f_lasti]
    except (IndexError, TypeError):
        return -1


def unwinding(frame: FrameType, thrown_at: int | None = None) -> bool:
    """True when a ``return`` event (whose value is None) is really an exception leaving the frame.

    The last event is not enough: a ``with`` block's ``__exit__`` or a ``finally`` block runs
    recorded code between the exception and the frame's exit. A frame leaves normally only from a
    return or a yield; a re-raise puts the frame back on the instruction that raised, which for an
    exception thrown into a generator is the very yield it was paused on (``thrown_at``).
    """
    op = opcode_at(frame)
    if op not in _NORMAL_EXITS:
        return op != -1
    return op == YIELD_VALUE and thrown_at == frame.f_lasti
