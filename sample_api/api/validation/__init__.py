"""Request-body validation with JSON Schema, as ``nova.api.validation``.

A controller method declares the body it accepts::

    @validation.schema(schema_servers.create)
    def create(self, req, body): ...

and a bad body never reaches the method: the wrapper raises
``exception.ValidationError``, which the resource layer answers with a 400.
A schema may hold for a range of microversions only (``schema(create_v219,
"2.19")``): stacked, each decorator checks the requests of its own range.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from sample_api.api.openstack import api_version_request
from sample_api.api.validation import validators


def schema(request_body_schema: dict, min_version: str | None = None, max_version: str | None = None) -> Callable:
    """Validate the ``body`` keyword argument against ``request_body_schema`` before the call, for requests
    whose microversion is within [min_version, max_version] (every request when neither is given)."""
    low = api_version_request.APIVersionRequest(min_version) if min_version else None
    high = api_version_request.APIVersionRequest(max_version) if max_version else None

    def add_validator(func: Callable) -> Callable:
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            if low is not None or high is not None:
                req = kwargs["req"] if "req" in kwargs else args[1]
                null = api_version_request.APIVersionRequest()
                if not req.api_version_request.matches(low or null, high or null):
                    return func(*args, **kwargs)
            validators._SchemaValidator(request_body_schema).validate(kwargs.get("body"))
            return func(*args, **kwargs)

        return wrapper

    return add_validator
