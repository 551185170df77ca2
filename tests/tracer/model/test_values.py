"""Safe value capture: bounded, never failing, secrets redacted and scrubbed."""

from __future__ import annotations

import json

import webob

from tracer.model.redaction import FRAGMENT, is_secret_name, redact_headers, redact_json_text, redact_query
from tracer.model.values import Limits, ValueTable


def row(table: ValueTable, rid: int) -> list:
    return table.rows[rid]


def test_equal_values_are_stored_once():
    table = ValueTable()
    assert table.encode("abc") == table.encode("abc")
    assert table.encode([1, 2]) == table.encode([1, 2])
    assert len(table.rows) == 4  # 'abc', 1, 2, [1, 2]


def test_bounded_length_breadth_and_depth():
    table = ValueTable(Limits(text=20, depth=2, items=3))
    long_text = row(table, table.encode("x" * 500))
    assert len(long_text[1]) <= 20 and "..." in long_text[1]
    big = row(table, table.encode(list(range(100))))
    assert big[1] == "list of 100 items"
    assert len(big[2]) == 3 and big[3] == 97
    nested = row(table, table.encode({"a": {"b": {"c": {"d": 1}}}}))
    inner = row(table, nested[2][0][1])
    innermost = row(table, inner[2][0][1])
    assert len(innermost) == 2  # depth limit: summarised, no children


def test_self_reference_and_failing_repr_do_not_break_capture():
    class Broken:
        def __repr__(self):
            raise RuntimeError("nope")

    loop: list = []
    loop.append(loop)
    table = ValueTable()
    assert row(table, table.encode(Broken()))[1] == "<Broken instance>"
    child = row(table, table.encode(loop))[2][0][1]
    assert row(table, child)[1] == "<recursive reference>"


def test_secret_names_are_redacted_and_their_values_scrubbed_elsewhere():
    table = ValueTable()
    rid = table.encode({"adminPass": "s3cret-value", "name": "vm"})
    pairs = dict(row(table, rid)[2])
    assert row(table, pairs["adminPass"]) == ["redacted", "[redacted: adminPass]"]
    other = table.encode("the body says s3cret-value here")
    table.scrub_rows()
    assert "s3cret-value" not in row(table, other)[1]


def test_secret_query_parameters_are_redacted_and_their_values_scrubbed_in_either_form():
    table = ValueTable()
    query = "name=web&password=hunter22&my%5Fapi%5Fkey=abc%20def&limit=2&flag"
    assert redact_query(query, table) == (
        "name=web&password=[redacted: password]&my%5Fapi%5Fkey=[redacted: my_api_key]&limit=2&flag")
    assert redact_query("name=web&limit=2") == "name=web&limit=2"  # nothing secret: as it came
    for seen in ("QUERY_STRING=abc%20def", "the key 'abc def'", "hunter22"):
        assert table.scrub(seen) in ("QUERY_STRING=[redacted]", "the key '[redacted]'", "[redacted]")


def test_a_long_secret_is_scrubbed_where_a_cut_repr_shows_only_its_ends():
    key = "-----BEGIN RSA PRIVATE KEY-----\n" + "".join(f"MIIEpA{i:04d}QEAtkJszJIEc\n" for i in range(40)) + "-----END"
    table = ValueTable()
    table.encode({"private_key": key})
    returned = table.encode((key, "ssh-rsa AAAA public", "9e:8a"))  # a return value: no name says secret
    body = table.encode(f'{{"keypair": {{"private_key": {key!r}, "name": "k1"}}}}')
    table.scrub_rows()
    shown = json.dumps(table.rows)
    escaped = repr(key)[1:-1]
    leaks = {escaped[i:i + FRAGMENT] for i in range(len(escaped) - FRAGMENT)} & {
        shown[i:i + FRAGMENT] for i in range(len(shown) - FRAGMENT)
    }
    assert not leaks
    public = row(table, returned)[2][1][1]
    assert row(table, public)[1] == "'ssh-rsa AAAA public'" and row(table, body)[1].endswith('"name": "k1"}}\'')


