"""Request-body schema of ``POST /os-keypairs`` at microversion 2.1."""

from __future__ import annotations

from sample_api.api.validation import parameter_types

create = {
    "type": "object",
    "properties": {
        "keypair": {
            "type": "object",
            "properties": {
                "name": parameter_types.name,
                "public_key": {"type": "string"},
            },
            "required": ["name"],
            "additionalProperties": False,
        },
    },
    "required": ["keypair"],
    "additionalProperties": False,
}
