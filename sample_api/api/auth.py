"""The ``noauth2`` filter: who is asking, without keystone.

Real Nova asks keystone (``authtoken`` + ``keystonecontext``) to turn a token
into a user and a project. Nova Kilo also shipped this fake: the token *is*
``user:project``. Either way the result is the same object, a
``RequestContext`` in ``environ['nova.context']``, and that is what every
later hop reads.
"""

from __future__ import annotations

from typing import Any

import webob.dec
import webob.exc

from sample_api import context
from sample_api import wsgi as base_wsgi
from sample_api.api.compute_req_id import ENV_REQUEST_ID
from sample_api.api.openstack import wsgi

#: Keystone's user and project ids are at most 64 characters (its ``id`` columns); a longer "id" is a token.
MAX_ID_LENGTH = 64


class NoAuthMiddlewareBase(base_wsgi.Middleware):
    """Build a ``RequestContext`` from ``X-Auth-Token: user:project`` and ``X-Roles``."""

    def base_call(self, req: wsgi.Request) -> Any:
        token = req.headers.get("X-Auth-Token", "").strip()
        user_id, _sep, project_id = token.partition(":")
        user_id = user_id.strip()
        if not user_id:
            msg = "Authentication required: send the header X-Auth-Token with <user>:<project>"
            return wsgi.Fault(webob.exc.HTTPUnauthorized(explanation=msg))
        # a keystone UUID token (32 hex digits) fits: as Nova's noauth2 does, it is taken as user and project
        # (the tracer treats it as the secret it is wherever the rows that hold it show)
        project_id = project_id.strip() or user_id
        if len(user_id) > MAX_ID_LENGTH or len(project_id) > MAX_ID_LENGTH:
            # a real keystone token sent by mistake: taken as an identity it would be written into every row
            # the request creates, and show in every later listing
            msg = ("Authentication required: send the header X-Auth-Token with <user>:<project> "
                   f"(ids of at most {MAX_ID_LENGTH} "
                   "characters); a keystone token is not an identity here")
            return wsgi.Fault(webob.exc.HTTPUnauthorized(explanation=msg))
        roles = [role.strip() for role in req.headers.get("X-Roles", "").split(",") if role.strip()]
        if user_id == "admin" and "admin" not in roles:
            roles.append("admin")
        ctx = context.RequestContext(
            user_id,
            project_id,
            roles=roles,  # is_admin follows from the "admin" role
            request_id=req.environ.get(ENV_REQUEST_ID),
        )
        req.environ["nova.context"] = ctx
        return self.application


class NoAuthMiddleware(NoAuthMiddlewareBase):
    """``noauth2`` in api-paste.ini. Kilo handed out a fake token when none was sent; we answer 401."""

    @webob.dec.wsgify(RequestClass=wsgi.Request)
    def __call__(self, req: wsgi.Request) -> Any:
        return self.base_call(req)
