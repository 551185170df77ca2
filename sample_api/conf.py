"""Settings of the miniature API, one global object as Nova's ``CONF``.

Nova reads these from ``nova.conf`` through oslo.config; here they are plain
attributes that ``sample-api serve`` and tests set before loading the app.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent


@dataclass
class Config:
    """The options sample_api understands, with Nova's defaults where Nova has one."""

    #: PasteDeploy file that builds the WSGI pipeline.
    api_paste_config: str = str(PACKAGE_DIR / "api-paste.ini")
    #: SQLite file; ``None`` means a fresh in-memory database seeded with demo data.
    db_path: str | None = None
    #: Modules whose ExtensionDescriptor classes the ExtensionManager loads.
    osapi_compute_extension: list[str] = field(
        default_factory=lambda: ["sample_api.api.openstack.compute.contrib.standard_extensions"]
    )
    #: A folder of extra extension modules (``*.py``), e.g. a learner's workspace.
    extensions_dir: str | None = None
    #: Largest page a list request may ask for (``limit`` is clamped to it).
    osapi_max_limit: int = 1000
    #: Largest request body, in bytes, before the sizelimit filter answers 413.
    max_request_body_size: int = 114688
    #: Per-project quotas, Nova's defaults (``quota_instances``, ``quota_cores``, ``quota_ram`` in MB); -1: no limit.
    quota_instances: int = 10
    quota_cores: int = 20
    quota_ram: int = 51200
    #: Seconds a connection may stay silent while a request is read before the server closes it
    #: (Nova's ``client_socket_timeout`` is 900: a half-sent request would hold a worker for 15 minutes).
    client_socket_timeout: float = 10.0
    #: Where links point; ``None`` means the host of the incoming request.
    osapi_compute_link_prefix: str | None = None


CONF = Config()


def reset() -> Config:
    """Put every option back to its default (used by tests and tracer)."""
    fresh = Config()
    for name in fresh.__dataclass_fields__:
        setattr(CONF, name, getattr(fresh, name))
    return CONF
