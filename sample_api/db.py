"""The database API, shaped like ``nova.db.api`` over one SQLite connection.

Nova talks to MySQL through SQLAlchemy; here the stdlib ``sqlite3`` module is
enough. One connection is shared by every request (threads or green threads),
so each call takes ``_LOCK`` first. Rows come back as plain dicts: a learner
can print one and see exactly what the view builder will read.

Function names are Nova's (``instance_get_by_uuid``,
``instance_get_all_by_filters``, ``flavor_get_by_flavor_id`` ...). The demo
tables (``SCHEMA``) and rows live in ``db_seed.py``; the rows are
documented in ``docs/demo-data.md``.
"""

from __future__ import annotations

import contextlib
import contextvars
import json
import os
import re
import sqlite3
import threading
import uuid
from collections.abc import Iterator
from datetime import datetime

from sample_api import exception, timeutils
from sample_api.context import RequestContext

_LOCK = threading.RLock()
_CONN: sqlite3.Connection | None = None
#: a connection this thread or green thread uses instead of ``_CONN`` (see :func:`use`)
_HERE: contextvars.ContextVar[sqlite3.Connection | None] = contextvars.ContextVar("sample_api_db_here", default=None)

TIME_FORMAT = "%Y-%m-%d %H:%M:%S"

# Columns a caller may filter on exactly, and columns it may sort on.
_INSTANCE_EXACT_FILTERS = (
    "uuid", "project_id", "user_id", "host", "image_ref", "instance_type_id",
    "vm_state", "task_state", "key_name", "availability_zone",
)
_INSTANCE_SORT_KEYS = ("created_at", "updated_at", "display_name", "uuid", "vm_state", "launched_at", "id")


def utcnow() -> datetime:
    """Now, in UTC, without tzinfo and microseconds: how every row stores time."""
    return timeutils.utcnow().replace(microsecond=0)


def _regexp(pattern: str, value: str | None) -> bool:
    """SQLite has no REGEXP of its own; Nova registers one, and so do we.

    An invalid pattern matches nothing rather than crashing the request.
    """
    if value is None:
        return False
    try:
        return re.search(pattern, value) is not None
    except re.error:
        return False


# ---------------------------------------------------------------- connection


def configure(path: str | None) -> None:
    """(Re)open the database: ``None`` → fresh in-memory demo data; a path keeps a file.

    A new file (or memory) gets the schema and the demo rows; an existing file
    is used as it is, so servers created in one run are still there in the next.
    """
    global _CONN
    with _LOCK:
        if _CONN is not None:
            _CONN.close()
        is_new = path is None or not os.path.exists(path)
        conn = sqlite3.connect(path or ":memory:", check_same_thread=False)
        conn.row_factory = sqlite3.Row
        conn.create_function("REGEXP", 2, _regexp)
        if is_new:
            from sample_api import db_seed

            with conn:
                conn.executescript(db_seed.SCHEMA)
                db_seed.seed(conn)
        else:
            try:  # SQLite reads the file only at the first query: a file that is no database fails here, at start-up
                conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            except sqlite3.DatabaseError:
                conn.close()
                _CONN = None
                raise
        _CONN = conn


def snapshot() -> sqlite3.Connection:
    """A copy of the whole database as it is now, in memory (what a re-run of a request starts from)."""
    with _LOCK:
        source = _connection()
        copy = sqlite3.connect(":memory:", check_same_thread=False)
        source.backup(copy)
    copy.row_factory = sqlite3.Row
    copy.create_function("REGEXP", 2, _regexp)
    return copy


def data_version() -> tuple[int, int]:
    """Which rows the database holds now: while the pair stays the same, so does every row.

    SQLite counts the rows every write changed on a connection (``total_changes``); with the connection's
    identity that tells a copy taken earlier is still the database, without reading any row.
    """
    with _LOCK:
        conn = _connection()
        return id(conn), conn.total_changes


def dump() -> tuple[tuple[int, int], bytes]:
    """The whole database as the bytes of a database file, and its :func:`data_version`, in one moment."""
    with _LOCK:
        conn = _connection()
        version = id(conn), conn.total_changes
        if hasattr(conn, "serialize"):  # Python 3.11+
            return version, conn.serialize()
        copy = _file_copy()
        conn.backup(copy[0])
    copy[0].close()
    with open(copy[1], "rb") as file:
        data = file.read()
    os.unlink(copy[1])
    return version, data


