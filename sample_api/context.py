"""The security context of one request, as ``nova.context.RequestContext``.

The auth middleware builds it and stores it in ``environ['nova.context']``;
controllers read it to scope database queries and to check policy.
"""

from __future__ import annotations

import uuid

from sample_api import policy


def generate_request_id() -> str:
    return "req-" + str(uuid.uuid4())


class RequestContext:
    """Who is asking (user, project, roles) and under which request id."""

    def __init__(
        self,
        user_id: str | None,
        project_id: str | None,
        is_admin: bool | None = None,
        roles: list[str] | None = None,
        request_id: str | None = None,
        read_deleted: str = "no",
    ) -> None:
        self.user_id = user_id
        self.project_id = project_id
        self.roles = list(roles or [])
        if is_admin is None:
            is_admin = "admin" in [role.lower() for role in self.roles]
        self.is_admin = is_admin
        self.request_id = request_id or generate_request_id()
        self.read_deleted = read_deleted

    def can(self, action: str, target: dict | None = None, fatal: bool = True) -> bool:
        """Check a policy rule for this context (``nova.context.RequestContext.can``)."""
        if target is None:
            target = {"project_id": self.project_id, "user_id": self.user_id}
        return policy.authorize(self, action, target, fatal=fatal)

    def elevated(self) -> RequestContext:
        """A copy of this context with admin rights, for internal lookups."""
        ctx = RequestContext(self.user_id, self.project_id, True, self.roles + ["admin"], self.request_id)
        return ctx

    def to_dict(self) -> dict:
        return {
            "user_id": self.user_id,
            "project_id": self.project_id,
            "is_admin": self.is_admin,
            "roles": list(self.roles),
            "request_id": self.request_id,
        }

    def __repr__(self) -> str:
        return (
            f"<RequestContext user_id={self.user_id!r} project_id={self.project_id!r} "
            f"is_admin={self.is_admin} request_id={self.request_id!r}>"
        )
