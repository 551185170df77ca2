"""The one clock of the API, shaped like ``oslo_utils.timeutils`` (which Nova calls for every timestamp).

Every row's ``created_at`` and every token's ``issued_at`` come from :func:`utcnow`. Nova's own tests
freeze it with ``set_time_override``; tracer does the same when it re-runs a recorded request, so that
the re-run sees the very instant the request saw.
"""

from __future__ import annotations

from datetime import datetime, timezone

_override: datetime | None = None


def utcnow(with_timezone: bool = False) -> datetime:
    """Now in UTC (naive unless ``with_timezone``), or the overridden instant."""
    now = _override if _override is not None else datetime.now(timezone.utc)
    return now if with_timezone else now.replace(tzinfo=None)


def set_time_override(instant: datetime) -> None:
    """Freeze :func:`utcnow` at ``instant`` (an aware datetime; a naive one is taken as UTC)."""
    global _override
    _override = instant if instant.tzinfo is not None else instant.replace(tzinfo=timezone.utc)


def clear_time_override() -> None:
    """Let :func:`utcnow` follow the real clock again."""
    global _override
    _override = None
