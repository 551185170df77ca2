"""Nova 34 in this process: its configuration, its three SQLite databases and the demo servers in them.

Nova keeps its configuration, database engines and cell caches in module globals, so a process holds one
Nova: :func:`start` configures it once, on copies (in a fresh folder) of databases built once per user in a
cache folder, and later calls get the same Nova back.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import shutil
import sqlite3
import sys
import tempfile
import threading
from pathlib import Path

from tracer.targets.nova import stand_ins

#: the release tracer's labels, notes and demo data were written against (``pip install 'tracer[nova]'``)
NOVA_VERSION = "34.0.0"
DATABASES = ("api", "cell0", "cell1")
HOST = "compute-1"
CELL1_UUID = "2f8d0aa4-3b0c-4bb4-9d6b-0d2d6ab1a39e"

#: the demo's fixed world: projects, flavors and servers (uuids fixed so that traces compare across runs)
FLAVORS = (
    # flavorid, name, memory_mb, vcpus, root_gb
    ("1", "m1.tiny", 512, 1, 1),
    ("2", "m1.small", 2048, 1, 20),
    ("3", "m1.medium", 4096, 2, 40),
)
SERVERS = (
    # uuid, name, project, flavorid, vm_state
    ("8b9c5ee4-2c0c-4c4f-9d24-5d4f1a7c3e01", "web-1", "admin", "1", "active"),
    ("8b9c5ee4-2c0c-4c4f-9d24-5d4f1a7c3e02", "db-1", "admin", "2", "active"),
    ("8b9c5ee4-2c0c-4c4f-9d24-5d4f1a7c3e03", "broken-1", "admin", "1", "error"),
    ("8b9c5ee4-2c0c-4c4f-9d24-5d4f1a7c3e04", "demo-1", "demo", "3", "active"),
)
CREATED_AT = "2026-01-01T12:00:00"


class NovaMissing(RuntimeError):
    """Nova is not installed: the one line names the extra that installs it."""


_lock = threading.Lock()
_started: dict[str, object] = {}


def nova_version() -> str:
    """The installed Nova's version, or :class:`NovaMissing`."""
    from importlib import metadata

    try:
        return metadata.version("nova")
    except metadata.PackageNotFoundError:
        raise NovaMissing("the nova target needs OpenStack Nova: pip install 'tracer[nova]'") from None


def cache_folder() -> Path:
    """Where the built databases are kept, per user and per Nova version (``$XDG_CACHE_HOME/tracer``)."""
    root = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(root) / "tracer" / f"nova-{nova_version()}"


def start() -> Path:
    """Configure this process's Nova (once) and return the folder of the databases it serves."""
    with _lock:
        if "folder" in _started:
            return _started["folder"]  # type: ignore[return-value]
        nova_version()
        _quiet_imports()
        folder = Path(tempfile.mkdtemp(prefix="tracer-nova-"))
        cache = cache_folder()
        built = all((cache / f"{name}.sqlite").is_file() for name in DATABASES)
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        if built:
            for name in DATABASES:
                shutil.copyfile(cache / f"{name}.sqlite", folder / f"{name}.sqlite")
            _point_cells_at(folder)
        _configure(folder)
        if not built:
            _build(folder)
            cache.mkdir(parents=True, exist_ok=True)
            for name in DATABASES:
                copy_database(folder / f"{name}.sqlite", cache / f"{name}.sqlite.part")
                os.replace(cache / f"{name}.sqlite.part", cache / f"{name}.sqlite")
        _patch_services()
        _started["folder"] = folder
        return folder


def _point_cells_at(folder: Path) -> None:
    """The API database's cell mappings name their databases' files: point them at this run's copies."""
    with contextlib.closing(sqlite3.connect(folder / "api.sqlite")) as db, db:
        for name in ("cell0", "cell1"):
            db.execute("UPDATE cell_mappings SET database_connection = ? WHERE name = ?",
                       (f"sqlite:///{folder / f'{name}.sqlite'}", name))


def _quiet_imports() -> None:
    """Nova's libraries speak up on import about things no user of tracer can change: eventlet's deprecation
    (futurist imports it when it is installed) and oslo.cache's memcached backend, which is not used here."""
    import logging
    import warnings

    warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")
    logging.getLogger("stevedore.extension").addFilter(
        lambda record: "oslo_cache.memcache_pool" not in record.getMessage()
    )


def copy_database(source: Path, target: Path) -> None:
    """A consistent copy of one SQLite file (SQLite's backup, safe while Nova's engines hold it open)."""
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    src.close()
    dst.close()


def paste_config(folder: Path) -> Path:
    """Nova's own ``api-paste.ini`` with the ``authtoken`` filter replaced by the ``user:project`` token filter."""
    import configparser

    installed = Path(sys.prefix) / "etc" / "nova" / "api-paste.ini"
    parser = configparser.RawConfigParser()
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # paste keys keep their case
    parser.read(installed, encoding="utf-8")
    if not parser.has_section("filter:authtoken"):
        raise NovaMissing(f"Nova's api-paste.ini was not found at {installed}: pip install 'tracer[nova]'")
    parser.remove_section("filter:authtoken")
    parser.add_section("filter:authtoken")
    factory = f"{stand_ins.__name__}:{stand_ins.token_filter_factory.__name__}"
    parser.set("filter:authtoken", "paste.filter_factory", factory)
    path = folder / "api-paste.ini"
    with path.open("w", encoding="utf-8") as handle:
        parser.write(handle)
    return path


