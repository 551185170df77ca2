"""compute.API: state checks and the synchronous state changes of each action."""

from __future__ import annotations

import pytest

from sample_api import compute, context, db, db_seed, exception
from sample_api.compute import api as compute_api
from sample_api.compute import power_state, vm_states

ADMIN = context.RequestContext("admin", "admin", is_admin=True)
DEMO = context.RequestContext("demo", "demo")


@pytest.fixture
def api():
    db.configure(None)
    return compute.API()


def get(uuid: str) -> dict:
    return db.instance_get_by_uuid(ADMIN, uuid)


@pytest.mark.parametrize(("method", "uuid", "vm_state", "power"), [
    ("stop", db_seed.WEB_01, vm_states.STOPPED, power_state.SHUTDOWN),
    ("start", db_seed.BATCH_01, vm_states.ACTIVE, power_state.RUNNING),
    ("pause", db_seed.WEB_01, vm_states.PAUSED, power_state.PAUSED),
    ("unpause", db_seed.DEMO_NOTEBOOK, vm_states.ACTIVE, power_state.RUNNING),
])
def test_actions_reach_their_end_state_at_once(api, method, uuid, vm_state, power):
    getattr(api, method)(ADMIN, get(uuid))
    after = get(uuid)
    assert (after["vm_state"], after["power_state"], after["task_state"]) == (vm_state, power, None)


@pytest.mark.parametrize(("method", "uuid", "state"), [
    ("start", db_seed.WEB_01, "active"),
    ("stop", db_seed.BATCH_01, "stopped"),
    ("pause", db_seed.DEMO_NOTEBOOK, "paused"),
    ("unpause", db_seed.WEB_01, "active"),
])
def test_wrong_state_raises_instance_invalid_state(api, method, uuid, state):
    with pytest.raises(exception.InstanceInvalidState) as err:
        getattr(api, method)(ADMIN, get(uuid))
    assert err.value.kwargs == {"attr": "vm_state", "instance_uuid": uuid, "state": state, "method": method}
    assert get(uuid)["vm_state"] == state  # nothing changed


def test_reboot_rules(api):
    api.reboot(ADMIN, get(db_seed.WEB_01), "SOFT")
    assert get(db_seed.WEB_01)["vm_state"] == vm_states.ACTIVE
    with pytest.raises(exception.InstanceInvalidState):
        api.reboot(ADMIN, get(db_seed.BATCH_01), "SOFT")
    api.reboot(ADMIN, get(db_seed.DEMO_BROKEN), "HARD")
    assert get(db_seed.DEMO_BROKEN)["vm_state"] == vm_states.ACTIVE


def test_get_all_renames_api_options_to_columns(api):
    found = api.get_all(ADMIN, {"name": "web", "flavor": "2", "image": db_seed.UBUNTU, "project_id": "admin"})
    assert [i["display_name"] for i in found] == ["web-02", "web-01"]
    with pytest.raises(exception.FlavorNotFound):
        api.get_all(ADMIN, {"flavor": "404"})


def test_get_is_project_scoped(api):
    with pytest.raises(exception.InstanceNotFound):
        api.get(DEMO, db_seed.WEB_01)


def test_create(api):
    flavor = db.flavor_get_by_flavor_id(DEMO, "1")
    [instance] = api.create(DEMO, flavor, db_seed.CIRROS, "notes", metadata={"k": "v"}, key_name="demo-key")
    assert (instance["project_id"], instance["user_id"], instance["vm_state"]) == ("demo", "demo", "active")
    assert instance["info_cache"]["network_info"][0]["address"] == "10.0.0.10"
    two = api.create(DEMO, flavor, "", "pair", max_count=2)
    assert [i["display_name"] for i in two] == ["pair-1", "pair-2"]


@pytest.mark.parametrize(("kwargs", "error"), [
    ({"image_href": "00000000-0000-0000-0000-000000000000"}, exception.ImageNotFound),
    ({"image_href": db_seed.SNAPSHOT}, exception.ImageNotActive),
    ({"key_name": "admin-key"}, exception.KeypairNotFound),  # another user's key
    ({"availability_zone": "elsewhere"}, exception.InvalidRequest),
    ({"min_count": 2, "max_count": 1}, exception.InvalidInput),
])
def test_create_checks(api, kwargs, error):
    flavor = db.flavor_get_by_flavor_id(DEMO, "1")
    kwargs.setdefault("image_href", db_seed.CIRROS)
    with pytest.raises(error):
        api.create(DEMO, flavor, display_name="x", **kwargs)


def test_delete(api):
    api.delete(ADMIN, get(db_seed.WEB_02))
    with pytest.raises(exception.InstanceNotFound):
        get(db_seed.WEB_02)


def test_generate_password():
    password = compute_api.generate_password()
    assert len(password) == 12 and password.isalnum()
    assert password != compute_api.generate_password()


def test_keypair_api_imports_with_fingerprint(api):
    keypairs = compute_api.KeypairAPI()
    keypair = keypairs.import_key_pair(DEMO, "demo", "copy", db_seed.ADMIN_KEY)
    assert keypair["fingerprint"] == "9e:8a:40:f8:66:00:09:32:66:2b:8d:7f:a0:59:bc:8f"
    with pytest.raises(exception.InvalidKeypair):
        keypairs.import_key_pair(DEMO, "demo", "junk", "ssh-rsa !!!")
