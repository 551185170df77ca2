"""The ``os-keypairs`` collection: a user's SSH keys, injected into new servers.

A resource extension: ``get_resources()`` returns a ``ResourceExtension``, and
the router gives it its own routes (``/os-keypairs``, ``/os-keypairs/{id}``),
where ``id`` is the key pair's *name*. Key pairs belong to the calling user.
Status codes are those of 2.1: create 200, delete 202 (2.2 changed them).
"""

from __future__ import annotations

import webob.exc

from sample_api import exception
from sample_api.api import validation
from sample_api.api.openstack import extensions, wsgi
from sample_api.api.openstack.compute.schemas import keypairs
from sample_api.compute import api as compute_api

ALIAS = "os-keypairs"


def _strtime(value) -> str | None:
    """Keypair times are printed as Nova's JSON encoder printed datetimes: with microseconds."""
    return value.strftime("%Y-%m-%dT%H:%M:%S.%f") if value else None


class KeypairController(wsgi.Controller):
    """List, show, import or generate, and delete the caller's key pairs."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.api = compute_api.KeypairAPI()

    @staticmethod
    def _filter_keypair(keypair: dict, **attrs: bool) -> dict:
        """The three keys every answer has, plus the ones asked for."""
        clean = {"name": keypair["name"], "public_key": keypair["public_key"],
                 "fingerprint": keypair["fingerprint"]}
        for attr in attrs:
            clean[attr] = keypair[attr]
        return clean

    @validation.schema(keypairs.create)
    def create(self, req: wsgi.Request, body: dict) -> dict:
        """Import ``public_key`` if given; otherwise generate a pair and return its ``private_key`` once."""
        context = req.environ["nova.context"]
        context.can(f"os_compute_api:{ALIAS}:create")
        params = body["keypair"]
        name = params["name"]
        try:
            if "public_key" in params:
                keypair = self.api.import_key_pair(context, context.user_id, name, params["public_key"])
                return {"keypair": self._filter_keypair(keypair, user_id=True)}
            keypair, private_key = self.api.create_key_pair(context, context.user_id, name)
        except exception.KeyPairExists as exc:
            raise webob.exc.HTTPConflict(explanation=exc.format_message()) from None
        except exception.InvalidKeypair as exc:
            raise webob.exc.HTTPBadRequest(explanation=exc.format_message()) from None
        keypair = self._filter_keypair(keypair, user_id=True)
        keypair["private_key"] = private_key
        return {"keypair": keypair}

    @wsgi.response(202)
    def delete(self, req: wsgi.Request, id: str) -> None:
        """``DELETE /os-keypairs/{name}``: 202 and no body at 2.1."""
        context = req.environ["nova.context"]
        context.can(f"os_compute_api:{ALIAS}:delete")
        try:
            self.api.delete_key_pair(context, context.user_id, id)
        except exception.KeypairNotFound as exc:
            raise webob.exc.HTTPNotFound(explanation=exc.format_message()) from None

    def show(self, req: wsgi.Request, id: str) -> dict:
        """``GET /os-keypairs/{name}``: the only view with ids and timestamps."""
        context = req.environ["nova.context"]
        context.can(f"os_compute_api:{ALIAS}:show")
        try:
            keypair = self.api.get_key_pair(context, context.user_id, id)
        except exception.KeypairNotFound as exc:
            raise webob.exc.HTTPNotFound(explanation=exc.format_message()) from None
        shown = self._filter_keypair(keypair, id=True, user_id=True)
        shown.update({"created_at": _strtime(keypair["created_at"]), "updated_at": _strtime(keypair["updated_at"]),
                      "deleted": False, "deleted_at": None})
        return {"keypair": shown}

    def index(self, req: wsgi.Request) -> dict:
        """``GET /os-keypairs``: note the extra nesting, ``{"keypairs": [{"keypair": {...}}]}``."""
        context = req.environ["nova.context"]
        context.can(f"os_compute_api:{ALIAS}:index")
        key_pairs = self.api.get_key_pairs(context, context.user_id)
        return {"keypairs": [{"keypair": self._filter_keypair(kp)} for kp in key_pairs]}


class Keypairs(extensions.ExtensionDescriptor):
    """Keypair Support."""

    name = "Keypairs"
    alias = ALIAS
    namespace = "http://docs.openstack.org/compute/ext/keypairs/api/v1.1"
    updated = "2011-08-08T00:00:00Z"

    def get_resources(self) -> list[extensions.ResourceExtension]:
        return [extensions.ResourceExtension(ALIAS, KeypairController())]