def from_dump(data: bytes) -> sqlite3.Connection:
    """A private in-memory database made from :func:`dump`'s bytes, for :func:`use`."""
    conn = sqlite3.connect(":memory:", check_same_thread=False)
    if hasattr(conn, "deserialize"):
        conn.deserialize(data)
    else:
        file, name = _file_copy()
        file.close()
        with open(name, "wb") as out:
            out.write(data)
        source = sqlite3.connect(name)
        source.backup(conn)
        source.close()
        os.unlink(name)
    conn.row_factory = sqlite3.Row
    conn.create_function("REGEXP", 2, _regexp)
    return conn


def _file_copy() -> tuple[sqlite3.Connection, str]:
    """An empty database file of our own (Python 3.10 has no ``serialize``: a dump goes through a file)."""
    import tempfile

    handle, name = tempfile.mkstemp(suffix=".sqlite3")
    os.close(handle)
    return sqlite3.connect(name), name


def use(conn: sqlite3.Connection | None) -> sqlite3.Connection | None:
    """Serve this thread's (or green thread's) calls from ``conn`` from now on; ``None``: the shared database.

    Returns what this context used until now (None: the shared one), left open, to give back to ``use``.
    Other threads keep the shared database: a re-run on a snapshot never shows in a live request.
    """
    previous = _HERE.get()
    _HERE.set(conn)
    return previous


def _connection() -> sqlite3.Connection:
    """The connection for this context (the caller holds ``_LOCK``).

    One expression picks it, so that a re-run on a snapshot steps through the very lines a live request does.
    """
    conn = _HERE.get() or _CONN
    if conn is None:
        configure(None)
        conn = _CONN
    assert conn is not None
    return conn


@contextlib.contextmanager
def _transaction() -> Iterator[sqlite3.Connection]:
    """One locked transaction: committed when the block ends, rolled back on error."""
    with _LOCK:
        conn = _connection()
        with conn:
            yield conn


def _to_datetime(value: str | None) -> datetime | None:
    return datetime.strptime(value, TIME_FORMAT) if value else None


def _to_text(value: datetime | str | None) -> str | None:
    return value.strftime(TIME_FORMAT) if isinstance(value, datetime) else value


def _paginate(
    conn: sqlite3.Connection, table: str, where: list[str], params: list, sort_key: str, sort_dir: str,
    tie_key: str, limit: int | None, marker_row: sqlite3.Row | None,
) -> list[sqlite3.Row]:
    """Nova's ``paginate_query``: order by (sort_key, tie_key), start right after the marker row."""
    if sort_dir not in ("asc", "desc"):
        raise exception.InvalidInput(reason=f"Unknown sort direction, must be 'desc' or 'asc': {sort_dir}")
    where, params = list(where), list(params)
    if marker_row is not None:
        op = "<" if sort_dir == "desc" else ">"
        where.append(f"({sort_key} {op} ? OR ({sort_key} = ? AND {tie_key} {op} ?))")
        params += [marker_row[sort_key], marker_row[sort_key], marker_row[tie_key]]
    sql = f"SELECT * FROM {table}"
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += f" ORDER BY {sort_key} {sort_dir}, {tie_key} {sort_dir}"
    if limit is not None:
        sql += " LIMIT ?"
        params.append(limit)
    return conn.execute(sql, params).fetchall()


# ---------------------------------------------------------------- instances


def _instance_dict(conn: sqlite3.Connection, row: sqlite3.Row) -> dict:
    """Turn one ``instances`` row into the dict the API layers read, with its flavor, metadata and IPs."""
    instance = dict(row)
    for key in ("created_at", "updated_at", "launched_at", "terminated_at", "deleted_at"):
        instance[key] = _to_datetime(instance[key])
    instance["deleted"] = bool(instance["deleted"])
    instance["auto_disk_config"] = bool(instance["auto_disk_config"])
    flavor = conn.execute("SELECT * FROM flavors WHERE id = ?", (row["instance_type_id"],)).fetchone()
    instance["flavor"] = _flavor_dict(flavor) if flavor else None
    meta = conn.execute("SELECT key, value FROM instance_metadata WHERE instance_uuid = ?", (row["uuid"],))
    instance["metadata"] = {m["key"]: m["value"] for m in meta}
    cache = conn.execute(
        "SELECT network_info FROM instance_info_caches WHERE instance_uuid = ?", (row["uuid"],)
    ).fetchone()
    instance["info_cache"] = {"network_info": json.loads(cache["network_info"]) if cache else []}
    # Nova's template "instance-%08x": the name the hypervisor knows the VM by.
    instance["name"] = f"instance-{row['id']:08x}"
    return instance


