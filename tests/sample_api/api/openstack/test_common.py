"""Status mapping and pagination helpers of ``api/openstack/common.py``."""

from __future__ import annotations

import pytest
import webob
import webob.exc

from sample_api import exception
from sample_api.api.openstack import common


@pytest.mark.parametrize(("vm_state", "task_state", "status"), [
    ("active", None, "ACTIVE"),
    ("active", "rebooting", "REBOOT"),
    ("active", "rebooting_hard", "HARD_REBOOT"),
    ("stopped", None, "SHUTOFF"),
    ("paused", None, "PAUSED"),
    ("error", None, "ERROR"),
    ("building", "spawning", "BUILD"),
    ("no-such-state", None, "UNKNOWN"),
])
def test_status_from_state(vm_state, task_state, status):
    assert common.status_from_state(vm_state, task_state) == status


def test_task_and_vm_state_from_status():
    assert common.task_and_vm_state_from_status(["shutoff"]) == (["stopped"], ["default"])
    vm, task = common.task_and_vm_state_from_status(["REBOOT"])
    assert vm == ["active"] and task == ["reboot_pending", "reboot_started", "rebooting"]
    assert common.task_and_vm_state_from_status(["NOPE"]) == ([], [])


def test_limit_and_marker(api_conf):
    assert common.get_limit_and_marker(webob.Request.blank("/servers")) == (1000, None)
    assert common.get_limit_and_marker(webob.Request.blank("/servers?limit=5000&marker=m")) == (1000, "m")
    with pytest.raises(webob.exc.HTTPBadRequest, match="limit param must be an integer"):
        common.get_limit_and_marker(webob.Request.blank("/servers?limit=x"))


def test_conflict_message():
    err = exception.InstanceInvalidState(attr="vm_state", instance_uuid="u", state="active", method="start")
    with pytest.raises(webob.exc.HTTPConflict) as raised:
        common.raise_http_conflict_for_instance_invalid_state(err, "start", "u")
    assert raised.value.explanation == "Cannot 'start' instance u while it is in vm_state active"


def test_remove_trailing_version():
    assert common.remove_trailing_version_from_href("http://h:8774/v2.1") == "http://h:8774"
    with pytest.raises(ValueError):
        common.remove_trailing_version_from_href("http://h:8774/servers")
