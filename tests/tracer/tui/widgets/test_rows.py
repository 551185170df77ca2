"""What the line panes share: a title that fits, with the file name kept whole."""

from __future__ import annotations

from tracer.tui.widgets.rows import shorten_path


def test_a_path_too_long_for_the_title_loses_its_first_folders_not_its_file_name():
    path = "sample_api/api/openstack/compute/views/servers.py"
    assert shorten_path(path, 80) == path
    assert shorten_path(path, 30) == "…/compute/views/servers.py"
    assert len(shorten_path(path, 30)) <= 30
    assert shorten_path(path, 12) == "…/servers.py"  # the file name stays, even past the room
    assert shorten_path("variables", 3) == "variables"  # not a path: the border cuts it and shows "…"
