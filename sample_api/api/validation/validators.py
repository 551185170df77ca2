"""Turn a jsonschema failure into Nova's one-line 400 message.

jsonschema reports *where* the body went wrong (``error.path``) and *why*
(``error.message``); Nova folds both into
"Invalid input for field/attribute <field>. Value: <value>. <why>".
"""

from __future__ import annotations

import re
import unicodedata
import uuid

import jsonschema

from sample_api import exception

_FORMAT_CHECKER = jsonschema.FormatChecker()


@_FORMAT_CHECKER.checks("name")
def _validate_name_format(instance: object) -> bool:
    """Nova's "name" format: printable characters only (no control, format, private-use or unassigned ones,
    no line or paragraph separators), and no whitespace at either end."""
    if not isinstance(instance, str):
        return True  # "type" reports non-strings
    if instance != instance.strip():
        return False
    for char in instance:
        category = unicodedata.category(char)
        if category.startswith("C") or (category.startswith("Z") and category != "Zs"):
            return False
    return True


@_FORMAT_CHECKER.checks("uuid")
def _validate_uuid_format(instance: object) -> bool:
    """Nova's "uuid" format: any string the uuid module can parse."""
    if not isinstance(instance, str):
        return True  # "type" reports non-strings
    try:
        uuid.UUID(instance)
    except ValueError:
        return False
    return True


#: Fields whose value a 400 message never repeats.
SECRET_FIELD = re.compile(r"(?i)pass(word)?$|secret|private_key|token")


class _SchemaValidator:
    """Validate one body against one schema (Draft 4, as Nova uses)."""

    validator_class = jsonschema.Draft4Validator

    def __init__(self, schema: dict) -> None:
        self.validator = self.validator_class(schema, format_checker=_FORMAT_CHECKER)

    def validate(self, body: object) -> None:
        """Raise ``ValidationError`` with Nova's wording for the first problem found."""
        try:
            self.validator.validate(body)
        except jsonschema.ValidationError as ex:
            if any(isinstance(part, str) and SECRET_FIELD.search(part) for part in ex.path):
                # Nova's wording, without echoing a password back (it would land in logs and traces)
                message = ex.message.replace(repr(ex.instance), "***")
                detail = f"Invalid input for field/attribute {ex.path[-1]}. Value: ***. {message}"
            elif len(ex.path) > 0:
                detail = (
                    f"Invalid input for field/attribute {ex.path[-1]}. "
                    f"Value: {ex.instance}. {ex.message}"
                )
            else:
                detail = ex.message
            raise exception.ValidationError(detail=detail) from None
