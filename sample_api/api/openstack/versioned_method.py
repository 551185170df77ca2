"""One version of a controller method: its name, the range of microversions it serves, and the function."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sample_api.api.openstack.api_version_request import APIVersionRequest


@dataclass(frozen=True)
class VersionedMethod:
    """``@wsgi.Controller.api_version("2.2", "2.9")`` makes one of these; a null end is open."""

    name: str
    start_version: APIVersionRequest
    end_version: APIVersionRequest
    func: Callable

    def __str__(self) -> str:
        end = "" if self.end_version.is_null() else self.end_version.get_string()
        return f"Version Method {self.name}: min: {self.start_version.get_string()}, max: {end}"
