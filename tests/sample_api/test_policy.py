"""Policy rules as data: the three rule kinds and the fatal/soft checks."""

from __future__ import annotations

import pytest

from sample_api import exception, policy
from sample_api.context import RequestContext

ADMIN = RequestContext("admin", "admin", is_admin=True)
DEMO = RequestContext("demo", "demo")


@pytest.fixture(autouse=True)
def restore_rules():
    yield
    policy.reset()


def test_admin_or_owner():
    action = "os_compute_api:servers:show"
    assert policy.authorize(DEMO, action, {"project_id": "demo"})
    assert policy.authorize(ADMIN, action, {"project_id": "demo"})
    with pytest.raises(exception.PolicyNotAuthorized) as err:
        policy.authorize(DEMO, action, {"project_id": "admin"})
    assert err.value.format_message() == f"Policy doesn't allow {action} to be performed."


def test_admin_api():
    assert policy.authorize(ADMIN, "os_compute_api:servers:detail:get_all_tenants", {})
    with pytest.raises(exception.Forbidden):
        policy.authorize(DEMO, "os_compute_api:servers:detail:get_all_tenants", {"project_id": "demo"})


def test_soft_check_returns_false():
    assert policy.authorize(DEMO, "os_compute_api:os-extended-server-attributes", {}, fatal=False) is False


def test_context_can_uses_its_own_project_as_target():
    assert DEMO.can("os_compute_api:servers:index")
    assert not DEMO.can("os_compute_api:servers:index:get_all_tenants", fatal=False)


def test_unknown_action_falls_back_to_admin_or_owner():
    assert policy.authorize(DEMO, "os_compute_api:not-a-rule", {"project_id": "demo"})
    assert not policy.authorize(DEMO, "os_compute_api:not-a-rule", {"project_id": "x"}, fatal=False)


def test_rules_can_be_changed_and_reset():
    policy.RULES["os_compute_api:servers:index"] = policy.ADMIN_API
    assert not DEMO.can("os_compute_api:servers:index", fatal=False)
    policy.RULES["os_compute_api:servers:index"] = policy.ANYONE
    assert DEMO.can("os_compute_api:servers:index", {"project_id": "someone-else"})
    policy.RULES["os_compute_api:servers:index"] = "typo_rule"
    assert not ADMIN.can("os_compute_api:servers:index", fatal=False)
    policy.reset()
    assert policy.RULES == policy.DEFAULT_RULES


def test_every_rule_uses_a_known_kind():
    assert set(policy.DEFAULT_RULES.values()) <= {policy.ANYONE, policy.ADMIN_API, policy.ADMIN_OR_OWNER,
                                                  policy.ADMIN_OR_USER}


def test_admin_or_user_lets_an_admin_or_the_user_the_target_belongs_to():
    rule = "os_compute_api:os-keypairs:index"
    assert DEMO.can(rule, {"user_id": DEMO.user_id, "project_id": "someone-else"})
    assert not DEMO.can(rule, {"user_id": "admin", "project_id": DEMO.project_id}, fatal=False)
    assert ADMIN.can(rule, {"user_id": DEMO.user_id, "project_id": DEMO.project_id})