def _instance_row(conn: sqlite3.Connection, context: RequestContext, uuid_: str) -> sqlite3.Row:
    sql = "SELECT * FROM instances WHERE uuid = ? AND deleted = 0"
    params: list = [uuid_]
    if not context.is_admin:
        # Nova's project_only: a member's lookup never sees another project's rows.
        sql += " AND project_id = ?"
        params.append(context.project_id)
    row = conn.execute(sql, params).fetchone()
    if row is None:
        raise exception.InstanceNotFound(instance_id=uuid_)
    return row


def instance_get_by_uuid(context: RequestContext, uuid: str) -> dict:
    """One server, scoped to the caller's project unless the caller is an admin."""
    with _transaction() as conn:
        return _instance_dict(conn, _instance_row(conn, context, uuid))


def instance_get_all_by_filters(
    context: RequestContext, filters: dict, sort_key: str = "created_at", sort_dir: str = "desc",
    limit: int | None = None, marker: str | None = None,
) -> list[dict]:
    """A page of servers matching ``filters`` (column names, as the compute API remapped them).

    ``display_name`` is a regular expression (as on Nova's MySQL and SQLite);
    other known keys match exactly, a list meaning "any of"; unknown keys are
    ignored. ``marker`` is the uuid of the last server of the previous page.
    """
    if sort_key not in _INSTANCE_SORT_KEYS:
        raise exception.InvalidSortKey()
    filters = dict(filters)
    where: list[str] = []
    params: list = []
    if "changes-since" in filters:
        # Nova shows deleted servers too when asked what changed since a time.
        where.append("updated_at >= ?")
        params.append(_to_text(filters.pop("changes-since")))
        filters.setdefault("deleted", None)
    deleted = filters.pop("deleted", False)
    if deleted is not None:
        where.append("deleted != 0" if deleted else "deleted = 0")
    if "display_name" in filters:
        where.append("display_name REGEXP ?")
        params.append(filters.pop("display_name"))
    for column in _INSTANCE_EXACT_FILTERS:
        if column not in filters:
            continue
        value = filters[column]
        values = list(value) if isinstance(value, (list, tuple, set)) else [value]
        clauses = [f"{column} IS NULL"] if None in values else []
        present = [v for v in values if v is not None]
        if present:
            clauses.append(f"{column} IN ({', '.join('?' * len(present))})")
            params += present
        where.append("(" + " OR ".join(clauses or ["0"]) + ")")
    with _transaction() as conn:
        marker_row = None
        if marker is not None:
            marker_row = conn.execute("SELECT * FROM instances WHERE uuid = ?", (marker,)).fetchone()
            if marker_row is None:
                raise exception.MarkerNotFound(marker=marker)
        rows = _paginate(conn, "instances", where, params, sort_key, sort_dir, "id", limit, marker_row)
        return [_instance_dict(conn, row) for row in rows]


def instance_create(context: RequestContext, values: dict) -> dict:
    """Insert a server; ``metadata`` (dict) and ``network_info`` (list) go to their own tables."""
    values = dict(values)
    metadata = values.pop("metadata", None) or {}
    network_info = values.pop("network_info", None) or []
    values.setdefault("uuid", str(uuid.uuid4()))
    now = utcnow()
    values.setdefault("created_at", now)
    values.setdefault("updated_at", now)
    values = {key: _to_text(value) for key, value in values.items()}
    columns = ", ".join(values)
    with _transaction() as conn:
        conn.execute(f"INSERT INTO instances ({columns}) VALUES ({', '.join('?' * len(values))})",
                     list(values.values()))
        conn.executemany("INSERT INTO instance_metadata VALUES (?, ?, ?)",
                         [(values["uuid"], k, v) for k, v in metadata.items()])
        conn.execute("INSERT INTO instance_info_caches VALUES (?, ?)", (values["uuid"], json.dumps(network_info)))
        return _instance_dict(conn, _instance_row(conn, context, values["uuid"]))


def instance_update(context: RequestContext, uuid: str, values: dict) -> dict:
    """Change some columns of a server (and bump ``updated_at``); ``metadata`` (a dict) replaces all of the
    server's metadata. Returns the new row."""
    values = dict(values)
    metadata = values.pop("metadata", None)
    values = {key: _to_text(value) for key, value in values.items()}
    values.setdefault("updated_at", _to_text(utcnow()))
    assignments = ", ".join(f"{key} = ?" for key in values)
    with _transaction() as conn:
        _instance_row(conn, context, uuid)
        conn.execute(f"UPDATE instances SET {assignments} WHERE uuid = ?", [*values.values(), uuid])
        if metadata is not None:
            conn.execute("DELETE FROM instance_metadata WHERE instance_uuid = ?", (uuid,))
            conn.executemany("INSERT INTO instance_metadata VALUES (?, ?, ?)",
                             [(uuid, k, v) for k, v in metadata.items()])
        return _instance_dict(conn, _instance_row(conn, context, uuid))


