"""Reusable pieces of request schemas, as ``nova.api.validation.parameter_types``."""

from __future__ import annotations

#: A resource name (server, key pair ...): 1-255 printable characters, any script or emoji, no leading or
#: trailing whitespace (the "name" format, checked in ``validators``, as Nova has it since Liberty).
name = {
    "type": "string",
    "minLength": 1,
    "maxLength": 255,
    "format": "name",
}

#: What a user may type for true/false (Nova accepts these spellings).
boolean = {
    "type": ["boolean", "string"],
    "enum": [True, "True", "TRUE", "true", "1", "ON", "On", "on", "YES", "Yes", "yes",
             False, "False", "FALSE", "false", "0", "OFF", "Off", "off", "NO", "No", "no"],
}

positive_integer = {"type": ["integer", "string"], "pattern": "^[0-9]*$", "minimum": 1}

#: Server metadata: string keys and values, both at most 255 characters.
metadata = {
    "type": "object",
    "patternProperties": {
        "^[a-zA-Z0-9-_:. ]{1,255}$": {"type": "string", "maxLength": 255},
    },
    "additionalProperties": False,
}

admin_password = {"type": "string"}

image_ref = {"type": "string"}

flavor_ref = {"type": ["string", "integer"], "minLength": 1}

ip_address = {"type": "string", "oneOf": [{"format": "ipv4"}, {"format": "ipv6"}]}

accessIPv4 = {"type": "string", "format": "ipv4"}

accessIPv6 = {"type": "string", "format": "ipv6"}
