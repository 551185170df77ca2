"""Hold Python's garbage collector while any request is being recorded.

The recorder allocates many small objects while a request runs; a garbage collection in the middle would be
charged to the request. Collection waits until no request is being recorded, then runs as it was set to.
"""

from __future__ import annotations

import gc
import threading

_gc_lock = threading.Lock()
_gc_holders = 0
_gc_was_enabled = True


def hold_gc() -> None:
    """One more request is being recorded: no collection until ``release_gc`` is called as often."""
    global _gc_holders, _gc_was_enabled
    with _gc_lock:
        if _gc_holders == 0:
            _gc_was_enabled = gc.isenabled()
            gc.disable()
        _gc_holders += 1


def release_gc() -> None:
    """A request's recording ended; the last one out lets the collector run again (if it was on)."""
    global _gc_holders
    with _gc_lock:
        _gc_holders -= 1
        if _gc_holders == 0 and _gc_was_enabled:
            gc.enable()