def instance_destroy(context: RequestContext, uuid: str) -> dict:
    """Soft-delete a server as Nova does: the row stays, with ``deleted`` set to its id."""
    now = _to_text(utcnow())
    with _transaction() as conn:
        row = _instance_row(conn, context, uuid)
        conn.execute(
            "UPDATE instances SET deleted = id, deleted_at = ?, terminated_at = ?, updated_at = ?, "
            "vm_state = 'deleted', task_state = NULL, power_state = 0 WHERE uuid = ?",
            (now, now, now, uuid),
        )
        return _instance_dict(conn, row)


def quota_usage_get(context: RequestContext, project_id: str) -> dict:
    """What a project uses now: its servers (not deleted), their vcpus and their RAM in MB (Nova's quota usages)."""
    with _transaction() as conn:
        row = conn.execute(
            "SELECT COUNT(*), COALESCE(SUM(f.vcpus), 0), COALESCE(SUM(f.memory_mb), 0) FROM instances i "
            "JOIN flavors f ON f.id = i.instance_type_id WHERE i.deleted = 0 AND i.project_id = ?",
            (project_id,),
        ).fetchone()
    return {"instances": row[0], "cores": row[1], "ram": row[2]}


def instance_info_cache_update(context: RequestContext, instance_uuid: str, network_info: list[dict]) -> None:
    """Replace a server's cached network info (in Nova, what neutron last said about its ports)."""
    with _transaction() as conn:
        conn.execute("UPDATE instance_info_caches SET network_info = ? WHERE instance_uuid = ?",
                     (json.dumps(network_info), instance_uuid))


def instance_fault_get_by_instance_uuids(context: RequestContext, instance_uuids: list[str]) -> dict:
    """Faults per server uuid, newest first: why a server went to ERROR."""
    faults: dict[str, list[dict]] = {uuid_: [] for uuid_ in instance_uuids}
    if not instance_uuids:
        return faults
    with _transaction() as conn:
        rows = conn.execute(
            f"SELECT * FROM instance_faults WHERE instance_uuid IN ({', '.join('?' * len(instance_uuids))}) "
            "ORDER BY created_at DESC, id DESC",
            instance_uuids,
        ).fetchall()
    for row in rows:
        fault = dict(row)
        fault["created_at"] = _to_datetime(fault["created_at"])
        faults[row["instance_uuid"]].append(fault)
    return faults


# ---------------------------------------------------------------- flavors


def _flavor_dict(row: sqlite3.Row) -> dict:
    flavor = dict(row)
    flavor["is_public"] = bool(flavor["is_public"])
    flavor["disabled"] = bool(flavor["disabled"])
    flavor["created_at"] = _to_datetime(flavor["created_at"])
    return flavor


def flavor_get_all(
    context: RequestContext, filters: dict | None = None, sort_key: str = "flavorid", sort_dir: str = "asc",
    limit: int | None = None, marker: str | None = None,
) -> list[dict]:
    """Flavors filtered by ``min_memory_mb``, ``min_root_gb``, ``is_public`` (None = both) and ``disabled``."""
    if sort_key not in ("flavorid", "name", "memory_mb", "root_gb", "vcpus", "id"):
        raise exception.InvalidSortKey()
    filters = filters or {}
    where: list[str] = []
    params: list = []
    if "min_memory_mb" in filters:
        where.append("memory_mb >= ?")
        params.append(filters["min_memory_mb"])
    if "min_root_gb" in filters:
        where.append("root_gb >= ?")
        params.append(filters["min_root_gb"])
    for column in ("is_public", "disabled"):
        if filters.get(column) is not None:
            where.append(f"{column} = ?")
            params.append(int(bool(filters[column])))
    with _transaction() as conn:
        marker_row = None
        if marker is not None:
            marker_row = conn.execute("SELECT * FROM flavors WHERE flavorid = ?", (marker,)).fetchone()
            if marker_row is None:
                raise exception.MarkerNotFound(marker=marker)
        rows = _paginate(conn, "flavors", where, params, sort_key, sort_dir, "id", limit, marker_row)
        return [_flavor_dict(row) for row in rows]


