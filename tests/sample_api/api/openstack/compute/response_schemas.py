"""JSON Schemas of the 2.1 response bodies, written from docs (nova-api-facts.md), not from our code.

Each object lists its exact keys (``required`` + ``additionalProperties: False``),
so a missing key or a key of a later microversion fails validation.
"""

from __future__ import annotations

import jsonschema

TIME_Z = {"type": "string", "pattern": r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$"}
NULLABLE_USAGE_TIME = {"type": ["string", "null"], "pattern": r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?$"}
UUID = {"type": "string", "pattern": r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"}


def _exact(properties: dict, optional: tuple[str, ...] = ()) -> dict:
    return {
        "type": "object",
        "properties": properties,
        "required": [key for key in properties if key not in optional],
        "additionalProperties": False,
    }


LINK = _exact({"rel": {"enum": ["self", "bookmark", "next"]}, "href": {"type": "string", "pattern": "^http"}})
SELF_AND_BOOKMARK = {
    "type": "array", "minItems": 2, "maxItems": 2, "items": LINK,
}
BOOKMARK_ONLY = {"type": "array", "minItems": 1, "maxItems": 1, "items": LINK}
NEXT_LINKS = {"type": "array", "minItems": 1, "maxItems": 1, "items": LINK}

ADDRESS = _exact({
    "addr": {"type": "string"},
    "version": {"enum": [4, 6]},
    "OS-EXT-IPS:type": {"enum": ["fixed", "floating"]},
    "OS-EXT-IPS-MAC:mac_addr": {"type": "string", "pattern": "^([0-9a-f]{2}:){5}[0-9a-f]{2}$"},
})

_SERVER_CORE = {
    "id": UUID,
    "name": {"type": "string"},
    "status": {"enum": ["ACTIVE", "BUILD", "SHUTOFF", "PAUSED", "ERROR", "REBOOT", "HARD_REBOOT", "SUSPENDED",
                        "RESCUE", "DELETED", "VERIFY_RESIZE", "RESIZE", "MIGRATING", "REBUILD"]},
    "tenant_id": {"type": "string"},
    "user_id": {"type": "string"},
    "metadata": {"type": "object", "additionalProperties": {"type": "string"}},
    "hostId": {"type": "string"},
    "image": {"oneOf": [{"const": ""}, _exact({"id": UUID, "links": BOOKMARK_ONLY})]},
    "flavor": _exact({"id": {"type": "string"}, "links": BOOKMARK_ONLY}),
    "created": TIME_Z,
    "updated": TIME_Z,
    "addresses": {"type": "object", "additionalProperties": {"type": "array", "items": ADDRESS}},
    "accessIPv4": {"type": "string"},
    "accessIPv6": {"type": "string"},
    "links": SELF_AND_BOOKMARK,
    "key_name": {"type": ["string", "null"]},
    "config_drive": {"type": "string"},
    "security_groups": {"type": "array", "items": _exact({"name": {"type": "string"}})},
    "OS-DCF:diskConfig": {"enum": ["AUTO", "MANUAL"]},
    "OS-EXT-AZ:availability_zone": {"type": "string"},
    "OS-SRV-USG:launched_at": NULLABLE_USAGE_TIME,
    "OS-SRV-USG:terminated_at": NULLABLE_USAGE_TIME,
    "os-extended-volumes:volumes_attached": {"type": "array"},
    "progress": {"type": "integer", "minimum": 0, "maximum": 100},
    "fault": _exact({"code": {"type": "integer"}, "created": TIME_Z, "message": {"type": "string"}}),
}
_EXTENDED_STATUS = {
    "OS-EXT-STS:task_state": {"type": ["string", "null"]},
    "OS-EXT-STS:vm_state": {"type": "string"},
    "OS-EXT-STS:power_state": {"enum": [0, 1, 3, 4, 6, 7]},
}
_SERVER_ATTRS = {
    "OS-EXT-SRV-ATTR:host": {"type": ["string", "null"]},
    "OS-EXT-SRV-ATTR:hypervisor_hostname": {"type": ["string", "null"]},
    "OS-EXT-SRV-ATTR:instance_name": {"type": "string"},
}

#: A server of show/detail as a member sees it: no OS-EXT-SRV-ATTR keys allowed.
SERVER_MEMBER = _exact({**_SERVER_CORE, **_EXTENDED_STATUS}, optional=("progress", "fault"))
#: A server of show/detail as an admin sees it: OS-EXT-SRV-ATTR keys required.
SERVER_ADMIN = _exact({**_SERVER_CORE, **_EXTENDED_STATUS, **_SERVER_ATTRS}, optional=("progress", "fault"))
#: The answer to PUT and to the rebuild action: of Kilo's extensions only disk_config and access_ips extended update
#: and rebuild, so none of the keys the others added to show and detail (as Tempest's update_server schema says).
_SHOW_ONLY_KEYS = ("key_name", "config_drive", "security_groups", "OS-EXT-AZ:availability_zone",
                   "OS-SRV-USG:launched_at", "OS-SRV-USG:terminated_at", "os-extended-volumes:volumes_attached")
SERVER_UPDATE = _exact(
    {**{k: v for k, v in _SERVER_CORE.items() if k not in _SHOW_ONLY_KEYS},
     "addresses": {"type": "object", "additionalProperties": {"type": "array", "items": _exact({
         "addr": {"type": "string"}, "version": {"enum": [4, 6]}})}}},
    optional=("progress", "fault"))

SERVER_INDEX_ITEM = _exact({"id": UUID, "name": {"type": "string"}, "links": SELF_AND_BOOKMARK})

SERVER_CREATE = _exact({"server": _exact({
    "id": UUID,
    "links": SELF_AND_BOOKMARK,
    "OS-DCF:diskConfig": {"enum": ["AUTO", "MANUAL"]},
    "security_groups": {"type": "array", "items": _exact({"name": {"type": "string"}})},
    "adminPass": {"type": "string", "minLength": 1},
})})


def server_list(item: dict) -> dict:
    return _exact({"servers": {"type": "array", "items": item}, "servers_links": NEXT_LINKS},
                  optional=("servers_links",))


FLAVOR_INDEX_ITEM = _exact({"id": {"type": "string"}, "name": {"type": "string"}, "links": SELF_AND_BOOKMARK})
FLAVOR = _exact({
    "id": {"type": "string"},
    "name": {"type": "string"},
    "ram": {"type": "integer"},
    "disk": {"type": "integer"},
    "vcpus": {"type": "integer"},
    "links": SELF_AND_BOOKMARK,
    "OS-FLV-EXT-DATA:ephemeral": {"type": "integer"},
    "OS-FLV-DISABLED:disabled": {"type": "boolean"},
    "os-flavor-access:is_public": {"type": "boolean"},
    "swap": {"oneOf": [{"const": ""}, {"type": "integer", "minimum": 1}]},
    "rxtx_factor": {"type": "number"},
})


def flavor_list(item: dict) -> dict:
    return _exact({"flavors": {"type": "array", "items": item}, "flavors_links": NEXT_LINKS},
                  optional=("flavors_links",))


IMAGE_INDEX_ITEM = _exact({"id": UUID, "name": {"type": "string"}, "links": SELF_AND_BOOKMARK})
IMAGE = _exact({
    "id": UUID,
    "name": {"type": "string"},
    "status": {"enum": ["ACTIVE", "SAVING", "DELETED", "ERROR", "UNKNOWN"]},
    "progress": {"enum": [0, 25, 50, 100]},
    "minDisk": {"type": "integer"},
    "minRam": {"type": "integer"},
    "metadata": {"type": "object"},
    "created": TIME_Z,
    "updated": TIME_Z,
    "links": SELF_AND_BOOKMARK,
    "OS-EXT-IMG-SIZE:size": {"type": ["integer", "null"]},
})


def image_list(item: dict) -> dict:
    return _exact({"images": {"type": "array", "items": item}, "images_links": NEXT_LINKS},
                  optional=("images_links",))


def fault(name: str, code: int) -> dict:
    """Nova's fault body, e.g. ``{"itemNotFound": {"code": 404, "message": "..."}}``."""
    return _exact({name: _exact({"code": {"const": code}, "message": {"type": "string"}})})


def validate(body: object, schema: dict) -> None:
    jsonschema.Draft7Validator(schema).validate(body)
