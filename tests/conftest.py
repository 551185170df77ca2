"""Fixtures shared by every test: a fresh sample_api on a fresh demo database."""

from __future__ import annotations

import pytest

from sample_api import conf


@pytest.fixture
def api_conf():
    """The global CONF, reset to defaults before and after the test."""
    conf.reset()
    yield conf.CONF
    conf.reset()


@pytest.fixture
def app(api_conf):
    """The whole WSGI app (URL map + paste pipeline) on a fresh in-memory demo database."""
    from sample_api import service

    return service.load_app()


@pytest.fixture
def testapp(app):
    """A webtest client that talks to the app in-process as admin:admin at microversion 2.1."""
    import webtest

    return webtest.TestApp(app, extra_environ={"HTTP_X_AUTH_TOKEN": "admin:admin"})
