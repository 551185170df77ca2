"""Request-body schemas of the servers resource at microversion 2.1.

In Kilo each extension (keypairs, multiple-create, availability-zone ...)
added its own properties to ``create``; they are listed in one place here.
"""

from __future__ import annotations

import copy

from sample_api.api.validation import parameter_types

create = {
    "type": "object",
    "properties": {
        "server": {
            "type": "object",
            "properties": {
                "name": parameter_types.name,
                "imageRef": parameter_types.image_ref,
                "flavorRef": parameter_types.flavor_ref,
                "adminPass": parameter_types.admin_password,
                "metadata": parameter_types.metadata,
                "networks": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {
                            "fixed_ip": parameter_types.ip_address,
                            "port": {"oneOf": [{"type": "string", "format": "uuid"}, {"type": "null"}]},
                            "uuid": {"type": "string"},
                        },
                        "additionalProperties": False,
                    },
                },
                # From Kilo's extensions: keypairs, multiple_create, availability_zone,
                # access_ips, disk_config, config_drive, security_groups, user_data.
                "key_name": parameter_types.name,
                "min_count": parameter_types.positive_integer,
                "max_count": parameter_types.positive_integer,
                "return_reservation_id": parameter_types.boolean,
                "availability_zone": {"type": "string", "minLength": 1, "maxLength": 255},
                "accessIPv4": parameter_types.accessIPv4,
                "accessIPv6": parameter_types.accessIPv6,
                "OS-DCF:diskConfig": {"type": "string", "enum": ["AUTO", "MANUAL"]},
                "config_drive": parameter_types.boolean,
                "security_groups": {
                    "type": "array",
                    "items": {"type": "object", "properties": {"name": {"type": "string"}}},
                },
                "user_data": {"type": "string"},
            },
            "required": ["name", "flavorRef"],
            "additionalProperties": False,
        },
    },
    "required": ["server"],
    "additionalProperties": False,
}

#: At 2.1 a server can only be renamed through PUT.
update = {
    "type": "object",
    "properties": {
        "server": {
            "type": "object",
            "properties": {"name": parameter_types.name},
            "additionalProperties": False,
        },
    },
    "required": ["server"],
    "additionalProperties": False,
}

reboot = {
    "type": "object",
    "properties": {
        "reboot": {
            "type": "object",
            "properties": {
                "type": {"enum": ["HARD", "Hard", "hard", "SOFT", "Soft", "soft"]},
            },
            "required": ["type"],
            "additionalProperties": False,
        },
    },
    "required": ["reboot"],
    "additionalProperties": False,
}

#: ``{"rebuild": {...}}``: a new image, and optionally a new name, password, metadata, addresses and disk config.
rebuild = {
    "type": "object",
    "properties": {
        "rebuild": {
            "type": "object",
            "properties": {
                "name": parameter_types.name,
                "imageRef": parameter_types.image_ref,
                "adminPass": parameter_types.admin_password,
                "metadata": parameter_types.metadata,
                "preserve_ephemeral": parameter_types.boolean,
                "accessIPv4": parameter_types.accessIPv4,
                "accessIPv6": parameter_types.accessIPv6,
                "OS-DCF:diskConfig": {"type": "string", "enum": ["AUTO", "MANUAL"]},
            },
            "required": ["imageRef"],
            "additionalProperties": False,
        },
    },
    "required": ["rebuild"],
    "additionalProperties": False,
}

#: 2.19: a server has a description (up to 255 characters, or null), given on create, update and rebuild.
description = {"type": ["string", "null"], "maxLength": 255}
create_v219 = copy.deepcopy(create)
create_v219["properties"]["server"]["properties"]["description"] = description
update_v219 = copy.deepcopy(update)
update_v219["properties"]["server"]["properties"]["description"] = description
rebuild_v219 = copy.deepcopy(rebuild)
rebuild_v219["properties"]["rebuild"]["properties"]["description"] = description
