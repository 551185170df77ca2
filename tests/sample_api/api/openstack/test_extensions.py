"""ExtensionManager: factories, extensions_dir (including a learner's broken file), duplicates."""

from __future__ import annotations

import logging
import textwrap

import pytest
import webtest

from sample_api import exception
from sample_api.api.openstack import extensions
from tests.sample_api import fakes

GOOD_EXTENSION = '''
from sample_api.api.openstack import extensions, wsgi


class ShoutController(wsgi.Controller):
    @wsgi.extends
    def show(self, req, resp_obj, id):
        resp_obj.obj["thing"]["shout"] = id.upper()


class Shout(extensions.ExtensionDescriptor):
    """Shouts the id of a thing."""

    name = "Shout"
    alias = "os-shout"
    namespace = "http://example.test/shout"
    updated = "2015-04-30T00:00:00Z"

    def get_controller_extensions(self):
        return [extensions.ControllerExtension(self, "things", ShoutController())]
'''


def write(folder, name, text):
    (folder / name).write_text(textwrap.dedent(text))


@pytest.fixture
def ext_dir(tmp_path, api_conf):
    folder = tmp_path / "my_extensions"
    folder.mkdir()
    api_conf.extensions_dir = str(folder)
    api_conf.osapi_compute_extension = []  # only the folder's extensions
    return folder


def test_factory_from_conf_is_loaded(api_conf):
    api_conf.osapi_compute_extension = ["tests.sample_api.fakes.fake_extensions"]
    mgr = extensions.ExtensionManager()
    assert list(mgr.extensions) == ["os-things-ext"]
    assert mgr.is_loaded("os-things-ext")
    [ctl_ext] = mgr.get_controller_extensions()
    assert ctl_ext.collection == "things"


def test_bad_factory_is_logged_not_raised(api_conf, caplog):
    api_conf.osapi_compute_extension = ["tests.sample_api.fakes.no_such_factory"]
    mgr = extensions.ExtensionManager()
    assert mgr.extensions == {}
    assert "Failed to load extension tests.sample_api.fakes.no_such_factory" in caplog.text


def test_extensions_dir_module_is_loaded_and_used(ext_dir, tmp_path):
    write(ext_dir, "shout.py", GOOD_EXTENSION)
    app = webtest.TestApp(fakes.load_fake_app(tmp_path), extra_environ={"HTTP_X_AUTH_TOKEN": "bob"})
    assert app.get("/v2.1/things/abc").json["thing"] == {"id": "abc", "shout": "ABC"}
    listed = app.get("/v2.1/extensions").json["extensions"]
    assert [e["alias"] for e in listed] == ["os-shout"]
    assert listed[0]["description"] == "Shouts the id of a thing."
    assert app.get("/v2.1/extensions/os-shout").json["extension"]["name"] == "Shout"
    assert app.get("/v2.1/extensions/nope", expect_errors=True).status_int == 404


def test_extensions_dir_modules_are_reimported_fresh(ext_dir):
    write(ext_dir, "shout.py", GOOD_EXTENSION)
    first = extensions.ExtensionManager().extensions["os-shout"]
    write(ext_dir, "shout.py", GOOD_EXTENSION.replace('"Shout"', '"Shout2"'))
    second = extensions.ExtensionManager().extensions["os-shout"]
    assert (first.name, second.name) == ("Shout", "Shout2")
    assert type(second).__module__ == "sample_api_extensions.shout"


def test_broken_learner_module_is_logged_with_its_file(ext_dir, tmp_path, caplog):
    write(ext_dir, "broken.py", "def oops(:\n")
    write(ext_dir, "shout.py", GOOD_EXTENSION)
    with caplog.at_level(logging.ERROR):
        app = webtest.TestApp(fakes.load_fake_app(tmp_path), extra_environ={"HTTP_X_AUTH_TOKEN": "bob"})
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 1
    assert str(ext_dir / "broken.py") in errors[0].getMessage()
    assert errors[0].exc_info[0] is SyntaxError
    # The API still answers, with the good extension loaded.
    assert app.get("/v2.1/things/abc").json["thing"]["shout"] == "ABC"


def test_module_raising_at_import_is_skipped(ext_dir, caplog):
    write(ext_dir, "raises.py", "raise RuntimeError('learner bug')\n")
    mgr = extensions.ExtensionManager()
    assert mgr.extensions == {}
    assert "raises.py" in caplog.text
    assert "learner bug" in caplog.text


def test_module_without_descriptor_warns(ext_dir, caplog):
    write(ext_dir, "empty.py", "X = 1\n")
    extensions.ExtensionManager()
    assert "defines no ExtensionDescriptor subclass" in caplog.text


def test_duplicate_alias_is_an_error(ext_dir, caplog):
    write(ext_dir, "a_shout.py", GOOD_EXTENSION)
    write(ext_dir, "b_shout.py", GOOD_EXTENSION)
    mgr = extensions.ExtensionManager()
    assert type(mgr.extensions["os-shout"]).__module__ == "sample_api_extensions.a_shout"
    assert "Found duplicate extension: os-shout" in caplog.text
    assert "b_shout.py" in caplog.text


def test_register_rejects_duplicate_directly(api_conf):
    api_conf.osapi_compute_extension = []
    mgr = extensions.ExtensionManager()
    fakes.Things_ext(mgr)
    with pytest.raises(exception.DuplicateExtension):
        fakes.Things_ext(mgr)


def test_failing_get_controller_extensions_is_skipped(api_conf, caplog):
    class Broken(extensions.ExtensionDescriptor):
        name = alias = "broken"

        def get_controller_extensions(self):
            raise ValueError("nope")

    api_conf.osapi_compute_extension = [Broken, "tests.sample_api.fakes.fake_extensions"]
    mgr = extensions.ExtensionManager()
    assert [e.collection for e in mgr.get_controller_extensions()] == ["things"]
    assert "Extension broken: get_controller_extensions() failed" in caplog.text


def test_missing_extensions_dir_is_logged(api_conf, tmp_path, caplog):
    api_conf.osapi_compute_extension = []
    api_conf.extensions_dir = str(tmp_path / "absent")
    assert extensions.ExtensionManager().extensions == {}
    assert "is not a directory" in caplog.text


def test_load_standard_extensions_registers_descriptors_of_a_package(api_conf, tmp_path, monkeypatch):
    package = tmp_path / "stdexts"
    package.mkdir()
    (package / "__init__.py").write_text("")
    write(package, "shout.py", GOOD_EXTENSION)
    write(package, "broken.py", "import no_such_module_anywhere\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    api_conf.osapi_compute_extension = []
    mgr = extensions.ExtensionManager()
    logger = logging.getLogger("test.stdexts")
    extensions.load_standard_extensions(mgr, logger, [str(package)], "stdexts")
    assert list(mgr.extensions) == ["os-shout"]
