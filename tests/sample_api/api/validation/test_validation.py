"""The ``@validation.schema`` decorator and Nova's error wording."""

from __future__ import annotations

import pytest

from sample_api import exception
from sample_api.api import validation
from sample_api.api.openstack.compute.schemas import servers as schema_servers


@validation.schema(schema_servers.reboot)
def reboot(req, id, body):
    return body["reboot"]["type"]


def test_valid_body_reaches_the_function():
    assert reboot(req=None, id="x", body={"reboot": {"type": "HARD"}}) == "HARD"


@pytest.mark.parametrize(("body", "message"), [
    ({"reboot": {"type": "WARM"}},
     "Invalid input for field/attribute type. Value: WARM. "
     "'WARM' is not one of ['HARD', 'Hard', 'hard', 'SOFT', 'Soft', 'soft']"),
    ({"reboot": {}}, "Invalid input for field/attribute reboot. Value: {}. 'type' is a required property"),
    ({}, "'reboot' is a required property"),
    (None, "None is not of type 'object'"),
])
def test_invalid_body_never_reaches_the_function(body, message):
    with pytest.raises(exception.ValidationError) as err:
        reboot(req=None, id="x", body=body)
    assert err.value.format_message() == message


def test_uuid_format_is_checked():
    body = {"server": {"name": "a", "flavorRef": "1", "networks": [{"port": "not-a-uuid"}]}}
    with pytest.raises(exception.ValidationError, match="Invalid input for field/attribute port"):
        validation.validators._SchemaValidator(schema_servers.create).validate(body)
