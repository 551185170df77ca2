"""A lesson workspace is never written through a symbolic link that leads out of it (``reset``, ``check``)."""

from __future__ import annotations

import io
import logging

import pytest

from tracer.course import cli


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    monkeypatch.setenv("TRACER_HOME", str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path)
    logging.disable(logging.CRITICAL)
    yield
    logging.disable(logging.NOTSET)


def run(*argv: str) -> int:
    return cli.main(list(argv), out=io.StringIO())


@pytest.fixture
def linked_out(tmp_path):
    """Lesson 5 started, its ``.tracer`` folder replaced by a link to a folder outside the workspace."""
    assert run("start", "5") == 0
    workspace = tmp_path / "tracer-lessons" / "05-controller-views"
    outside = tmp_path / "outside"
    outside.mkdir()
    (workspace / ".tracer").symlink_to(outside, target_is_directory=True)
    return workspace, outside


def test_reset_refuses_a_link_out_and_moves_nothing(linked_out, capsys):
    workspace, outside = linked_out
    assert run("reset", "5") == 2
    assert "leads out of the workspace" in capsys.readouterr().err
    assert list(outside.iterdir()) == [] and (workspace / "request.toml").is_file()


def test_check_saves_no_trace_through_a_link_out(linked_out, capsys):
    _workspace, outside = linked_out
    assert run("check", "5") == 2  # the starter fails its checks: their trace would be saved in .tracer/
    assert "leads out of the workspace" in capsys.readouterr().err
    assert list(outside.iterdir()) == []


def test_start_refuses_a_workspace_that_links_out(tmp_path, capsys):
    workspace = tmp_path / "tracer-lessons" / "05-controller-views"
    workspace.mkdir(parents=True)
    outside = tmp_path / "outside"
    outside.mkdir()
    (workspace / ".tracer").symlink_to(outside, target_is_directory=True)
    assert run("start", "5") == 2
    assert "leads out of the workspace" in capsys.readouterr().err
