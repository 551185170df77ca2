"""The compute API: what controllers call to read and change servers.

Shaped like ``nova.compute.api.API``. In Nova most methods check the server's
state, record a task_state and send an RPC cast to a compute host, which later
does the work. There is no hypervisor here, so each action writes its final
state at once: ``stop`` leaves the server ``stopped`` before the 202 goes out.
"""

from __future__ import annotations

import functools
import re
import secrets
import string
import threading
import uuid
from collections.abc import Callable

from sample_api import crypto, db, exception
from sample_api.compute import power_state, vm_states
from sample_api.conf import CONF
from sample_api.context import RequestContext

#: The only availability zone of the demo cloud (Nova's default zone name).
DEFAULT_AVAILABILITY_ZONE = "nova"
#: Every new server gets a port on the demo's "private" network.
DEFAULT_NETWORK = "private"
#: One quota check and the creations it allowed at a time, so two requests cannot both take the last place.
_QUOTA_LOCK = threading.Lock()


def check_instance_state(vm_state: list[str] | None = None, task_state: list | None = (None,)) -> Callable:
    """Refuse the decorated action unless the server is in one of the allowed states.

    The refusal is ``InstanceInvalidState``; controllers turn it into a 409.
    """

    def outer(func: Callable) -> Callable:
        @functools.wraps(func)
        def inner(self: API, context: RequestContext, instance: dict, *args, **kwargs):
            if vm_state is not None and instance["vm_state"] not in vm_state:
                raise exception.InstanceInvalidState(
                    attr="vm_state", instance_uuid=instance["uuid"], state=instance["vm_state"],
                    method=func.__name__)
            if task_state is not None and instance["task_state"] not in task_state:
                raise exception.InstanceInvalidState(
                    attr="task_state", instance_uuid=instance["uuid"], state=instance["task_state"],
                    method=func.__name__)
            return func(self, context, instance, *args, **kwargs)

        return inner

    return outer


def generate_password(length: int = 12) -> str:
    """A random admin password, as Nova makes one when the request did not send ``adminPass``."""
    alphabet = string.ascii_letters + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(length))