def test_secret_name_patterns():
    for name in ("X-Auth-Token", "HTTP_X_AUTH_TOKEN", "adminPass", "admin_pass", "password", "token", "auth_token",
                 "Authorization", "HTTP_AUTHORIZATION", "Proxy-Authorization", "Cookie", "Set-Cookie",
                 "X-Service-Token", "HTTP_X_SERVICE_TOKEN", "X-Storage-Token", "refresh-token", "token-id"):
        assert is_secret_name(name), name
    for name in ("task_state", "name", "tokens_used_by", "flavorRef", "cookies_policy"):
        assert not is_secret_name(name), name


def test_webob_request_is_summarised_for_learners():
    req = webob.Request.blank("/v2.1/servers/detail?limit=2", headers={"X-Auth-Token": "alice:wonder"})
    table = ValueTable()
    described = row(table, table.encode(req))
    assert described[1] == "<Request GET /v2.1/servers/detail?limit=2>"
    keys = [k for k, _ in described[2]]
    assert keys[:4] == ["method", "script_name", "path_info", "query_string"]
    environ = row(table, table.encode(req.environ))
    assert environ[1].startswith("WSGI environ GET /v2.1/servers/detail")
    assert "alice:wonder" in table.secrets


def test_a_webob_response_is_described_and_its_changes_are_seen():
    """A response made by ``webob.dec.wsgify`` for a request belongs to no request (its ``environ`` is None):
    it must still be described, and a status or header set later must show at the next moment."""
    request = webob.Request.blank("/v2.1/servers")
    request.response = webob.Response()
    table = ValueTable()
    first = row(table, table.encode(request.response))
    assert first[1] == "<Response 200 OK>"
    request.response.status = 202
    request.response.headers["X-Compute-Request-Id"] = "req-1"
    table.next_moment()
    later = row(table, table.encode(request.response))
    assert later[1] == "<Response 202 Accepted>"
    headers = dict(row(table, dict(later[2])["headers"])[2])
    assert "X-Compute-Request-Id" in headers


def test_a_webob_request_inside_its_own_init_is_described_as_not_ready():
    """At the call event of ``Request.__init__`` the object has no environ yet: webob's __getattr__ recursed."""

    class Request(webob.Request):
        pass

    unready = Request.__new__(Request)
    table = ValueTable()
    assert row(table, table.encode(unready)) == ["Request", "<Request, not initialised yet>"]
    unready.__init__(webob.Request.blank("/v2.1/servers").environ)
    assert row(table, table.encode(unready))[1] == "<Request GET /v2.1/servers>"


def test_headers_and_json_bodies():
    table = ValueTable()
    clean = redact_headers({"X-Auth-Token": "tok-123", "Accept": "application/json"}, table)
    assert clean == {"X-Auth-Token": "[redacted: X-Auth-Token]", "Accept": "application/json"}
    assert "tok-123" in table.secrets
    body = redact_json_text('{"server": {"name": "a", "adminPass": "pw-9999"}}', table)
    assert "pw-9999" not in body and "[redacted: adminPass]" in body
    untouched = '{"a":  1}'
    assert redact_json_text(untouched, table) == untouched


def test_shallow_signatures_see_a_replaced_child_but_not_an_equal_copy():
    from tracer.model.signatures import same_children, shallow_signature

    server = {"name": "web-01", "links": []}
    before = shallow_signature(server)
    assert same_children(before, shallow_signature(server))
    server["name"] = "web-02"
    assert not same_children(before, shallow_signature(server))
    grown = [1, 2]
    sig = shallow_signature(grown)
    grown.append(3)
    assert not same_children(sig, shallow_signature(grown))
    assert shallow_signature("text") is None and same_children(None, shallow_signature(42))


def test_shallow_signature_of_a_webob_request_follows_its_environ():
    from tracer.model.signatures import same_children, shallow_signature

    request = webob.Request.blank("/servers")
    sig = shallow_signature(request)
    request.environ["wsgiorg.routing_args"] = ((), {"action": "index"})
    assert not same_children(sig, shallow_signature(request))
    half_built = webob.Request.__new__(webob.Request)  # as seen inside Request.__init__: no environ yet
    assert shallow_signature(half_built) == ()
