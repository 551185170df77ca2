"""The servers controller: ``/servers``, ``/servers/detail``, ``/servers/{id}`` and its actions.

Shaped like Nova Kilo's ``ServersController``. Each method takes the request
(and the URL's ``id``, and the JSON ``body`` for POST/PUT), asks
``compute.API`` to do the work, and hands the rows to the view builder.
Errors leave as ``webob.exc`` exceptions; the resource layer turns them into
Nova's fault JSON.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime

import webob.exc as exc

from sample_api import compute, exception
from sample_api.api import validation
from sample_api.api.openstack import api_version_request, common, wsgi
from sample_api.api.openstack.compute.schemas import servers as schema_servers
from sample_api.api.openstack.compute.views import servers as views_servers
from sample_api.compute import flavors
from sample_api.context import RequestContext

LOG = logging.getLogger(__name__)


def remove_invalid_options(context: RequestContext, search_options: dict, allowed_search_options: tuple) -> None:
    """Silently drop the query options a non-admin may not use (admins keep them all)."""
    if context.is_admin:
        return
    unknown_options = [opt for opt in search_options if opt not in allowed_search_options]
    if unknown_options:
        LOG.debug("Removing options '%s' from query", ", ".join(unknown_options))
    for opt in unknown_options:
        search_options.pop(opt, None)


def _target(instance: dict) -> dict:
    """The policy target of a server: who owns it."""
    return {"project_id": instance["project_id"], "user_id": instance["user_id"]}


class ServersController(wsgi.Controller):
    """The core servers API; extensions add keys (``@wsgi.extends``) and actions (``@wsgi.action``)."""

    _view_builder_class = views_servers.ViewBuilder

    def __init__(self, ext_mgr=None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.compute_api = compute.API()
        self.ext_mgr = ext_mgr

    @staticmethod
    def _get_server_search_options() -> tuple[str, ...]:
        """The query options a non-admin may use when listing servers."""
        return ("reservation_id", "name", "status", "image", "flavor", "ip", "changes-since", "all_tenants")

    def index(self, req: wsgi.Request) -> dict:
        """``GET /servers``: id, name and links of each server."""
        try:
            servers = self._get_servers(req, is_detail=False)
        except exception.Invalid as err:
            raise exc.HTTPBadRequest(explanation=err.format_message()) from None
        return servers

    def detail(self, req: wsgi.Request) -> dict:
        """``GET /servers/detail``: every key of each server."""
        try:
            servers = self._get_servers(req, is_detail=True)
        except exception.Invalid as err:
            raise exc.HTTPBadRequest(explanation=err.format_message()) from None
        return servers

    def _get_servers(self, req: wsgi.Request, is_detail: bool) -> dict:
        """Turn the query string into search options, query, and build the list view.

        Watch ``search_opts`` change: non-admin options dropped, ``status`` turned
        into vm_states, ``project_id`` added unless an admin asked for ``all_tenants``.
        """
        context = req.environ["nova.context"]
        context.can("os_compute_api:servers:detail" if is_detail else "os_compute_api:servers:index")

        search_opts = dict(req.GET.items())
        remove_invalid_options(context, search_opts, self._get_server_search_options())

        # status=SHUTOFF means vm_state "stopped": the database knows no statuses.
        search_opts.pop("status", None)
        if "status" in req.GET:
            vm_state, task_state = common.task_and_vm_state_from_status(req.GET.getall("status"))
            if not vm_state and not task_state:
                return {"servers": []}
            search_opts["vm_state"] = vm_state
            # "default" means the status holds whatever the task: no task filter then.
            if "default" not in task_state:
                search_opts["task_state"] = task_state

        if "changes-since" in search_opts:
            try:
                search_opts["changes-since"] = datetime.fromisoformat(
                    search_opts["changes-since"].replace("Z", "+00:00")).replace(tzinfo=None)
            except ValueError:
                raise exc.HTTPBadRequest(explanation="Invalid changes-since value") from None

        search_opts.pop("deleted", None)
        if search_opts.get("vm_state") == ["deleted"]:
            if not context.is_admin:
                raise exc.HTTPForbidden(explanation="Only administrators may list deleted instances")
            search_opts["deleted"] = True

        # A bare ?all_tenants means yes; ?all_tenants=0 (or false) means no.
        all_tenants = search_opts.get("all_tenants")
        if all_tenants:
            try:
                if not common.bool_from_string(all_tenants, strict=True):
                    del search_opts["all_tenants"]
            except ValueError as err:
                raise exception.InvalidInput(reason=str(err)) from None

        elevated = None
        if "all_tenants" in search_opts:
            action = "detail" if is_detail else "index"
            context.can(f"os_compute_api:servers:{action}:get_all_tenants")
            del search_opts["all_tenants"]
            elevated = context.elevated()
        else:
            search_opts["project_id"] = context.project_id

        limit, marker = common.get_limit_and_marker(req)
        try:
            instance_list = self.compute_api.get_all(
                elevated or context, search_opts=search_opts, limit=limit, marker=marker)
        except exception.MarkerNotFound:
            raise exc.HTTPBadRequest(explanation=f"marker [{marker}] not found") from None
        except exception.FlavorNotFound:
            LOG.debug("Flavor '%s' could not be found", search_opts.get("flavor"))
            instance_list = []

        # Extensions will ask for these rows by id instead of querying again.
        req.cache_db_instances(instance_list)
        if is_detail:
            self._add_instance_faults(context, instance_list)
            response = self._view_builder.detail(req, instance_list, show_host_status=self._show_host_status(req))
        else:
            response = self._view_builder.index(req, instance_list)
        return response

    def _add_instance_faults(self, context: RequestContext, instances: list[dict]) -> None:
        """Attach each server's latest fault; the view shows it only for ERROR servers."""
        faults = self.compute_api.get_instance_faults(context, instances)
        for instance in instances:
            instance_faults = faults.get(instance["uuid"]) or [None]
            instance["fault"] = instance_faults[0]

    def _get_server(self, context: RequestContext, req: wsgi.Request, instance_uuid: str) -> dict:
        """Load one server (404 if this caller cannot see it) and cache it for the extensions."""
        instance = common.get_instance(self.compute_api, context, instance_uuid)
        req.cache_db_instance(instance)
        return instance

    def show(self, req: wsgi.Request, id: str) -> dict:
        """``GET /servers/{id}``: one server, with the same keys as an item of detail."""
        context = req.environ["nova.context"]
        instance = self._get_server(context, req, id)
        context.can("os_compute_api:servers:show", _target(instance))
        self._add_instance_faults(context, [instance])
        return self._view_builder.show(req, instance, show_host_status=self._show_host_status(req))

    @staticmethod
    def _show_host_status(req: wsgi.Request) -> bool:
        """From microversion 2.16, servers show ``host_status`` to whom policy allows (admins by default)."""
        if not api_version_request.is_supported(req, min_version="2.16"):
            return False
        context = req.environ["nova.context"]
        return context.can("os_compute_api:servers:show:host_status", fatal=False)

    @wsgi.response(202)
    @validation.schema(schema_servers.create, "2.1", "2.18")
    @validation.schema(schema_servers.create_v219, "2.19")
    def create(self, req: wsgi.Request, body: dict) -> wsgi.ResponseObject:
        """``POST /servers``: 202, the new server's id and links, its ``adminPass`` and a ``Location``."""
        context = req.environ["nova.context"]
        server_dict = body["server"]
        context.can("os_compute_api:servers:create",
                    {"project_id": context.project_id, "user_id": context.user_id})
        password = self._get_server_admin_password(server_dict)
        image_uuid = self._image_from_req_data(server_dict)
        flavor_id = common.get_id_from_href(server_dict["flavorRef"])
        min_count = server_dict.get("min_count", 1)
        max_count = server_dict.get("max_count", min_count)
        min_count = _validate_count(min_count, "min_count")
        max_count = _validate_count(max_count, "max_count")
        if min_count > max_count:
            raise exc.HTTPBadRequest(explanation="min_count must be <= max_count")

        try:
            inst_type = flavors.get_flavor_by_flavor_id(flavor_id, ctxt=context)
            instances = self.compute_api.create(
                context, inst_type, image_uuid,
                display_name=server_dict["name"],
                metadata=server_dict.get("metadata", {}),
                key_name=server_dict.get("key_name"),
                availability_zone=server_dict.get("availability_zone"),
                min_count=min_count, max_count=max_count,
                access_ip_v4=server_dict.get("accessIPv4"),
                access_ip_v6=server_dict.get("accessIPv6"),
                config_drive=common.bool_from_string(server_dict.get("config_drive", False)),
                auto_disk_config=server_dict.get("OS-DCF:diskConfig") == "AUTO",
                description=server_dict.get("description"),
            )
        except exception.QuotaError as error:
            raise exc.HTTPForbidden(explanation=error.format_message(), headers={"Retry-After": "0"}) from None
        except exception.FlavorNotFound:
            raise exc.HTTPBadRequest(explanation="Invalid flavorRef provided.") from None
        except exception.KeypairNotFound:
            raise exc.HTTPBadRequest(explanation="Invalid key_name provided.") from None
        except (exception.ImageNotFound, exception.ImageNotActive, exception.Invalid) as error:
            raise exc.HTTPBadRequest(explanation=error.format_message()) from None

        req.cache_db_instances(instances)
        server = self._view_builder.create(req, instances[0])
        server["server"]["adminPass"] = password
        return self._add_location(wsgi.ResponseObject(server))

    @staticmethod
    def _get_server_admin_password(server_dict: dict) -> str:
        """The password the user chose, or a generated one (returned once, never stored)."""
        if "adminPass" in server_dict:
            return server_dict["adminPass"]
        return compute.api.generate_password()

    @staticmethod
    def _image_from_req_data(server_dict: dict) -> str:
        """The image uuid from ``imageRef`` (a uuid or a link ending in one); "" when absent."""
        image_href = server_dict.get("imageRef")
        if not image_href:
            return ""
        image_uuid = common.get_id_from_href(image_href)
        try:
            uuid.UUID(image_uuid)
        except ValueError:
            raise exc.HTTPBadRequest(explanation="Invalid imageRef provided.") from None
        return image_uuid

    @staticmethod
    def _add_location(robj: wsgi.ResponseObject) -> wsgi.ResponseObject:
        """Point the ``Location`` header at the new server's self link."""
        for link in robj.obj["server"]["links"]:
            if link["rel"] == "self":
                robj["Location"] = link["href"]
        return robj

    @validation.schema(schema_servers.update, "2.1", "2.18")
    @validation.schema(schema_servers.update_v219, "2.19")
    def update(self, req: wsgi.Request, id: str, body: dict) -> dict:
        """``PUT /servers/{id}``: the name can change (from 2.19 the description too); answers with the server."""
        context = req.environ["nova.context"]
        instance = self._get_server(context, req, id)
        context.can("os_compute_api:servers:update", _target(instance))
        update_dict = {}
        if "name" in body["server"]:
            update_dict["display_name"] = body["server"]["name"]
        if "description" in body["server"]:  # only a 2.19 schema lets it through
            update_dict["display_description"] = body["server"]["description"]
        instance = self.compute_api.update(context, instance, **update_dict)
        # Kilo's show-only extensions never extended update: the answer is the server without their keys.
        return self._view_builder.show(req, instance, show_extension_keys=False)

    @wsgi.response(204)
    def delete(self, req: wsgi.Request, id: str) -> None:
        """``DELETE /servers/{id}``: 204 and no body."""
        context = req.environ["nova.context"]
        instance = self._get_server(context, req, id)
        context.can("os_compute_api:servers:delete", _target(instance))
        self.compute_api.delete(context, instance)

    @wsgi.response(202)
    @wsgi.action("reboot")
    @validation.schema(schema_servers.reboot)
    def _action_reboot(self, req: wsgi.Request, id: str, body: dict) -> None:
        """``{"reboot": {"type": "SOFT"|"HARD"}}``: any other type is stopped by the schema."""
        reboot_type = body["reboot"]["type"].upper()
        context = req.environ["nova.context"]
        instance = self._get_server(context, req, id)
        context.can("os_compute_api:servers:reboot", _target(instance))
        try:
            self.compute_api.reboot(context, instance, reboot_type)
        except exception.InstanceInvalidState as state_error:
            common.raise_http_conflict_for_instance_invalid_state(state_error, "reboot", id)

    @wsgi.response(202)
    @wsgi.action("rebuild")
    @validation.schema(schema_servers.rebuild, "2.1", "2.18")
    @validation.schema(schema_servers.rebuild_v219, "2.19")
    def _action_rebuild(self, req: wsgi.Request, id: str, body: dict) -> wsgi.ResponseObject:
        """``{"rebuild": {"imageRef": ...}}``: the server on a new image (from 2.19 a new description too);
        202 with the server as update shows it, its new ``adminPass`` and a ``Location``."""
        rebuild_dict = body["rebuild"]
        context = req.environ["nova.context"]
        instance = self._get_server(context, req, id)
        context.can("os_compute_api:servers:rebuild", _target(instance))
        image_uuid = self._image_from_req_data(rebuild_dict)
        password = self._get_server_admin_password(rebuild_dict)
        changes = {new: rebuild_dict[old] for old, new in self._rebuild_fields.items() if old in rebuild_dict}
        if "OS-DCF:diskConfig" in rebuild_dict:
            changes["auto_disk_config"] = int(rebuild_dict["OS-DCF:diskConfig"] == "AUTO")
        try:
            instance = self.compute_api.rebuild(context, instance, image_uuid, **changes)
        except exception.InstanceInvalidState as state_error:
            common.raise_http_conflict_for_instance_invalid_state(state_error, "rebuild", id)
        except exception.ImageNotFound:
            raise exc.HTTPBadRequest(explanation="Cannot find image for rebuild") from None
        except exception.ImageNotActive as error:
            raise exc.HTTPBadRequest(explanation=error.format_message()) from None
        view = self._view_builder.show(req, instance, show_extension_keys=False)
        view["server"]["adminPass"] = password
        return self._add_location(wsgi.ResponseObject(view))

    #: rebuild's optional fields and the columns they change ("description" passes the schema from 2.19 only)
    _rebuild_fields = {"name": "display_name", "description": "display_description", "metadata": "metadata",
                       "accessIPv4": "access_ip_v4", "accessIPv6": "access_ip_v6"}

    @wsgi.response(202)
    @wsgi.action("os-start")
    def _start_server(self, req: wsgi.Request, id: str, body: dict) -> None:
        """``{"os-start": null}``: only a SHUTOFF server can start (else 409)."""
        context = req.environ["nova.context"]
        instance = self._get_server(context, req, id)
        context.can("os_compute_api:servers:start", _target(instance))
        try:
            self.compute_api.start(context, instance)
        except exception.InstanceInvalidState as state_error:
            common.raise_http_conflict_for_instance_invalid_state(state_error, "start", id)

    @wsgi.response(202)
    @wsgi.action("os-stop")
    def _stop_server(self, req: wsgi.Request, id: str, body: dict) -> None:
        """``{"os-stop": null}``: an ACTIVE (or ERROR) server becomes SHUTOFF."""
        context = req.environ["nova.context"]
        instance = self._get_server(context, req, id)
        context.can("os_compute_api:servers:stop", _target(instance))
        try:
            self.compute_api.stop(context, instance)
        except exception.InstanceInvalidState as state_error:
            common.raise_http_conflict_for_instance_invalid_state(state_error, "stop", id)


def _validate_count(value: object, name: str) -> int:
    """``min_count``/``max_count`` as an int of at least 1, else Nova's 400 (``nova.utils.validate_integer``).

    The schema lets counts come as strings of digits ("2", but also "" or "0"): those are checked here.
    """
    try:
        number = int(str(value))
    except (ValueError, UnicodeEncodeError):  # "" or digits past Python's conversion limit
        number = None
    if number is None:
        reason = f"{name} must be an integer"
    elif number < 1:
        reason = f"{name} must be >= 1"
    else:
        return number
    raise exc.HTTPBadRequest(explanation=exception.InvalidInput(reason=reason).format_message())


def create_resource(ext_mgr=None) -> wsgi.Resource:
    """What the router mounts at ``/servers``: the controller wrapped in a ``Resource``."""
    return wsgi.Resource(ServersController(ext_mgr))