class API:
    """Reads and changes servers; every state rule lives here, not in the controllers."""

    def get(self, context: RequestContext, instance_id: str) -> dict:
        """One server; a member asking for another project's server gets InstanceNotFound."""
        return db.instance_get_by_uuid(context, instance_id)

    def get_all(
        self, context: RequestContext, search_opts: dict | None = None, limit: int | None = None,
        marker: str | None = None, sort_key: str = "created_at", sort_dir: str = "desc",
    ) -> list[dict]:
        """Servers matching the API's search options, renamed to database columns on the way.

        ``name`` becomes ``display_name``, ``image`` becomes ``image_ref``, and
        ``flavor`` (a flavor id such as "2") becomes the flavor's row id.
        Raises FlavorNotFound for an unknown flavor, MarkerNotFound for an unknown marker.
        """
        filters = dict(search_opts or {})
        renames = {"name": "display_name", "image": "image_ref", "tenant_id": "project_id"}
        for api_name, column in renames.items():
            if api_name in filters:
                filters[column] = filters.pop(api_name)
        if "flavor" in filters:
            flavor = db.flavor_get_by_flavor_id(context, filters.pop("flavor"))
            filters["instance_type_id"] = flavor["id"]
        return db.instance_get_all_by_filters(
            context, filters, sort_key=sort_key, sort_dir=sort_dir, limit=limit, marker=marker)

    def get_instance_faults(self, context: RequestContext, instances: list[dict]) -> dict:
        """The faults of these servers, keyed by uuid (newest first)."""
        return db.instance_fault_get_by_instance_uuids(context, [i["uuid"] for i in instances])

    def create(
        self, context: RequestContext, instance_type: dict, image_href: str | None, display_name: str,
        metadata: dict | None = None, key_name: str | None = None, availability_zone: str | None = None,
        min_count: int = 1, max_count: int = 1, access_ip_v4: str | None = None,
        access_ip_v6: str | None = None, config_drive: bool = False, auto_disk_config: bool = False,
        description: str | None = None,
    ) -> list[dict]:
        """Create ``max_count`` servers and return them, already ACTIVE (no scheduler, no hypervisor).

        Checks what Nova checks before casting to the scheduler: the image is
        active, the key pair belongs to the caller, the zone exists.
        """
        if image_href:
            image = db.image_get(context, image_href)
            if image["status"] != "active":
                raise exception.ImageNotActive(image_id=image_href)
        if key_name is not None:
            db.key_pair_get(context, context.user_id, key_name)
        if availability_zone not in (None, DEFAULT_AVAILABILITY_ZONE):
            raise exception.InvalidRequest("The requested availability zone is not available")
        if min_count > max_count:
            raise exception.InvalidInput(reason="min_count must be <= max_count")
        with _QUOTA_LOCK:
            count = self._check_num_instances_quota(context, instance_type, min_count, max_count)
            return self._create_instances(context, instance_type, image_href, display_name, count, metadata,
                                          key_name, availability_zone, access_ip_v4, access_ip_v6, config_drive,
                                          auto_disk_config, description)

    def _check_num_instances_quota(self, context: RequestContext, instance_type: dict, min_count: int,
                                   max_count: int) -> int:
        """How many servers the project's quota lets this request create, as Nova decides it.

        As many as asked (``max_count``) when they fit; else as many as fit, if that is at least ``min_count``;
        else ``TooManyInstances``, which the controller answers with a 403.
        """
        limits = {"instances": CONF.quota_instances, "cores": CONF.quota_cores, "ram": CONF.quota_ram}
        used = db.quota_usage_get(context, context.project_id)
        vcpus, ram = instance_type["vcpus"], instance_type["memory_mb"]
        wanted = {"instances": max_count, "cores": max_count * vcpus, "ram": max_count * ram}
        # a negative limit is no limit, as in Nova (-1)
        headroom = {name: max(limits[name] - used[name], 0) if limits[name] >= 0 else max_count * max(vcpus, ram, 1)
                    for name in limits}
        overs = sorted(name for name in limits if wanted[name] > headroom[name])
        if not overs:
            return max_count
        allowed = headroom["instances"]
        if vcpus:
            allowed = min(allowed, headroom["cores"] // vcpus)
        if ram:
            allowed = min(allowed, headroom["ram"] // ram)
        if min_count <= allowed <= max_count:
            return allowed
        asked = str(min_count) if min_count == max_count else f"{min_count}-{max_count}"
        requested = {"instances": asked, "cores": wanted["cores"], "ram": wanted["ram"]}
        raise exception.TooManyInstances(
            overs=", ".join(overs), req=", ".join(str(requested[name]) for name in overs),
            used=", ".join(str(used[name]) for name in overs),
            allowed=", ".join(str(limits[name]) for name in overs))

    def _create_instances(
        self, context: RequestContext, instance_type: dict, image_href: str | None, display_name: str,
        max_count: int, metadata: dict | None, key_name: str | None, availability_zone: str | None,
        access_ip_v4: str | None, access_ip_v6: str | None, config_drive: bool, auto_disk_config: bool,
        description: str | None = None,
    ) -> list[dict]:
        """Write ``max_count`` ACTIVE servers (the quota already allowed them)."""
        instances = []
        reservation_id = f"r-{uuid.uuid4().hex[:8]}"  # one per request, shared by the servers it makes
        for index in range(1, max_count + 1):
            name = display_name if max_count == 1 else f"{display_name}-{index}"
            now = db.utcnow()
            instance = db.instance_create(context, {
                "display_name": name, "project_id": context.project_id, "user_id": context.user_id,
                "image_ref": image_href or "", "instance_type_id": instance_type["id"],
                "key_name": key_name, "vm_state": vm_states.ACTIVE, "task_state": None,
                "power_state": power_state.RUNNING, "host": "compute-1", "node": "compute-1.tracer.local",
                "availability_zone": availability_zone or DEFAULT_AVAILABILITY_ZONE,
                "access_ip_v4": access_ip_v4, "access_ip_v6": access_ip_v6,
                "config_drive": "True" if config_drive else "", "auto_disk_config": int(auto_disk_config),
                "progress": 0, "launched_at": now, "metadata": metadata or {},
                "reservation_id": reservation_id, "launch_index": index - 1, "hostname": _hostname(name),
                "root_device_name": "/dev/vda", "display_description": description,
            })
            db.instance_info_cache_update(context, instance["uuid"], self._allocate_network(instance))
            instances.append(db.instance_get_by_uuid(context, instance["uuid"]))
        return instances

    def _allocate_network(self, instance: dict) -> list[dict]:
        """One fixed IPv4 on the private network, derived from the row id (Nova asks neutron)."""
        row_id = instance["id"]
        mac = f"fa:16:3e:4c:{row_id // 256 % 256:02x}:{row_id % 256:02x}"
        return [{"network": DEFAULT_NETWORK, "address": f"10.0.{row_id // 250}.{row_id % 250 + 2}",
                 "version": 4, "type": "fixed", "mac_address": mac}]

    def get_instance_host_status(self, instance: dict) -> str:
        """``UP`` for a server on a host, ``""`` for one on none (microversion 2.16). Nova asks the host's
        compute service (``DOWN``, ``MAINTENANCE``, ``UNKNOWN``); the demo cloud's hosts are always up."""
        return "UP" if instance["host"] else ""

    def update(self, context: RequestContext, instance: dict, **kwargs) -> dict:
        """Change fields of a server (the name; from microversion 2.19 the description too)."""
        return db.instance_update(context, instance["uuid"], kwargs)

    @check_instance_state(vm_state=[vm_states.ACTIVE, vm_states.STOPPED, vm_states.ERROR])
    def rebuild(self, context: RequestContext, instance: dict, image_href: str, **changes) -> dict:
        """Put the server on a new image (an active one), with the other changes asked (name, description,
        metadata, addresses, disk config). Nova's compute host would wipe the disk and boot again; here the
        rebuilt server is written at once, in the power state it had."""
        image = db.image_get(context, image_href)
        if image["status"] != "active":
            raise exception.ImageNotActive(image_id=image_href)
        changes.update({"image_ref": image_href, "task_state": None, "launched_at": db.utcnow()})
        if instance["vm_state"] == vm_states.ERROR:
            changes.update({"vm_state": vm_states.ACTIVE, "power_state": power_state.RUNNING})
        return db.instance_update(context, instance["uuid"], changes)

    def delete(self, context: RequestContext, instance: dict) -> None:
        """Delete a server in any state; the row is soft-deleted and no longer listed."""
        db.instance_destroy(context, instance["uuid"])

    def reboot(self, context: RequestContext, instance: dict, reboot_type: str) -> dict:
        """SOFT only from ACTIVE; HARD also revives a stopped, paused or errored server."""
        allowed = vm_states.ALLOW_SOFT_REBOOT if reboot_type == "SOFT" else vm_states.ALLOW_HARD_REBOOT
        if instance["vm_state"] not in allowed:
            raise exception.InstanceInvalidState(
                attr="vm_state", instance_uuid=instance["uuid"], state=instance["vm_state"], method="reboot")
        return self._set_state(context, instance, vm_states.ACTIVE, power_state.RUNNING)

    @check_instance_state(vm_state=[vm_states.ACTIVE, vm_states.RESCUED, vm_states.ERROR])
    def stop(self, context: RequestContext, instance: dict) -> dict:
        return self._set_state(context, instance, vm_states.STOPPED, power_state.SHUTDOWN)

    @check_instance_state(vm_state=[vm_states.STOPPED])
    def start(self, context: RequestContext, instance: dict) -> dict:
        return self._set_state(context, instance, vm_states.ACTIVE, power_state.RUNNING)

    @check_instance_state(vm_state=[vm_states.ACTIVE, vm_states.RESCUED])
    def pause(self, context: RequestContext, instance: dict) -> dict:
        return self._set_state(context, instance, vm_states.PAUSED, power_state.PAUSED)

    @check_instance_state(vm_state=[vm_states.PAUSED])
    def unpause(self, context: RequestContext, instance: dict) -> dict:
        return self._set_state(context, instance, vm_states.ACTIVE, power_state.RUNNING)

    def _set_state(self, context: RequestContext, instance: dict, vm_state: str, new_power_state: int) -> dict:
        """Where Nova would cast to the compute host, we write the end state directly."""
        return db.instance_update(context, instance["uuid"], {
            "vm_state": vm_state, "task_state": None, "power_state": new_power_state})


class KeypairAPI:
    """Key pairs of one user (``nova.compute.api.KeypairAPI``): import a public key or generate a pair."""

    def get_key_pairs(self, context: RequestContext, user_id: str) -> list[dict]:
        return db.key_pair_get_all_by_user(context, user_id)

    def get_key_pair(self, context: RequestContext, user_id: str, key_name: str) -> dict:
        return db.key_pair_get(context, user_id, key_name)

    def import_key_pair(
        self, context: RequestContext, user_id: str, key_name: str, public_key: str, key_type: str = "ssh"
    ) -> dict:
        """Store a public key (or, of type x509, a certificate) the user already has; its fingerprint
        proves it parses."""
        if key_type == "x509":
            fingerprint = crypto.generate_x509_fingerprint(public_key)
        else:
            fingerprint = crypto.generate_fingerprint(public_key)
        return db.key_pair_create(context, {
            "user_id": user_id, "name": key_name, "public_key": public_key, "fingerprint": fingerprint,
            "type": key_type})

    def create_key_pair(
        self, context: RequestContext, user_id: str, key_name: str, key_type: str = "ssh"
    ) -> tuple[dict, str]:
        """Generate a pair; the private key is returned once and never stored."""
        if key_type == "x509":
            private_key, public_key, fingerprint = crypto.generate_x509_key_pair(user_id)
        else:
            private_key, public_key, fingerprint = crypto.generate_key_pair()
        keypair = db.key_pair_create(context, {
            "user_id": user_id, "name": key_name, "public_key": public_key, "fingerprint": fingerprint,
            "type": key_type})
        return keypair, private_key

    def delete_key_pair(self, context: RequestContext, user_id: str, key_name: str) -> None:
        db.key_pair_destroy(context, user_id, key_name)


def _hostname(display_name: str) -> str:
    """The server's hostname: its name with what a hostname cannot hold turned into dashes."""
    name = re.sub(r"[^a-zA-Z0-9-]+", "-", display_name.strip()).strip("-").lower()
    return name[:63] or "server"
