"""Request-body validation with JSON Schema, as ``nova.api.validation``.

A controller method declares the body it accepts::

    @validation.schema(schema_servers.create)
    def create(self, req, body): ...

and a bad body never reaches the method: the wrapper raises
``exception.ValidationError``, which the resource layer answers with a 400.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from sample_api.api.validation import validators


def schema(request_body_schema: dict) -> Callable:
    """Validate the ``body`` keyword argument against ``request_body_schema`` before the call."""

    def add_validator(func: Callable) -> Callable:
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            validators._SchemaValidator(request_body_schema).validate(kwargs.get("body"))
            return func(*args, **kwargs)

        return wrapper

    return add_validator
