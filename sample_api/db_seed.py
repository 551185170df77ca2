"""What every fresh database starts with: the tables, then the demo rows (docs/demo-data.md).

The tables are a trimmed copy of Nova's (``instances``, ``instance_metadata``,
``instance_info_caches``, ``instance_faults``, ``key_pairs``, ...), plus
``flavors`` and ``images`` that Nova keeps in its API database and in glance.

Everything is fixed (ids, uuids, timestamps) so that two runs produce the same
responses and lessons can name a server by its uuid. Two projects share the
cloud: ``admin`` (user ``admin``) and ``demo`` (user ``demo``).
"""

from __future__ import annotations

import json
import sqlite3

SCHEMA = """
CREATE TABLE flavors (
    id INTEGER PRIMARY KEY, flavorid TEXT UNIQUE NOT NULL, name TEXT UNIQUE NOT NULL,
    memory_mb INTEGER NOT NULL, vcpus INTEGER NOT NULL, root_gb INTEGER NOT NULL,
    ephemeral_gb INTEGER NOT NULL DEFAULT 0, swap INTEGER NOT NULL DEFAULT 0,
    rxtx_factor REAL NOT NULL DEFAULT 1.0, is_public INTEGER NOT NULL DEFAULT 1,
    disabled INTEGER NOT NULL DEFAULT 0, created_at TEXT
);
CREATE TABLE images (
    id TEXT PRIMARY KEY, name TEXT, status TEXT NOT NULL, size INTEGER, min_disk INTEGER NOT NULL DEFAULT 0,
    min_ram INTEGER NOT NULL DEFAULT 0, created_at TEXT, updated_at TEXT
);
CREATE TABLE image_properties (
    image_id TEXT NOT NULL REFERENCES images(id), key TEXT NOT NULL, value TEXT
);
CREATE TABLE instances (
    id INTEGER PRIMARY KEY, uuid TEXT UNIQUE NOT NULL, display_name TEXT, project_id TEXT, user_id TEXT,
    image_ref TEXT, instance_type_id INTEGER REFERENCES flavors(id), key_name TEXT,
    vm_state TEXT, task_state TEXT, power_state INTEGER, host TEXT, node TEXT,
    availability_zone TEXT, access_ip_v4 TEXT, access_ip_v6 TEXT, config_drive TEXT NOT NULL DEFAULT '',
    auto_disk_config INTEGER NOT NULL DEFAULT 0, progress INTEGER, launched_at TEXT, terminated_at TEXT,
    created_at TEXT, updated_at TEXT, deleted_at TEXT, deleted INTEGER NOT NULL DEFAULT 0,
    reservation_id TEXT, launch_index INTEGER NOT NULL DEFAULT 0, hostname TEXT, kernel_id TEXT NOT NULL DEFAULT '',
    ramdisk_id TEXT NOT NULL DEFAULT '', root_device_name TEXT, user_data TEXT, locked_by TEXT,
    display_description TEXT
);
CREATE TABLE instance_metadata (
    instance_uuid TEXT NOT NULL REFERENCES instances(uuid), key TEXT NOT NULL, value TEXT
);
CREATE TABLE instance_info_caches (
    instance_uuid TEXT PRIMARY KEY REFERENCES instances(uuid), network_info TEXT NOT NULL
);
CREATE TABLE instance_faults (
    id INTEGER PRIMARY KEY, instance_uuid TEXT NOT NULL, code INTEGER, message TEXT, created_at TEXT
);
CREATE TABLE key_pairs (
    id INTEGER PRIMARY KEY, name TEXT NOT NULL, user_id TEXT NOT NULL, fingerprint TEXT,
    public_key TEXT, type TEXT NOT NULL DEFAULT 'ssh', created_at TEXT, updated_at TEXT,
    UNIQUE (user_id, name)
);
"""

# Images (glance's ids are uuids).
CIRROS = "e9d98eb1-4218-4508-ae7d-52f850e0be7c"
UBUNTU = "b32c51f8-1364-43d5-985f-e915c7a60a78"
FEDORA = "358ca22d-e0ef-43d5-8844-c5b72ba62211"
SNAPSHOT = "7d0b4f1e-2c6a-4e8b-9f3d-5a1c8e2b7d46"

# Servers.
WEB_01 = "57ced187-b1bf-400b-b48b-d22f3ffe6422"
WEB_02 = "e576bd84-af5d-42eb-8483-341846970e05"
DB_01 = "1a94a52a-d6b5-4348-9b32-846c1ac8c544"
BATCH_01 = "3900d91b-05ac-422c-a16f-96b22e9fb3a3"
DEMO_BLOG = "c95202a3-bfdf-42f6-88e4-b80ef1aedf9a"
DEMO_NOTEBOOK = "519a4f2a-e9cc-4c2d-b4da-5f332e84e0e3"
DEMO_BROKEN = "b8013214-dbb4-4bcb-90a7-9de4cf6d02f8"

