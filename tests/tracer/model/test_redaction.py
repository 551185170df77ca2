"""Secrets found wherever they sit in a body or a log line, and nothing else touched (checked with json)."""

from __future__ import annotations

import json
import logging

import pytest

from tracer.model.redaction import RedactingFilter, redact_json_text, redact_text, secret_strings
from tracer.model.values import ValueTable


def without_secrets(node: object) -> object:
    """The reference: the parsed body with every secret-named key's value replaced by its label (json parses)."""
    from tracer.model.redaction import is_secret_name, redaction_label

    if isinstance(node, dict):
        return {key: redaction_label(key) if is_secret_name(key) else without_secrets(item)
                for key, item in node.items()}
    if isinstance(node, list):
        return [without_secrets(item) for item in node]
    return node


BODIES = [
    {"server": {"name": "web", "adminPass": "pw-0001", "metadata": {"password": "pw-0002", "role": "db"}}},
    {"changePassword": {"adminPass": "pw-0003"}},
    {"server": {"adminPass": ["pw-0004", 12345678, {"nested": "kept-if-not-secret"}]}},
    {"auth": {"identity": {"methods": ["password"], "password": {"user": {"name": "demo", "password": "pw-0005"}}}}},
    {"list": [{"token": "pw-0006"}, {"x_auth_token": "pw-0007", "a": "b"}], "quote\"key": "v\\\"alue"},
    {"keypair": {"name": "k", "private_key": "-----BEGIN\nKEY pw-0008\n-----END"}},
]


@pytest.mark.parametrize("body", BODIES)
def test_a_json_body_keeps_everything_but_its_secrets(body):
    text = json.dumps(body, indent=1)
    table = ValueTable()
    redacted = redact_json_text(text, table)
    assert json.loads(redacted) == without_secrets(body)
    for secret in (s for s in json.dumps(body).split('"') if s.startswith("pw-")):
        assert secret not in redacted
        assert table.scrub(f"echoed: {secret}") == "echoed: [redacted]"


def test_nothing_secret_comes_back_byte_for_byte():
    text = '{"a":  1,\n "name": "web", "list": [1, 2]}'
    assert redact_json_text(text, ValueTable()) == text


def test_a_body_nested_past_the_recursion_limit_is_scanned_too():
    text = "[" * 10_000 + '{"adminPass": "pw-deep-1"}' + "]" * 10_000
    table = ValueTable()
    redacted = redact_json_text(text, table)
    assert "pw-deep-1" not in redacted and "pw-deep-1" in table.secrets
    assert redacted == "[" * 10_000 + '{"adminPass": "[redacted: adminPass]"}' + "]" * 10_000


def test_malformed_json_and_log_shapes_are_redacted():
    table = ValueTable()
    lines = {
        '{"server": {"adminPass": "pw-0101", oops': "pw-0101",
        "GET /v2.1/servers?name=web&password=pw%2D0102&limit=2": "pw%2D0102",
        "Action: 'x', body: {'adminPass': 'pw-0103', 'name': 'web'}": "pw-0103",
        "RequestContext(user='a', auth_token='pw-0104')": "pw-0104",
        "X-Auth-Token: pw-0105\nAccept: json": "pw-0105",
    }
    for line, secret in lines.items():
        redacted = redact_text(line, table)
        assert secret not in redacted and "[redacted: " in redacted, redacted
    assert redact_text("GET /v2.1/servers?name=web&password=x&limit=2") == (
        "GET /v2.1/servers?name=web&password=[redacted: password]&limit=2")
    assert "Accept: json" in redact_text("X-Auth-Token: t\nAccept: json")


def test_secret_strings_walk_lists_and_secret_keys_only():
    value = {"adminPass": ["a1", ["b2"]], "name": "kept", "nested": {"password": "c3"}, "catalog": [{"type": "x"}]}
    assert sorted(secret_strings(value)) == ["a1", "b2", "c3"]
    assert secret_strings("plain") == ["plain"] and secret_strings(1234) == ["1234"]


def test_everything_under_a_password_is_secret_whatever_the_keys_inside_say():
    assert secret_strings({"x": "pw-0301"}, "adminPass") == ["pw-0301"]
    assert secret_strings([{"x": ["pw-0302", 5150]}], "adminPass") == ["5150", "pw-0302"]
    assert sorted(secret_strings({"adminPass": {"x": "pw-0303"}, "name": "kept"}, "changePassword")) == [
        "kept", "pw-0303"]
    # a token's document keeps its catalog readable; the secret-named keys inside it, and all below them, are not
    token = {"catalog": [{"type": "compute"}], "user": {"password": {"x": "pw-0304"}}}
    assert secret_strings(token, "token") == ["pw-0304"]


def test_a_value_table_scrubs_a_secret_nested_in_a_secret_from_other_values():
    table = ValueTable()
    table.encode({"server": {"adminPass": [{"x": "pw-0311-nested"}]}}, "body")
    redact_text('{"password": {"x": "pw-0312-nested", "n": [4242]}}', table)
    redact_text('{"token": {"catalog": [{"type": "compute"}]}}', table)
    message = "'pw-0311-nested' is not of type 'string'; Value: {'x': 'pw-0312-nested', 'n': [4242]} compute"
    assert table.scrub(message) == ("'[redacted]' is not of type 'string'; Value: {'x': '[redacted]', 'n': "
                                    "[[redacted]]} compute")


def test_the_log_filter_redacts_messages_arguments_and_tracebacks():
    record = logging.LogRecord("x", logging.DEBUG, __file__, 1, "body: %s", ('{"adminPass": "pw-0201"}',), None)
    try:
        raise ValueError("password=pw-0202")
    except ValueError:
        import sys

        record.exc_info = sys.exc_info()
    assert RedactingFilter().filter(record)
    formatted = logging.Formatter().format(record)
    assert "pw-0201" not in formatted and "pw-0202" not in formatted and "ValueError" in formatted


def test_a_uuid_token_taken_as_an_identity_is_scrubbed_from_later_tables_and_log_lines():
    import uuid

    from tracer.model.redaction import identity_tokens, looks_like_token

    token = uuid.uuid4().hex
    assert looks_like_token(token) and looks_like_token(str(uuid.uuid4()))
    assert not looks_like_token("admin") and not looks_like_token(f"{token}:{token}")
    ValueTable().secret("X-Auth-Token", token)  # the request that sent it
    assert token in identity_tokens()
    later = ValueTable()  # a later request, an admin listing every project: the token is a server's user id
    assert later.scrub(f'{{"user_id": "{token}", "name": "web"}}') == '{"user_id": "[redacted]", "name": "web"}'
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "context user %s", (token,), None)
    assert RedactingFilter().filter(record) and record.getMessage() == "context user [redacted]"
