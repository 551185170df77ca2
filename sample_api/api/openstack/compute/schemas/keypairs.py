"""Request-body schemas of ``POST /os-keypairs``: at microversion 2.1, from 2.2 with the key's ``type``, and from
2.10 with the ``user_id`` it is for."""

from __future__ import annotations

import copy

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

create_v22 = copy.deepcopy(create)
create_v22["properties"]["keypair"]["properties"]["type"] = {"type": "string", "enum": ["ssh", "x509"]}

#: 2.10: an admin may create (or import) a key pair for another user.
create_v210 = copy.deepcopy(create_v22)
create_v210["properties"]["keypair"]["properties"]["user_id"] = {"type": "string"}
