"""Per-method versioning as Nova does it: ``@wsgi.Controller.api_version`` picks a method by the request's version."""

from __future__ import annotations

from sample_api.api.openstack import wsgi
from sample_api.api.openstack.api_version_request import APIVersionRequest


class Things(wsgi.Controller):
    @wsgi.Controller.api_version("2.5")
    @wsgi.response(201)
    def create(self, req, body):
        return {"made": "at 2.5 or later"}

    @wsgi.Controller.api_version("2.2", "2.4")  # noqa: F811
    def create(self, req, body):  # noqa: F811
        return {"made": "between 2.2 and 2.4"}

    def index(self, req):
        return {"things": []}


def request(version: str) -> wsgi.Request:
    req = wsgi.Request.blank("/things")
    req.api_version_request = APIVersionRequest(version)
    return req


def test_the_version_whose_range_holds_the_request_runs_with_its_marks():
    things = Things()
    assert things.create(request("2.19"), body={}) == {"made": "at 2.5 or later"}
    method = things.create
    assert method(req=request("2.5"), body={}) == {"made": "at 2.5 or later"} and method.wsgi_code == 201
    method = things.create
    assert method(request("2.4"), body={}) == {"made": "between 2.2 and 2.4"}
    assert not hasattr(method, "wsgi_code")  # the 2.2-2.4 version answers with the default status


def test_no_version_for_the_request_is_a_404_from_dispatch():
    resource = wsgi.Resource(Things())
    req = request("2.1")
    fault = resource.dispatch(Things().create, req, {"body": {}})
    assert isinstance(fault, wsgi.Fault) and fault.wrapped_exc.status_int == 404


def test_unversioned_methods_and_other_classes_are_untouched():
    assert Things().index(request("2.1")) == {"things": []}
    assert "versioned_methods" not in wsgi.Controller.__dict__  # moved onto Things when its class was made

    class Plain(wsgi.Controller):
        def index(self, req):
            return {}

    assert not hasattr(Plain, "versioned_methods")
