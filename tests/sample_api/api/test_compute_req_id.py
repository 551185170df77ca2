"""compute_req_id: one req-<uuid> per request, in the environ and in two response headers."""

from __future__ import annotations

import re
import uuid

import webob

from sample_api.api import compute_req_id

REQ_ID = re.compile(r"^req-[0-9a-f-]{36}$")


def test_request_id_in_environ_and_headers():
    seen = {}

    def app(environ, start_response):
        seen["id"] = environ["openstack.request_id"]
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b""]

    resp = webob.Request.blank("/").get_response(compute_req_id.ComputeReqIdMiddleware(app))
    assert REQ_ID.match(seen["id"])
    uuid.UUID(seen["id"][4:])
    assert resp.headers["x-openstack-request-id"] == seen["id"]
    assert resp.headers["x-compute-request-id"] == seen["id"]


def test_each_request_gets_a_new_id(fake_testapp):
    first = fake_testapp.get("/v2.1/things").headers["x-compute-request-id"]
    second = fake_testapp.get("/v2.1/things").headers["x-compute-request-id"]
    assert REQ_ID.match(first) and REQ_ID.match(second)
    assert first != second


def test_faults_carry_the_request_id(fake_testapp):
    resp = fake_testapp.get("/v2.1/things/crash", expect_errors=True)
    assert resp.status_int == 500
    assert REQ_ID.match(resp.headers["x-openstack-request-id"])