def flavor_get_by_flavor_id(context: RequestContext, flavor_id: str) -> dict:
    """The flavor whose public id (``flavorid``, e.g. "1") is given; the API never shows the row id."""
    with _transaction() as conn:
        row = conn.execute("SELECT * FROM flavors WHERE flavorid = ?", (str(flavor_id),)).fetchone()
    if row is None:
        raise exception.FlavorNotFound(flavor_id=flavor_id)
    return _flavor_dict(row)


# ---------------------------------------------------------------- images
# Nova asks glance for images; a local table is this miniature's honest stand-in.


def _image_dict(conn: sqlite3.Connection, row: sqlite3.Row) -> dict:
    image = dict(row)
    image["created_at"] = _to_datetime(image["created_at"])
    image["updated_at"] = _to_datetime(image["updated_at"])
    props = conn.execute("SELECT key, value FROM image_properties WHERE image_id = ?", (row["id"],))
    image["properties"] = {p["key"]: p["value"] for p in props}
    return image


def image_get(context: RequestContext, image_id: str) -> dict:
    """One image by id, as glance would describe it (``status`` in glance's lower case)."""
    with _transaction() as conn:
        row = conn.execute("SELECT * FROM images WHERE id = ?", (image_id,)).fetchone()
        if row is None:
            raise exception.ImageNotFound(image_id=image_id)
        return _image_dict(conn, row)


def image_get_all(
    context: RequestContext, filters: dict | None = None, sort_key: str = "created_at", sort_dir: str = "desc",
    limit: int | None = None, marker: str | None = None,
) -> list[dict]:
    """Images filtered by exact ``name`` or ``status``, newest first like glance."""
    if sort_key not in ("created_at", "name", "id", "size"):
        raise exception.InvalidSortKey()
    filters = filters or {}
    where = [f"{key} = ?" for key in ("name", "status") if key in filters]
    params = [filters[key] for key in ("name", "status") if key in filters]
    with _transaction() as conn:
        marker_row = None
        if marker is not None:
            marker_row = conn.execute("SELECT * FROM images WHERE id = ?", (marker,)).fetchone()
            if marker_row is None:
                raise exception.MarkerNotFound(marker=marker)
        rows = _paginate(conn, "images", where, params, sort_key, sort_dir, "id", limit, marker_row)
        return [_image_dict(conn, row) for row in rows]


# ---------------------------------------------------------------- key pairs


def _key_pair_dict(row: sqlite3.Row) -> dict:
    key_pair = dict(row)
    key_pair["created_at"] = _to_datetime(key_pair["created_at"])
    key_pair["updated_at"] = _to_datetime(key_pair["updated_at"])
    return key_pair


def key_pair_get_all_by_user(context: RequestContext, user_id: str) -> list[dict]:
    """Key pairs belong to a user, not to a project: that is why the API never asks for a project."""
    with _transaction() as conn:
        rows = conn.execute("SELECT * FROM key_pairs WHERE user_id = ? ORDER BY name", (user_id,)).fetchall()
    return [_key_pair_dict(row) for row in rows]


def key_pair_get(context: RequestContext, user_id: str, name: str) -> dict:
    with _transaction() as conn:
        row = conn.execute("SELECT * FROM key_pairs WHERE user_id = ? AND name = ?", (user_id, name)).fetchone()
    if row is None:
        raise exception.KeypairNotFound(user_id=user_id, name=name)
    return _key_pair_dict(row)


def key_pair_create(context: RequestContext, values: dict) -> dict:
    """Store a public key; a second key of the same name for the same user is a conflict."""
    values = dict(values)
    values.setdefault("created_at", utcnow())
    values = {key: _to_text(value) for key, value in values.items()}
    with _transaction() as conn:
        try:
            conn.execute(
                f"INSERT INTO key_pairs ({', '.join(values)}) VALUES ({', '.join('?' * len(values))})",
                list(values.values()),
            )
        except sqlite3.IntegrityError:
            raise exception.KeyPairExists(key_name=values["name"]) from None
    return key_pair_get(context, values["user_id"], values["name"])


def key_pair_destroy(context: RequestContext, user_id: str, name: str) -> None:
    with _transaction() as conn:
        cursor = conn.execute("DELETE FROM key_pairs WHERE user_id = ? AND name = ?", (user_id, name))
    if cursor.rowcount == 0:
        raise exception.KeypairNotFound(user_id=user_id, name=name)
