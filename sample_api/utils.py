"""Small helpers of the command line, shared with tracer's own ``tracer serve``.

Kept apart from ``sample_api.cmd`` so that importing them does not load the API (webob, routes).
"""

from __future__ import annotations

import argparse
import ipaddress
from typing import Any


class Stop(Exception):
    """Raised in the main thread by the SIGTERM handler."""


def raise_stop(signum: int, frame: Any) -> None:
    """A SIGTERM handler: stop the way Ctrl-C does."""
    raise Stop()


def port_number(value: str) -> int:
    """argparse type: a TCP port, 0 for a free one."""
    try:
        port = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid port {value!r}: not a number") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"invalid port {value}: must be 0..65535 (0 picks a free one)")
    return port


def positive_int(value: str) -> int:
    """argparse type: a whole number of 1 or more."""
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid number {value!r}") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {number}")
    return number


def is_loopback(host: str) -> bool:
    """True for 127.0.0.0/8, ::1 and ``localhost``: only this machine can connect."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
