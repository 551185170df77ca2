"""The one clock of the API, shaped like ``oslo_utils.timeutils`` (which Nova calls for every timestamp).

Every row's ``created_at`` and every token's ``issued_at`` come from :func:`utcnow`. Nova's own tests
freeze it with ``set_time_override``; tracer does the same when it re-runs a recorded request, so that
the re-run sees the very instant the request saw.
"""

from __future__ import annotations

import contextvars
from datetime import UTC, datetime

#: the frozen instant of this thread or green thread, if any
_override: contextvars.ContextVar[datetime | None] = contextvars.ContextVar("sample_api_time_override", default=None)


def utcnow(with_timezone: bool = False) -> datetime:
    """Now in UTC (naive unless ``with_timezone``), or the overridden instant."""
    now = _override.get() or datetime.now(UTC)
    return now if with_timezone else now.replace(tzinfo=None)


def set_time_override(instant: datetime) -> None:
    """Freeze :func:`utcnow` at ``instant`` (aware; a naive one is taken as UTC) for this thread or green thread.

    oslo's override is process-wide; this one stays in the context that set it, so a request re-run on a
    frozen clock never freezes the clock of a live request beside it.
    """
    _override.set(instant if instant.tzinfo is not None else instant.replace(tzinfo=UTC))


def clear_time_override() -> None:
    """Let :func:`utcnow` follow the real clock again (in this context)."""
    _override.set(None)
