"""Recipes: a served read-only request kept as its inputs, and its trace built later by re-running it.

In-process, on the real sample_api app and its real SQLite database (the HTTP path is in test_serve.py).
"""

from __future__ import annotations

import hashlib
import json
import uuid

import pytest

from tracer.model.trace import Trace
from tracer.targets import recipes
from tracer.targets.recipes import RecipeRecorder, build_trace, code_digests, decode, deferrable
from tracer.targets.sample_api import RequestSpec, build_environ, load_sample_api

TOKEN = "admin:admin"


@pytest.fixture
def app():
    return load_sample_api()


def environ_for(path: str, method: str = "GET", token: str = TOKEN, body: bytes | None = None,
                headers: dict | None = None) -> dict:
    user, _, project = token.partition(":")
    spec = RequestSpec(method, path, body=body, headers=headers or {}, user=user, project=project or None)
    return build_environ(spec)


def recipe_recorder(app) -> tuple[RecipeRecorder, list[recipes.Recipe]]:
    got: list[recipes.Recipe] = []

    def live(environ, start_response):  # pragma: no cover - failing here is the test failing
        raise AssertionError("a read-only request went to the live recorder")

    return RecipeRecorder(app, live, got.append, code=code_digests(("sample_api",))), got


def serve(app, environ: dict, recorder: tuple | None = None) -> tuple[str, bytes, recipes.Recipe]:
    """One request through a RecipeRecorder (a new one unless given); the live path must not be taken."""
    server, got = recorder or recipe_recorder(app)
    before = len(got)
    statuses: list[str] = []
    body = b"".join(server(environ, lambda status, headers: statuses.append(status)))
    assert len(got) == before + 1
    return statuses[0], body, got[-1]


def test_only_read_only_requests_without_a_body_or_other_secrets_are_kept_as_recipes():
    assert deferrable(environ_for("/servers/detail"))
    assert deferrable(environ_for("/servers/detail", method="HEAD"))
    assert not deferrable(environ_for("/servers", method="POST", body=b"{}"))
    assert not deferrable(environ_for("/servers/x", method="DELETE"))
    assert not deferrable(environ_for("/servers/detail", body=b'{"a": 1}'))  # a GET with a body
    assert not deferrable(environ_for("/identity/v3/auth/tokens"))  # its answers hold tokens
    assert not deferrable(environ_for("/servers/detail?password=hunter22"))
    assert not deferrable(environ_for("/servers/detail", headers={"X-Subject-Token": "abc"}))
    assert not deferrable(environ_for("/servers/detail", headers={"Authorization": "Basic YWRtaW46cHc="}))
    assert deferrable(environ_for("/servers/detail?name=web&limit=2"))
    # an opaque token (noauth2 takes it whole as the user and the project) would be kept in the recipe
    assert not deferrable(environ_for("/servers/detail", headers={"X-Auth-Token": "gAAAAABopaque-token"}))


def test_a_recipe_holds_no_token_and_names_who_asked(app):
    status, body, recipe = serve(app, environ_for("/servers/detail", token="demo:demo"))
    assert status == "200 OK" and json.loads(body)["servers"]
    stored = zlib_text(recipe)
    assert "demo:demo" not in stored and "X_AUTH_TOKEN" not in stored
    assert recipe.doc["token"] == ["demo", "demo"]
    _at, user, project, method, path, code, duration_us, hops, events, request_id = recipe.summary
    assert (user, project, method, path, code) == ("demo", "demo", "GET", "/v2.1/servers/detail", 200)
    assert (hops, events) == (None, None) and duration_us > 0  # not known until the trace is built
    # the request's ids came from the recipe's seed: a re-run draws the very same request id
    expected = uuid.UUID(int=__import__("random").Random(recipe.doc["seed"]).getrandbits(128), version=4)
    assert request_id == f"req-{expected}"


def zlib_text(recipe: recipes.Recipe) -> str:
    return json.dumps(decode(recipe.encode()))


