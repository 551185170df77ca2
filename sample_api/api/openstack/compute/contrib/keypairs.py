"""The ``os-keypairs`` collection: a user's SSH keys, injected into new servers.

A resource extension: ``get_resources()`` returns a ``ResourceExtension``, and
the router gives it its own routes (``/os-keypairs``, ``/os-keypairs/{id}``),
where ``id`` is the key pair's *name*. Key pairs belong to the calling user.

Microversion 2.2 is Nova's example of per-method versioning: each of create,
delete and index is defined twice, with ``@wsgi.Controller.api_version``, and a
request runs the definition whose range holds its version. From 2.2 a key pair
has a ``type`` (``ssh`` or ``x509``), create answers 201 instead of 200 and
delete 204 instead of 202. From 2.10 an admin may act on another user's key
pairs: ``user_id`` in the body of create, ``?user_id=`` on list, show and
delete (the policy lets an admin, or the user the key pairs belong to).
"""

from __future__ import annotations

import webob.exc

from sample_api import exception
from sample_api.api import validation
from sample_api.api.openstack import api_version_request, extensions, wsgi
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

    @staticmethod
    def _user_id_asked(req: wsgi.Request) -> str | None:
        """``?user_id=`` (2.10 and later): whose key pairs an admin means; None for the caller's own."""
        return req.GET.getall("user_id")[0] if "user_id" in req.GET else None

    @wsgi.Controller.api_version("2.10")
    @wsgi.response(201)
    @validation.schema(keypairs.create_v210)
    def create(self, req: wsgi.Request, body: dict) -> dict:
        """2.10 and later: as 2.2, and an admin may give the ``user_id`` the key pair is for."""
        return self._create(req, body, user_id=body["keypair"].get("user_id"), type=True)

    @wsgi.Controller.api_version("2.2", "2.9")  # noqa: F811
    @wsgi.response(201)
    @validation.schema(keypairs.create_v22)
    def create(self, req: wsgi.Request, body: dict) -> dict:  # noqa: F811
        """2.2 to 2.9: the key's ``type`` may be given (ssh by default), and is shown."""
        return self._create(req, body, type=True)

    @wsgi.Controller.api_version("2.1", "2.1")  # noqa: F811  (one definition per range of versions)
    @validation.schema(keypairs.create)
    def create(self, req: wsgi.Request, body: dict) -> dict:  # noqa: F811
        """2.1: an ssh key, answered with 200."""
        return self._create(req, body)

    def _create(self, req: wsgi.Request, body: dict, user_id: str | None = None, **shown: bool) -> dict:
        """Import ``public_key`` if given; otherwise generate a pair and return its ``private_key`` once."""
        context = req.environ["nova.context"]
        user_id = user_id or context.user_id
        context.can(f"os_compute_api:{ALIAS}:create", {"user_id": user_id, "project_id": context.project_id})
        params = body["keypair"]
        name = params["name"]
        key_type = params.get("type", "ssh")
        try:
            if "public_key" in params:
                keypair = self.api.import_key_pair(context, user_id, name, params["public_key"], key_type)
                return {"keypair": self._filter_keypair(keypair, user_id=True, **shown)}
            keypair, private_key = self.api.create_key_pair(context, user_id, name, key_type)
        except exception.KeyPairExists as exc:
            raise webob.exc.HTTPConflict(explanation=exc.format_message()) from None
        except exception.InvalidKeypair as exc:
            raise webob.exc.HTTPBadRequest(explanation=exc.format_message()) from None
        keypair = self._filter_keypair(keypair, user_id=True, **shown)
        keypair["private_key"] = private_key
        return {"keypair": keypair}

    @wsgi.Controller.api_version("2.10")
    @wsgi.response(204)
    def delete(self, req: wsgi.Request, id: str) -> None:
        """2.10 and later: as 2.2, and ``?user_id=`` names whose key pair an admin deletes."""
        self._delete(req, id, user_id=self._user_id_asked(req))

    @wsgi.Controller.api_version("2.2", "2.9")  # noqa: F811
    @wsgi.response(204)
    def delete(self, req: wsgi.Request, id: str) -> None:  # noqa: F811
        """``DELETE /os-keypairs/{name}``: 204 and no body from 2.2."""
        self._delete(req, id)

    @wsgi.Controller.api_version("2.1", "2.1")  # noqa: F811
    @wsgi.response(202)
    def delete(self, req: wsgi.Request, id: str) -> None:  # noqa: F811
        """``DELETE /os-keypairs/{name}``: 202 and no body at 2.1."""
        self._delete(req, id)

    def _delete(self, req: wsgi.Request, id: str, user_id: str | None = None) -> None:
        context = req.environ["nova.context"]
        user_id = user_id or context.user_id
        context.can(f"os_compute_api:{ALIAS}:delete", {"user_id": user_id, "project_id": context.project_id})
        try:
            self.api.delete_key_pair(context, user_id, id)
        except exception.KeypairNotFound as exc:
            raise webob.exc.HTTPNotFound(explanation=exc.format_message()) from None

    @wsgi.Controller.api_version("2.10")
    def show(self, req: wsgi.Request, id: str) -> dict:
        """2.10 and later: ``?user_id=`` names whose key pair an admin sees."""
        return self._show(req, id, user_id=self._user_id_asked(req))

    @wsgi.Controller.api_version("2.1", "2.9")  # noqa: F811
    def show(self, req: wsgi.Request, id: str) -> dict:  # noqa: F811
        return self._show(req, id)

    def _show(self, req: wsgi.Request, id: str, user_id: str | None = None) -> dict:
        """``GET /os-keypairs/{name}``: the only view with ids and timestamps (and, from 2.2, the type)."""
        context = req.environ["nova.context"]
        user_id = user_id or context.user_id
        context.can(f"os_compute_api:{ALIAS}:show", {"user_id": user_id, "project_id": context.project_id})
        try:
            keypair = self.api.get_key_pair(context, user_id, id)
        except exception.KeypairNotFound as exc:
            raise webob.exc.HTTPNotFound(explanation=exc.format_message()) from None
        with_type = api_version_request.is_supported(req, min_version="2.2")
        shown = self._filter_keypair(keypair, id=True, user_id=True, **({"type": True} if with_type else {}))
        shown.update({"created_at": _strtime(keypair["created_at"]), "updated_at": _strtime(keypair["updated_at"]),
                      "deleted": False, "deleted_at": None})
        return {"keypair": shown}

    @wsgi.Controller.api_version("2.10")
    def index(self, req: wsgi.Request) -> dict:
        """2.10 and later: as 2.2, and ``?user_id=`` names whose key pairs an admin lists."""
        return self._index(req, user_id=self._user_id_asked(req), type=True)

    @wsgi.Controller.api_version("2.2", "2.9")  # noqa: F811
    def index(self, req: wsgi.Request) -> dict:  # noqa: F811
        """2.2 to 2.9: each key pair with its type."""
        return self._index(req, type=True)

    @wsgi.Controller.api_version("2.1", "2.1")  # noqa: F811
    def index(self, req: wsgi.Request) -> dict:  # noqa: F811
        return self._index(req)

    def _index(self, req: wsgi.Request, user_id: str | None = None, **shown: bool) -> dict:
        """``GET /os-keypairs``: note the extra nesting, ``{"keypairs": [{"keypair": {...}}]}``."""
        context = req.environ["nova.context"]
        user_id = user_id or context.user_id
        context.can(f"os_compute_api:{ALIAS}:index", {"user_id": user_id, "project_id": context.project_id})
        key_pairs = self.api.get_key_pairs(context, user_id)
        return {"keypairs": [{"keypair": self._filter_keypair(kp, **shown)} for kp in key_pairs]}


class Keypairs(extensions.ExtensionDescriptor):
    """Keypair Support."""

    name = "Keypairs"
    alias = ALIAS
    namespace = "http://docs.openstack.org/compute/ext/keypairs/api/v1.1"
    updated = "2011-08-08T00:00:00Z"

    def get_resources(self) -> list[extensions.ResourceExtension]:
        return [extensions.ResourceExtension(ALIAS, KeypairController())]