ADMIN_KEY = (
    "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC4JmIcRGa1IQMoqJ3ch0VmDtFlYLivH0bEahlMHCnKnZhKzYArS4J7YWXKK5Mjnw"
    "Y0e+oxD0kssNirLzE8bdDjIdAzWaEMw1lCfD0H1+9SigWIQYyt8ne/EWHUAyhTiDd1nFAmcSHoXgiF9jog6KYbcYG/8Agr9wR0l14t/"
    "aQjACdmwd0gpGMfR1KfBucxf47SC8VXXAD3dTwcSdCMcgkEWTrlUR8RfLwif/8vDx9lJTvaJ9UMyUHSjEPAdJ9VV9kX3iWftS6pOb3I"
    "iqUGqSxVltVEi7Vg5CDJGx7GH2P/uK3idVcF0Eyy4HY22KcCQNRxHEPfl8kJwdfdE/ivhJ5d admin@tracer-demo"
)
DEMO_KEY = (
    "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC24nirCCiXf5F8DkKBN+hEkb33pyCBUk3/SCMITRi5/nY1KPWWaYNPLZKP+FsmA0"
    "e6XfKRs4jJLuQxeh+jnvJ1DnKAehZMob7pxZBMOcH7p3Jhym9s4KtJfpqiOGgxdSctc4tED/GIiEmO1P6yY39GK8Gas92cBPxfJHq/"
    "fydqjujun46lUUD2eYiJpRx9I1z7WOySpq0Q67fWX/MiRecgtK55dn0goJve5th3jvZFb/22KpctFQf4xHzaurh1kYB3mWKxBeiHMk2p"
    "6Ha+ln2J5p2GqbvNHhesrFblSs1i+vVjoNnPWSMkMecsiD/HfP/iTIB/0aAtCU87sQkwL7OV demo@tracer-demo"
)

# id, flavorid, name, memory_mb, vcpus, root_gb: Nova's classic default flavors.
FLAVORS = [
    (1, "1", "m1.tiny", 512, 1, 1),
    (2, "2", "m1.small", 2048, 1, 20),
    (3, "3", "m1.medium", 4096, 2, 40),
    (4, "4", "m1.large", 8192, 4, 80),
    (5, "5", "m1.xlarge", 16384, 8, 160),
]

# id, name, glance status, size, min_disk, min_ram, created_at, properties
IMAGES = [
    (CIRROS, "cirros-0.3.4-x86_64-disk", "active", 13287936, 0, 0, "2015-04-20 08:00:00",
     {"architecture": "x86_64", "os_distro": "cirros"}),
    (UBUNTU, "ubuntu-14.04-server-cloudimg-amd64", "active", 259850752, 5, 512, "2015-04-21 08:00:00",
     {"architecture": "x86_64", "os_distro": "ubuntu", "os_version": "14.04"}),
    (FEDORA, "Fedora-Cloud-Base-21", "active", 158443520, 3, 512, "2015-04-22 08:00:00",
     {"architecture": "x86_64", "os_distro": "fedora", "os_version": "21"}),
    (SNAPSHOT, "web-01-nightly-snapshot", "saving", None, 20, 0, "2015-05-02 01:00:00", {"image_type": "snapshot"}),
]


def _nic(ip: str, mac: str, floating: str | None = None) -> list[dict]:
    """One port on the "private" network: a fixed IPv4, its IPv6 twin and maybe a floating IP."""
    suffix = mac.replace(":", "")[-4:]
    addresses = [
        {"network": "private", "address": ip, "version": 4, "type": "fixed", "mac_address": mac},
        {"network": "private", "address": f"fd5e:7a1c:20be::{suffix}", "version": 6, "type": "fixed",
         "mac_address": mac},
    ]
    if floating:
        addresses.append({"network": "private", "address": floating, "version": 4, "type": "floating",
                          "mac_address": mac})
    return addresses


