"""The ``sizelimit`` filter: refuse request bodies over ``CONF.max_request_body_size``.

A declared ``Content-Length`` that is too big is refused at once; a chunked
body (no length) is wrapped in a ``LimitingReader`` that fails as soon as
too many bytes have been read. Both answer a plain webob 413, not a Fault.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import webob.dec
import webob.exc

from sample_api import wsgi as base_wsgi
from sample_api.conf import CONF

TOO_LARGE = "Request is too large."


class LimitingReader:
    """A file-like body that raises 413 once more than ``limit`` bytes were read."""

    def __init__(self, data: Any, limit: int) -> None:
        self.data = data
        self.limit = limit
        self.bytes_read = 0

    def _count(self, chunk: bytes) -> bytes:
        self.bytes_read += len(chunk)
        if self.bytes_read > self.limit:
            raise webob.exc.HTTPRequestEntityTooLarge(explanation=TOO_LARGE)
        return chunk

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self.data:
            yield self._count(chunk)

    def read(self, size: int | None = -1) -> bytes:
        if size is None or size < 0:
            # Never ask the socket for "everything": one byte over the limit is enough.
            size = self.limit - self.bytes_read + 1
        return self._count(self.data.read(size))


class RequestBodySizeLimiter(base_wsgi.Middleware):
    """Limit the size of request bodies (Nova's ``osapi_max_request_body_size``)."""

    @webob.dec.wsgify(RequestClass=base_wsgi.Request)
    def __call__(self, req: base_wsgi.Request) -> Any:
        limit = CONF.max_request_body_size
        if req.content_length is not None and req.content_length > limit:
            raise webob.exc.HTTPRequestEntityTooLarge(explanation=TOO_LARGE)
        if req.content_length is None and req.is_body_readable:
            req.body_file = LimitingReader(req.body_file_raw, limit)
        return self.application
