"""sizelimit: bodies over CONF.max_request_body_size are a plain 413, chunked ones too."""

from __future__ import annotations

import io

import webob
import webob.dec
import webob.exc

from sample_api.api import sizelimit


@webob.dec.wsgify
def body_echo(req):
    """Reads the body inside wsgify, as Resource does: a raised 413 becomes the response."""
    return webob.Response(text=f"read {len(req.body)}")


def post(body, chunked=False):
    req = webob.Request.blank("/", method="POST")
    if chunked:
        req.environ["wsgi.input"] = io.BytesIO(body)
        req.environ.pop("CONTENT_LENGTH", None)
        req.environ["HTTP_TRANSFER_ENCODING"] = "chunked"
        req.environ["wsgi.input_terminated"] = True
    else:
        req.body = body
    return req.get_response(sizelimit.RequestBodySizeLimiter(body_echo))


def test_body_at_the_limit_passes(api_conf):
    api_conf.max_request_body_size = 10
    assert post(b"x" * 10).text == "read 10"
    assert post(b"x" * 10, chunked=True).text == "read 10"


def test_content_length_over_limit_is_413(api_conf):
    api_conf.max_request_body_size = 10
    resp = post(b"x" * 11)
    assert resp.status_int == 413
    assert "Request is too large." in resp.text


def test_chunked_body_over_limit_is_413(api_conf):
    api_conf.max_request_body_size = 10
    resp = post(b"x" * 11, chunked=True)
    assert resp.status_int == 413


def test_default_limit_through_pipeline(fake_testapp):
    resp = fake_testapp.post("/v2.1/things", "x" * 114689, content_type="application/json", expect_errors=True)
    assert resp.status_int == 413
    assert not resp.content_type.startswith("application/json")  # a plain webob error, as in Nova
    ok = fake_testapp.post_json("/v2.1/things", {"pad": "x" * 1000})
    assert ok.status_int == 202


def test_limiting_reader_counts_across_reads():
    reader = sizelimit.LimitingReader(io.BytesIO(b"abcdef"), 4)
    assert reader.read(3) == b"abc"
    try:
        reader.read(3)
    except webob.exc.HTTPRequestEntityTooLarge:
        pass
    else:
        raise AssertionError("the fifth byte should have been refused")