# (id, uuid, name, project, image, flavor row id, key_name, vm_state, power_state, host,
#  created_at, launched_at, metadata, network_info, extra columns)
SERVERS = [
    (1, WEB_01, "web-01", "admin", UBUNTU, 2, "admin-key", "active", 1, "compute-1", "2015-04-30 09:00:00",
     "2015-04-30 09:00:41", {"role": "web", "tier": "frontend"},
     _nic("10.0.0.3", "fa:16:3e:4c:2a:01", floating="172.24.4.10"), {"auto_disk_config": 1}),
    (2, WEB_02, "web-02", "admin", UBUNTU, 2, "admin-key", "active", 1, "compute-2", "2015-04-30 09:05:00",
     "2015-04-30 09:05:39", {"role": "web", "tier": "frontend"}, _nic("10.0.0.4", "fa:16:3e:4c:2a:02"), {}),
    (3, DB_01, "db-01", "admin", UBUNTU, 3, "admin-key", "active", 1, "compute-1", "2015-04-30 09:10:00",
     "2015-04-30 09:10:52", {"role": "database"}, _nic("10.0.0.5", "fa:16:3e:4c:2a:03"),
     {"config_drive": "True", "access_ip_v4": "192.0.2.15"}),
    (4, BATCH_01, "batch-01", "admin", CIRROS, 1, None, "stopped", 4, "compute-2", "2015-04-30 09:15:00",
     "2015-04-30 09:15:20", {}, _nic("10.0.0.6", "fa:16:3e:4c:2a:04"), {}),
    (5, DEMO_BLOG, "demo-blog", "demo", CIRROS, 1, "demo-key", "active", 1, "compute-1", "2015-04-30 10:00:00",
     "2015-04-30 10:00:25", {"owner": "demo"}, _nic("10.0.0.7", "fa:16:3e:4c:2a:05", floating="172.24.4.11"),
     {}),
    (6, DEMO_NOTEBOOK, "demo-notebook", "demo", FEDORA, 2, "demo-key", "paused", 3, "compute-2",
     "2015-04-30 10:05:00", "2015-04-30 10:05:33", {"purpose": "jupyter"}, _nic("10.0.0.8", "fa:16:3e:4c:2a:06"),
     {}),
    (7, DEMO_BROKEN, "demo-broken", "demo", CIRROS, 1, None, "error", 0, None, "2015-04-30 10:10:00",
     None, {}, [], {}),
]

FAULTS = [
    (DEMO_BROKEN, 500, "No valid host was found. There are not enough hosts available.", "2015-04-30 10:10:03"),
]


def seed(conn: sqlite3.Connection) -> None:
    """Insert the demo rows into a freshly created schema."""
    conn.executemany(
        "INSERT INTO flavors (id, flavorid, name, memory_mb, vcpus, root_gb, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, '2015-04-01 00:00:00')",
        FLAVORS,
    )
    for image_id, name, status, size, min_disk, min_ram, created_at, properties in IMAGES:
        conn.execute(
            "INSERT INTO images VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (image_id, name, status, size, min_disk, min_ram, created_at, created_at),
        )
        conn.executemany("INSERT INTO image_properties VALUES (?, ?, ?)",
                         [(image_id, key, value) for key, value in properties.items()])
    for (row_id, uuid, name, project, image, flavor, key_name, vm_state, power_state, host, created_at,
         launched_at, metadata, network_info, extra) in SERVERS:
        values = {
            "id": row_id, "uuid": uuid, "display_name": name, "project_id": project, "user_id": project,
            "image_ref": image, "instance_type_id": flavor, "key_name": key_name, "vm_state": vm_state,
            "power_state": power_state, "host": host, "node": host and f"{host}.tracer.local",
            "availability_zone": "nova", "progress": 0, "created_at": created_at,
            "updated_at": launched_at or created_at, "launched_at": launched_at,
            # Shown to admins from microversion 2.3: one boot request per server here.
            "reservation_id": f"r-{uuid[:8]}", "hostname": name, "root_device_name": "/dev/vda", **extra,
        }
        conn.execute(
            f"INSERT INTO instances ({', '.join(values)}) VALUES ({', '.join('?' * len(values))})",
            list(values.values()),
        )
        conn.executemany("INSERT INTO instance_metadata VALUES (?, ?, ?)",
                         [(uuid, key, value) for key, value in metadata.items()])
        conn.execute("INSERT INTO instance_info_caches VALUES (?, ?)", (uuid, json.dumps(network_info)))
    conn.executemany("INSERT INTO instance_faults (instance_uuid, code, message, created_at) VALUES (?, ?, ?, ?)",
                     FAULTS)
    for user, name, public_key, fingerprint in (
        ("admin", "admin-key", ADMIN_KEY, "9e:8a:40:f8:66:00:09:32:66:2b:8d:7f:a0:59:bc:8f"),
        ("demo", "demo-key", DEMO_KEY, "6f:72:36:13:3a:93:25:d6:26:c0:45:08:c7:4c:9a:4b"),
    ):
        conn.execute(
            "INSERT INTO key_pairs (name, user_id, fingerprint, public_key, created_at) "
            "VALUES (?, ?, ?, ?, '2015-04-29 12:00:00')",
            (name, user, fingerprint, public_key),
        )
