"""Who may do what: Nova's policy rules, kept as plain data.

Nova reads rules like ``"os_compute_api:servers:show": "rule:admin_or_owner"``
from ``policy.json`` through oslo.policy. Here every rule is one of four kinds:

- ``"@"``: anyone who got past authentication;
- ``"admin_api"``: only a context with ``is_admin``;
- ``"admin_or_owner"``: an admin, or a caller whose project owns the target;
- ``"admin_or_user"``: an admin, or the user the target belongs to (Nova's
  ``"rule:admin_api or user_id:%(user_id)s"``, for key pairs).

``RULES`` is an ordinary dict: a lesson may tighten a rule with
``policy.RULES["os_compute_api:servers:index"] = "admin_api"`` and call
``policy.reset()`` afterwards.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sample_api import exception

if TYPE_CHECKING:
    from sample_api.context import RequestContext

ANYONE = "@"
ADMIN_API = "admin_api"
ADMIN_OR_OWNER = "admin_or_owner"
ADMIN_OR_USER = "admin_or_user"

#: The rule used for an action that has no rule of its own (as Nova's "default").
DEFAULT_RULE = ADMIN_OR_OWNER

DEFAULT_RULES: dict[str, str] = {
    "os_compute_api:servers:index": ADMIN_OR_OWNER,
    "os_compute_api:servers:detail": ADMIN_OR_OWNER,
    "os_compute_api:servers:index:get_all_tenants": ADMIN_API,
    "os_compute_api:servers:detail:get_all_tenants": ADMIN_API,
    "os_compute_api:servers:show": ADMIN_OR_OWNER,
    "os_compute_api:servers:show:host_status": ADMIN_API,
    "os_compute_api:servers:create": ADMIN_OR_OWNER,
    "os_compute_api:servers:update": ADMIN_OR_OWNER,
    "os_compute_api:servers:delete": ADMIN_OR_OWNER,
    "os_compute_api:servers:reboot": ADMIN_OR_OWNER,
    "os_compute_api:servers:rebuild": ADMIN_OR_OWNER,
    "os_compute_api:servers:start": ADMIN_OR_OWNER,
    "os_compute_api:servers:stop": ADMIN_OR_OWNER,
    "os_compute_api:os-extended-status": ADMIN_OR_OWNER,
    "os_compute_api:os-extended-server-attributes": ADMIN_API,
    "os_compute_api:os-pause-server:pause": ADMIN_OR_OWNER,
    "os_compute_api:os-pause-server:unpause": ADMIN_OR_OWNER,
    "os_compute_api:os-keypairs:index": ADMIN_OR_USER,
    "os_compute_api:os-keypairs:show": ADMIN_OR_USER,
    "os_compute_api:os-keypairs:create": ADMIN_OR_USER,
    "os_compute_api:os-keypairs:delete": ADMIN_OR_USER,
}

#: The rules in force; start as a copy of DEFAULT_RULES.
RULES: dict[str, str] = dict(DEFAULT_RULES)


def reset() -> None:
    """Forget any changed rule and go back to DEFAULT_RULES."""
    RULES.clear()
    RULES.update(DEFAULT_RULES)


def _check(kind: str, context: RequestContext, target: dict) -> bool:
    """Evaluate one rule kind; an unknown kind denies, so a typo never opens a door."""
    if kind == ANYONE:
        return True
    if kind == ADMIN_API:
        return bool(context.is_admin)
    if kind == ADMIN_OR_OWNER:
        return bool(context.is_admin) or context.project_id == target.get("project_id")
    if kind == ADMIN_OR_USER:
        return bool(context.is_admin) or context.user_id == target.get("user_id")
    return False


def authorize(context: RequestContext, action: str, target: dict, fatal: bool = True) -> bool:
    """Check ``action`` for ``context`` against ``target`` (usually ``{"project_id": ...}``).

    With ``fatal`` a refusal raises ``PolicyNotAuthorized`` (a 403 once the
    resource layer sees it); without, it just returns False, which is how an
    extension asks "may this caller see the extra keys?".
    """
    allowed = _check(RULES.get(action, DEFAULT_RULE), context, target)
    if not allowed and fatal:
        raise exception.PolicyNotAuthorized(action=action)
    return allowed
