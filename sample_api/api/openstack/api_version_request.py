"""Microversions: which version of the compute API a request asks for.

Nova grew from 2.1 to 2.9x one microversion at a time; this miniature API
goes up to 2.19 (Liberty's newest and Mitaka's), each version the change Nova
made at it where sample_api has the resource it touches:

- 2.2: key pairs have a ``type`` (``ssh`` or ``x509``); create answers 201, delete 204.
- 2.3: admins see more ``OS-EXT-SRV-ATTR:`` keys on servers (reservation id, launch
  index, hostname, kernel and ramdisk ids, root device name, user data).
- 2.9: servers show ``locked``.
- 2.10: an admin may name another user's key pairs (``user_id`` in create's
  body, ``?user_id=`` on list, show and delete).
- 2.16: servers show ``host_status`` to whom policy allows (admins).
- 2.19: servers have a ``description``, set on create, update and rebuild, shown by show and detail
  (and in the answers of update and rebuild).

The other versions up to 2.19 change resources this API does not have, so they
are accepted and change nothing here. The parsing and the range check are
Nova's, so a learner can see why ``3.0`` answers 406 and ``two`` answers 400.
"""

from __future__ import annotations

import functools
import re

from sample_api import exception

#: The oldest and newest microversion this API speaks.
_MIN_API_VERSION = "2.1"
_MAX_API_VERSION = "2.19"
DEFAULT_API_VERSION = _MIN_API_VERSION

#: ``MAJOR.MINOR`` with no leading zeros (``2.01`` is not a version).
VERSION_RE = re.compile(r"^([1-9]\d*)\.([1-9]\d*|0)$")


def min_api_version() -> APIVersionRequest:
    return APIVersionRequest(_MIN_API_VERSION)


def max_api_version() -> APIVersionRequest:
    return APIVersionRequest(_MAX_API_VERSION)


@functools.total_ordering
class APIVersionRequest:
    """One parsed microversion; ``APIVersionRequest()`` is the null version 0.0."""

    def __init__(self, version_string: str | None = None) -> None:
        self.ver_major = 0
        self.ver_minor = 0
        if version_string is not None:
            match = VERSION_RE.match(version_string)
            if not match:
                raise exception.InvalidAPIVersionString(version=version_string)
            try:
                self.ver_major = int(match.group(1))
                self.ver_minor = int(match.group(2))
            except ValueError:  # more digits than Python converts: no version is that long
                raise exception.InvalidAPIVersionString(version=version_string) from None

    def __repr__(self) -> str:
        return f"API Version Request Major: {self.ver_major}, Minor: {self.ver_minor}"

    def is_null(self) -> bool:
        """True until ``Request.set_api_version_request`` has parsed the headers."""
        return self.ver_major == 0 and self.ver_minor == 0

    def _key(self) -> tuple[int, int]:
        return (self.ver_major, self.ver_minor)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, APIVersionRequest):
            return NotImplemented
        return self._key() == other._key()

    def __lt__(self, other: APIVersionRequest) -> bool:
        if not isinstance(other, APIVersionRequest):
            return NotImplemented
        return self._key() < other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def matches(self, min_version: APIVersionRequest, max_version: APIVersionRequest) -> bool:
        """Is this version within [min_version, max_version]? A null bound is open."""
        if self.is_null():
            raise ValueError("a null version matches nothing")
        if max_version.is_null() and min_version.is_null():
            return True
        if max_version.is_null():
            return min_version <= self
        if min_version.is_null():
            return self <= max_version
        return min_version <= self <= max_version

    def get_string(self) -> str:
        """``"2.1"``: the form that goes back to the client in the response headers."""
        if self.is_null():
            raise ValueError("the null version has no string form")
        return f"{self.ver_major}.{self.ver_minor}"


def is_supported(req, min_version: str = _MIN_API_VERSION, max_version: str | None = None) -> bool:
    """Does the request's version fall in [min_version, max_version]? How a view builder or an
    extension changes one key at one version, where a whole method would be too much."""
    upper = APIVersionRequest(max_version) if max_version else APIVersionRequest()
    return req.api_version_request.matches(APIVersionRequest(min_version), upper)
