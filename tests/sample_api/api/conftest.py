"""Fixtures for the framework tests: the real pipeline in front of a fake router."""

from __future__ import annotations

import pytest
import webtest

from tests.sample_api import fakes


@pytest.fixture
def fake_app(api_conf, tmp_path):
    """The whole paste pipeline (urlmap, filters, Resource) around ``fakes.FakeAPIRouter``."""
    api_conf.osapi_compute_extension = ["tests.sample_api.fakes.fake_extensions"]
    fakes.CALLS.clear()
    return fakes.load_fake_app(tmp_path)


@pytest.fixture
def fake_testapp(fake_app):
    """A webtest client of ``fake_app``, authenticated as a plain user of project p1."""
    return webtest.TestApp(fake_app, extra_environ={"HTTP_X_AUTH_TOKEN": "alice:p1"})
