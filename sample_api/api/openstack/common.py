"""Helpers every compute controller shares, as ``nova.api.openstack.common``.

Three jobs: map (vm_state, task_state) to the one ``status`` word users see,
read ``limit``/``marker`` from the query string, and build links (the base
``ViewBuilder``).
"""

from __future__ import annotations

import re
import urllib.parse
from datetime import datetime

import webob.exc

from sample_api import conf, exception
from sample_api.compute import task_states, vm_states

# For each vm_state: the status while no task runs ("default"), and the status
# while a given task runs. A state missing here shows as UNKNOWN.
_STATE_MAP: dict[str, dict[str | None, str]] = {
    vm_states.ACTIVE: {
        "default": "ACTIVE",
        task_states.REBOOTING: "REBOOT",
        task_states.REBOOT_PENDING: "REBOOT",
        task_states.REBOOT_STARTED: "REBOOT",
        task_states.REBOOTING_HARD: "HARD_REBOOT",
        task_states.REBOOT_PENDING_HARD: "HARD_REBOOT",
        task_states.REBOOT_STARTED_HARD: "HARD_REBOOT",
        task_states.REBUILDING: "REBUILD",
        task_states.MIGRATING: "MIGRATING",
        task_states.RESIZE_PREP: "RESIZE",
        task_states.RESIZE_MIGRATING: "RESIZE",
        task_states.RESIZE_FINISH: "RESIZE",
    },
    vm_states.BUILDING: {"default": "BUILD"},
    vm_states.STOPPED: {"default": "SHUTOFF", task_states.REBUILDING: "REBUILD"},
    vm_states.RESIZED: {"default": "VERIFY_RESIZE", task_states.RESIZE_REVERTING: "REVERT_RESIZE"},
    vm_states.PAUSED: {"default": "PAUSED", task_states.MIGRATING: "MIGRATING"},
    vm_states.SUSPENDED: {"default": "SUSPENDED"},
    vm_states.RESCUED: {"default": "RESCUE"},
    vm_states.ERROR: {"default": "ERROR", task_states.REBUILDING: "REBUILD"},
    vm_states.DELETED: {"default": "DELETED"},
    vm_states.SOFT_DELETED: {"default": "SOFT_DELETED"},
    vm_states.SHELVED: {"default": "SHELVED"},
    vm_states.SHELVED_OFFLOADED: {"default": "SHELVED_OFFLOADED"},
}


def status_from_state(vm_state: str | None, task_state: str | None = "default") -> str:
    """The API ``status`` of a server: ``stopped`` + no task → ``SHUTOFF``."""
    task_map = _STATE_MAP.get(vm_state or "", {"default": "UNKNOWN"})
    return task_map.get(task_state, task_map["default"])


def task_and_vm_state_from_status(statuses: list[str]) -> tuple[list[str], list[str]]:
    """The reverse mapping, for ``?status=SHUTOFF``: which vm_states and task_states give it.

    A ``"default"`` among the task states means "any task state will do".
    """
    wanted = {status.upper() for status in statuses}
    found_vm_states: set[str] = set()
    found_task_states: set[str] = set()
    for vm_state, task_map in _STATE_MAP.items():
        for task_state, status in task_map.items():
            if status in wanted:
                found_vm_states.add(vm_state)
                found_task_states.add(str(task_state))
    return sorted(found_vm_states), sorted(found_task_states)


def isotime(value: datetime | None) -> str | None:
    """``2015-04-30T09:00:00Z``: the API's format for ``created``/``updated`` (UTC, no microseconds)."""
    return value.strftime("%Y-%m-%dT%H:%M:%SZ") if value else None


def _get_int_param(request: webob.Request, param: str) -> int:
    """An integer query parameter, or Nova's 400 for a bad one."""
    try:
        value = int(request.GET[param])
    except ValueError:
        raise webob.exc.HTTPBadRequest(explanation=f"{param} param must be an integer") from None
    if value < 0:
        raise webob.exc.HTTPBadRequest(explanation=f"{param} param must be positive")
    return value


def get_pagination_params(request: webob.Request) -> dict:
    """``limit`` and ``marker`` as given in the query string (only those present)."""
    params: dict = {}
    if "limit" in request.GET:
        params["limit"] = _get_int_param(request, "limit")
    if "marker" in request.GET:
        params["marker"] = request.GET["marker"]
    return params


def get_limit_and_marker(request: webob.Request, max_limit: int | None = None) -> tuple[int, str | None]:
    """The page to return: ``limit`` is clamped to ``osapi_max_limit`` (1000 by default)."""
    if max_limit is None:
        max_limit = conf.CONF.osapi_max_limit
    params = get_pagination_params(request)
    limit = min(max_limit, params.get("limit", max_limit))
    return limit, params.get("marker")


def raise_http_conflict_for_instance_invalid_state(
    exc: exception.InstanceInvalidState, action: str, server_id: str
) -> None:
    """Answer 409 with the sentence Nova uses: "Cannot 'start' instance X while it is in vm_state active"."""
    attr = exc.kwargs.get("attr")
    state = exc.kwargs.get("state")
    if attr is not None and state is not None:
        msg = f"Cannot '{action}' instance {server_id} while it is in {attr} {state}"
    else:
        msg = f"Instance {server_id} is in an invalid state for '{action}'"
    raise webob.exc.HTTPConflict(explanation=msg)