def _configure(folder: Path) -> None:
    from nova import config, objects

    conf = folder / "nova.conf"
    conf.write_text(
        "[DEFAULT]\n"
        "transport_url = fake:/\n"
        f"host = {HOST}\n"
        f"state_path = {folder}\n"
        "[api_database]\n"
        f"connection = sqlite:///{folder / 'api.sqlite'}\n"
        "[database]\n"
        f"connection = sqlite:///{folder / 'cell1.sqlite'}\n"
        "[wsgi]\n"
        f"api_paste_config = {paste_config(folder)}\n"
        "[oslo_concurrency]\n"
        f"lock_path = {folder}\n"
        "[oslo_messaging_notifications]\n"
        "driver = noop\n"
        "[api]\n"
        "auth_strategy = keystone\n",
        encoding="utf-8",
    )
    objects.register_all()
    config.parse_args(["nova-api"], default_config_files=[str(conf)])


def _patch_services() -> None:
    """Glance, Neutron and the cell workers, at the seams Nova's own tests use (see ``stand_ins``)."""
    from nova import thread_pool_factory
    from nova.image import glance
    from nova.network import neutron

    glance.API.get = stand_ins.image_get
    neutron.get_client = stand_ins.neutron_client
    if not hasattr(thread_pool_factory.spawn_on, "__wrapped__"):
        thread_pool_factory.spawn_on = stand_ins.synchronous_spawn_on(thread_pool_factory.spawn_on)


def _build(folder: Path) -> None:
    """Migrate the three databases and fill them with the demo world, as conductor and compute would."""
    from nova import context, objects
    from nova.db import migration

    migration.db_sync(database="api")
    migration.db_sync(database="main")
    admin = context.get_admin_context()
    cell0 = objects.CellMapping(admin, uuid=objects.CellMapping.CELL0_UUID, name="cell0",
                                transport_url="none:///", database_connection=f"sqlite:///{folder / 'cell0.sqlite'}")
    cell0.create()
    with context.target_cell(admin, cell0) as cctxt:
        migration.db_sync(database="main", context=cctxt)
    cell1 = objects.CellMapping(admin, uuid=CELL1_UUID, name="cell1", transport_url="fake:/",
                                database_connection=f"sqlite:///{folder / 'cell1.sqlite'}")
    cell1.create()
    objects.HostMapping(admin, host=HOST, cell_mapping=cell1).create()
    from nova.api.openstack import wsgi_app

    with context.target_cell(admin, cell1) as cctxt:
        objects.Service(cctxt, host=HOST, binary="nova-compute", topic="compute", report_count=0).create()
    wsgi_app._setup_service(HOST, "osapi_compute")
    flavors = {}
    for flavorid, name, memory_mb, vcpus, root_gb in FLAVORS:
        flavor = objects.Flavor(admin, flavorid=flavorid, name=name, memory_mb=memory_mb, vcpus=vcpus,
                                root_gb=root_gb, ephemeral_gb=0, swap=0, rxtx_factor=1.0, is_public=True,
                                disabled=False, description=None, extra_specs={})
        flavor.create()
        flavors[flavorid] = flavor
    for uuid, name, project, flavorid, vm_state in SERVERS:
        _create_server(admin, cell1, uuid, name, project, flavors[flavorid], vm_state)


def _create_server(admin, cell, uuid: str, name: str, project: str, flavor, vm_state: str) -> None:
    from datetime import UTC, datetime

    from nova import context, objects
    from nova.compute import power_state
    from nova.network import model as network_model

    when = datetime.fromisoformat(CREATED_AT).replace(tzinfo=UTC)
    error = vm_state == "error"
    with context.target_cell(admin, cell) as cctxt:
        instance = objects.Instance(
            cctxt, uuid=uuid, display_name=name, hostname=name, project_id=project, user_id=project,
            flavor=flavor, old_flavor=None, new_flavor=None, instance_type_id=flavor.id,
            memory_mb=flavor.memory_mb, vcpus=flavor.vcpus, root_gb=flavor.root_gb, ephemeral_gb=0,
            image_ref=stand_ins.IMAGE_ID, vm_state=vm_state, task_state=None,
            power_state=power_state.NOSTATE if error else power_state.RUNNING,
            host=None if error else HOST,
            launched_at=None if error else when, created_at=when, availability_zone="nova",
            key_name=None, config_drive="", metadata={}, system_metadata={}, locked=False,
        )
        instance.create()
        cache = objects.InstanceInfoCache(cctxt, instance_uuid=uuid, network_info=network_model.NetworkInfo())
        cache.save()
        if error:
            objects.InstanceFault(cctxt, instance_uuid=uuid, code=500, host=HOST,
                                  message="No valid host was found. There are not enough hosts available.",
                                  details="").create()
    objects.InstanceMapping(admin, instance_uuid=uuid, cell_mapping=cell, project_id=project,
                            user_id=project, queued_for_delete=False).create()