def test_the_trace_built_from_a_recipe_is_the_request_line_by_line_and_answers_what_the_client_got(app):
    status, body, recipe = serve(app, environ_for("/servers/detail?name=web"))
    doc = build_trace(decode(recipe.encode()), recipe.generation.data, app)
    trace = Trace.from_dict(doc)
    detail = doc["meta"]["line_detail"]
    assert detail["faithful"] is True and detail["differs"] is None and detail["notes"] == []
    assert doc["meta"]["served_as"] == "recipe" and doc["meta"]["request_id"] == recipe.summary[-1]
    assert doc["duration_us"] == recipe.doc["duration_us"]  # the request's time as served
    assert trace.request["path"] == "/v2.1/servers/detail?name=web" and trace.status == 200
    assert trace.request["headers"]["X-Auth-Token"].startswith("[redacted")
    assert json.loads(trace.response["body"]) == json.loads(body)
    assert trace.find_calls("ServersController._get_servers") and trace.find_calls("ViewBuilder.show")
    assert any(trace.kinds[i] == 1 for i in range(len(trace)))  # LINE events: the line-level re-run
    assert TOKEN not in json.dumps(doc)


def test_a_recipe_re_runs_on_the_database_as_the_request_read_it(app):
    from sample_api import context, db

    _status, body, recipe = serve(app, environ_for("/servers/detail"))
    admin = context.RequestContext("admin", "admin", is_admin=True)
    for server in db.instance_get_all_by_filters(admin, {}):  # every server gone afterwards
        db.instance_destroy(admin, server["uuid"])
    doc = build_trace(decode(recipe.encode()), recipe.generation.data, app)
    assert doc["meta"]["line_detail"]["faithful"] is True
    assert json.loads(doc["response"]["body"]) == json.loads(body)
    assert db.instance_get_all_by_filters(admin, {}) == []  # and the live database is left as it was


def test_the_database_copy_is_shared_until_a_write(app):
    from sample_api import context, db

    server = recipe_recorder(app)
    first = serve(app, environ_for("/servers/detail"), server)[2]
    second = serve(app, environ_for("/flavors"), server)[2]
    assert second.generation is first.generation
    admin = context.RequestContext("admin", "admin", is_admin=True)
    db.instance_destroy(admin, db.instance_get_all_by_filters(admin, {})[0]["uuid"])
    third = serve(app, environ_for("/servers/detail"), server)[2]
    assert third.generation is not first.generation and third.generation.digest != first.generation.digest


def test_a_re_run_that_answers_otherwise_says_so(app):
    _status, _body, recipe = serve(app, environ_for("/servers/detail"))
    told = decode(recipe.encode())
    told["response"]["sha1"] = hashlib.sha1(b"something else").hexdigest()
    detail = build_trace(told, recipe.generation.data, app)["meta"]["line_detail"]
    assert detail["faithful"] is False and "body differed from the one the client got" in detail["differs"]
    told["response"]["status"] = "404 Not Found"
    detail = build_trace(told, recipe.generation.data, app)["meta"]["line_detail"]
    assert detail["faithful"] is False and "the client got '404 Not Found'" in detail["differs"]


def test_a_file_changed_since_the_request_is_named(app):
    _status, _body, recipe = serve(app, environ_for("/servers/detail"))
    told = decode(recipe.encode())
    path = "sample_api/api/openstack/compute/servers.py"
    assert path in told["code"]
    told["code"][path] = "0" * 40
    notes = build_trace(told, recipe.generation.data, app)["meta"]["line_detail"]["notes"]
    assert notes == [f"the code changed since the request was served: {path}"]


def test_a_broken_recipe_is_a_recipe_error():
    with pytest.raises(recipes.RecipeError, match="corrupt"):
        decode(b"not zlib")
    import zlib

    with pytest.raises(recipes.RecipeError, match="not a tracer recipe"):
        decode(zlib.compress(b'{"format": "other"}'))
    with pytest.raises(recipes.RecipeError, match="recipe version 99"):
        decode(zlib.compress(json.dumps({"format": recipes.FORMAT, "version": 99}).encode()))