_TRUE_STRINGS = ("1", "t", "true", "on", "y", "yes")
_FALSE_STRINGS = ("0", "f", "false", "off", "n", "no")


def bool_from_string(value: str, strict: bool = False) -> bool:
    """Read "yes"/"1"/"true" (any case) as True; with ``strict`` an unknown word is a ValueError."""
    lowered = str(value).strip().lower()
    if lowered in _TRUE_STRINGS:
        return True
    if strict and lowered not in _FALSE_STRINGS:
        acceptable = ", ".join(f"'{s}'" for s in _TRUE_STRINGS + _FALSE_STRINGS)
        raise ValueError(f"Unrecognized value '{value}', acceptable values are: {acceptable}")
    return False


def get_instance(compute_api, context, instance_id: str) -> dict:
    """Load a server for a controller, answering 404 when it does not exist for this caller."""
    try:
        return compute_api.get(context, instance_id)
    except exception.InstanceNotFound as e:
        raise webob.exc.HTTPNotFound(explanation=e.format_message()) from None


def get_id_from_href(href: str) -> str:
    """``http://host/flavors/2`` → ``"2"``; a bare id is returned as it is."""
    return str(href).rstrip("/").rsplit("/", 1)[-1]


def remove_trailing_version_from_href(href: str) -> str:
    """``http://host/v2.1`` → ``http://host``: bookmark links outlive API versions."""
    parsed = urllib.parse.urlsplit(href)
    path_parts = parsed.path.rstrip("/").rsplit("/", 1)
    if len(path_parts) < 2 or not re.match(r"^v\d+(\.\d+)?$", path_parts[-1]):
        raise ValueError(f"href {href} does not contain version")
    return urllib.parse.urlunsplit(parsed._replace(path=path_parts[0]))


def url_join(*parts: str) -> str:
    """Join URL pieces with single slashes, skipping empty ones (e.g. no project id)."""
    return "/".join(part.strip("/") for part in parts if part and part.strip("/"))


class ViewBuilder:
    """Base of every view builder: knows how to point at a resource (self, bookmark, next)."""

    _collection_name: str = ""

    def _update_link_prefix(self, orig_url: str, prefix: str | None) -> str:
        """Swap scheme and host for ``osapi_compute_link_prefix`` (e.g. behind a proxy)."""
        if not prefix:
            return orig_url
        url_parts = urllib.parse.urlsplit(orig_url)
        prefix_parts = urllib.parse.urlsplit(prefix)
        new_path = prefix_parts.path.rstrip("/") + url_parts.path
        return urllib.parse.urlunsplit(url_parts._replace(
            scheme=prefix_parts.scheme, netloc=prefix_parts.netloc, path=new_path))

    def _update_compute_link_prefix(self, orig_url: str) -> str:
        return self._update_link_prefix(orig_url, conf.CONF.osapi_compute_link_prefix)

    def _get_project_id(self, request: webob.Request) -> str:
        """The project id, but only if the request URL carried one (``/v2.1/<project>/servers``)."""
        project_id = request.environ["nova.context"].project_id
        first_segment = request.path_info.lstrip("/").split("/", 1)[0]
        return project_id if project_id and first_segment == project_id else ""

    def _get_href_link(self, request: webob.Request, identifier: str, collection_name: str) -> str:
        prefix = self._update_compute_link_prefix(request.application_url)
        return url_join(prefix, self._get_project_id(request), collection_name, str(identifier))

    def _get_bookmark_link(self, request: webob.Request, identifier: str, collection_name: str) -> str:
        base_url = remove_trailing_version_from_href(request.application_url)
        base_url = self._update_compute_link_prefix(base_url)
        return url_join(base_url, self._get_project_id(request), collection_name, str(identifier))

    def _get_links(self, request: webob.Request, identifier: str, collection_name: str) -> list[dict]:
        return [
            {"rel": "self", "href": self._get_href_link(request, identifier, collection_name)},
            {"rel": "bookmark", "href": self._get_bookmark_link(request, identifier, collection_name)},
        ]

    def _get_next_link(self, request: webob.Request, identifier: str, collection_name: str) -> str:
        """The current URL with ``marker`` set to the last item shown; other parameters kept."""
        params = [(k, v) for k, v in request.GET.items() if k != "marker"]
        params.append(("marker", identifier))
        prefix = self._update_compute_link_prefix(request.application_url)
        url = url_join(prefix, self._get_project_id(request), collection_name)
        return f"{url}?{urllib.parse.urlencode(params)}"

    def _get_collection_links(
        self, request: webob.Request, items: list[dict], collection_name: str, id_key: str = "uuid"
    ) -> list[dict]:
        """A ``next`` link, only when the page is full: a short page means there is nothing more."""
        max_limit = conf.CONF.osapi_max_limit
        try:
            max_items = min(int(request.GET.get("limit", max_limit)), max_limit)
        except ValueError:
            max_items = max_limit
        if not max_items or max_items != len(items):
            return []
        last_item = items[-1]
        last_item_id = last_item[id_key] if id_key in last_item else last_item["id"]
        return [{"rel": "next", "href": self._get_next_link(request, last_item_id, collection_name)}]
