"""Choosing the app to record: ``--target sample_api``, ``module:callable`` for any WSGI app, and bad names."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tracer.cli.main import main

APP = '''
import json


def greeting(name):
    return {"hello": name}


def app(environ, start_response):
    body = json.dumps(greeting(environ["PATH_INFO"].strip("/"))).encode()
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]
'''


@pytest.fixture
def own_app(tmp_path, monkeypatch):
    (tmp_path / "myservice").mkdir()
    (tmp_path / "myservice" / "__init__.py").write_text("")
    (tmp_path / "myservice" / "web.py").write_text(APP)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "path", list(sys.path))
    yield tmp_path
    for name in [n for n in sys.modules if n == "myservice" or n.startswith("myservice.")]:
        del sys.modules[name]


def test_a_module_callable_target_records_its_own_modules(own_app, capsys):
    assert main(["run", "--target", "myservice.web:app", "GET", "/world", "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["request"]["path"] == "/world"  # sent as given: no /v2.1 in front for another app
    assert json.loads(doc["response"]["body"]) == {"hello": "world"}
    assert doc["meta"]["target"]["name"] == "myservice.web:app"
    recorded = {f"{code[0]}:{code[1]}" for code in doc["codes"]}
    assert {"myservice.web:app", "myservice.web:greeting"} <= recorded


def test_the_default_target_is_sample_api_and_says_so(capsys):
    assert main(["run", "GET", "/flavors", "--format", "json", "--detail", "call"]) == 0
    target = json.loads(capsys.readouterr().out)["meta"]["target"]
    assert target["name"] == "sample_api" and target["versions"]["webob"]


@pytest.mark.parametrize(("target", "fragment"), [
    ("nosuch", "unknown target 'nosuch'"),
    ("no_such_module_here:app", "cannot import 'no_such_module_here'"),
    ("json:nothing", "'json' has no 'nothing'"),
    ("json:__name__", "is not callable"),
])
def test_a_bad_target_is_one_line_and_exit_2(capsys, target, fragment):
    assert main(["run", "--target", target, "GET", "/"]) == 2
    err = capsys.readouterr().err
    assert fragment in err and err.count("\n") == 1 and "Traceback" not in err


#: run in a fresh interpreter where Nova is not installed, whether or not it is here: its package cannot be
#: imported and its distribution is not found
WITHOUT_NOVA = """
import importlib.abc, importlib.metadata, sys

class NoNova(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name == "nova" or name.startswith("nova."):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None

sys.meta_path.insert(0, NoNova())
real_version = importlib.metadata.version

def version(name):
    if name == "nova":
        raise importlib.metadata.PackageNotFoundError(name)
    return real_version(name)

importlib.metadata.version = version
from tracer.cli.main import main
sys.exit(main(sys.argv[1:]))
"""


@pytest.mark.parametrize("argv", [["run", "--target", "nova", "GET", "/servers/detail"],
                                  ["tui", "--target", "nova", "GET", "/servers/detail"],
                                  ["compare", "GET", "/servers/detail"]])
def test_without_nova_the_nova_target_names_the_extra(argv):
    result = subprocess.run([sys.executable, "-c", WITHOUT_NOVA, *argv], capture_output=True, text=True,
                            timeout=120, stdin=subprocess.DEVNULL)
    assert result.returncode == 2, result.stderr
    assert "pip install 'tracer[nova]'" in result.stderr and result.stderr.count("\n") == 1, result.stderr
    assert "Traceback" not in result.stderr


def test_each_targets_labels_apply_to_its_own_hops():
    from tracer.model.labels import load_labels

    labels = load_labels()  # every registered file, as the faces read them
    assert labels.layer_for("sample_api.api.openstack.wsgi", "Resource.dispatch") == "resource"
    assert labels.layer_for("nova.api.openstack.wsgi", "Resource.dispatch") == "resource"
    assert labels.layer_for("nova.compute.multi_cell_list", "CrossCellLister.get_records_sorted") == "cells"
    assert labels.lookup("nova.api.validation", "query_schema.<locals>.add_validator.<locals>.wrapper").does
