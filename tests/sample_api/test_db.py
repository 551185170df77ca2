"""The database API directly: demo data, project scoping, filters, pagination, persistence."""

from __future__ import annotations

import sqlite3
import threading

import pytest

from sample_api import context, db, db_seed, exception

ADMIN = context.RequestContext("admin", "admin", is_admin=True)
DEMO = context.RequestContext("demo", "demo")


@pytest.fixture(autouse=True)
def fresh_db():
    db.configure(None)
    yield
    db.configure(None)


def names(instances: list[dict]) -> list[str]:
    return [i["display_name"] for i in instances]


def test_demo_data_is_seeded():
    everything = db.instance_get_all_by_filters(ADMIN, {})
    assert names(everything) == ["demo-broken", "demo-notebook", "demo-blog", "batch-01", "db-01", "web-02",
                                 "web-01"]
    assert [f["name"] for f in db.flavor_get_all(ADMIN)] == ["m1.tiny", "m1.small", "m1.medium", "m1.large",
                                                          "m1.xlarge"]
    assert len(db.image_get_all(ADMIN)) == 4


def test_instance_dict_carries_what_the_view_needs():
    web = db.instance_get_by_uuid(ADMIN, db_seed.WEB_01)
    assert web["flavor"]["flavorid"] == "2"
    assert web["metadata"] == {"role": "web", "tier": "frontend"}
    assert web["info_cache"]["network_info"][0]["address"] == "10.0.0.3"
    assert web["name"] == "instance-00000001"
    assert web["created_at"].isoformat() == "2015-04-30T09:00:00"


def test_member_lookup_is_project_scoped():
    assert db.instance_get_by_uuid(DEMO, db_seed.DEMO_BLOG)["project_id"] == "demo"
    with pytest.raises(exception.InstanceNotFound):
        db.instance_get_by_uuid(DEMO, db_seed.WEB_01)


def test_filters():
    assert names(db.instance_get_all_by_filters(ADMIN, {"project_id": "demo"})) == [
        "demo-broken", "demo-notebook", "demo-blog"]
    assert names(db.instance_get_all_by_filters(ADMIN, {"display_name": "^web-0[12]$"})) == ["web-02", "web-01"]
    assert names(db.instance_get_all_by_filters(ADMIN, {"vm_state": ["stopped", "paused"]})) == [
        "demo-notebook", "batch-01"]
    assert names(db.instance_get_all_by_filters(ADMIN, {"task_state": [None], "host": "compute-2"})) == [
        "demo-notebook", "batch-01", "web-02"]
    # An invalid regular expression matches nothing instead of failing.
    assert db.instance_get_all_by_filters(ADMIN, {"display_name": "(unclosed"}) == []


def test_marker_and_limit():
    page = db.instance_get_all_by_filters(ADMIN, {"project_id": "admin"}, limit=2, marker=db_seed.BATCH_01)
    assert names(page) == ["db-01", "web-02"]
    ascending = db.instance_get_all_by_filters(ADMIN, {"project_id": "admin"}, sort_dir="asc",
                                               marker=db_seed.WEB_01)
    assert names(ascending) == ["web-02", "db-01", "batch-01"]
    with pytest.raises(exception.MarkerNotFound):
        db.instance_get_all_by_filters(ADMIN, {}, marker="missing")
    with pytest.raises(exception.InvalidSortKey):
        db.instance_get_all_by_filters(ADMIN, {}, sort_key="project_id; DROP TABLE instances")


def test_create_update_destroy():
    created = db.instance_create(DEMO, {"display_name": "scratch", "project_id": "demo", "user_id": "demo",
                                        "instance_type_id": 1, "vm_state": "active", "metadata": {"a": "b"}})
    assert created["metadata"] == {"a": "b"}
    assert created["info_cache"] == {"network_info": []}
    updated = db.instance_update(DEMO, created["uuid"], {"display_name": "renamed"})
    assert updated["display_name"] == "renamed"
    db.instance_destroy(DEMO, created["uuid"])
    with pytest.raises(exception.InstanceNotFound):
        db.instance_get_by_uuid(ADMIN, created["uuid"])
    deleted = db.instance_get_all_by_filters(ADMIN, {"deleted": True})
    assert [(i["display_name"], i["vm_state"]) for i in deleted] == [("renamed", "deleted")]


def test_faults():
    faults = db.instance_fault_get_by_instance_uuids(ADMIN, [db_seed.DEMO_BROKEN, db_seed.WEB_01])
    assert faults[db_seed.WEB_01] == []
    assert faults[db_seed.DEMO_BROKEN][0]["code"] == 500


def test_flavors_and_images():
    assert db.flavor_get_by_flavor_id(DEMO, "3")["memory_mb"] == 4096
    with pytest.raises(exception.FlavorNotFound):
        db.flavor_get_by_flavor_id(DEMO, "99")
    assert [f["flavorid"] for f in db.flavor_get_all(DEMO, {"min_root_gb": 40}, limit=2)] == ["3", "4"]
    assert db.image_get(DEMO, db_seed.UBUNTU)["properties"]["os_version"] == "14.04"
    with pytest.raises(exception.ImageNotFound):
        db.image_get(DEMO, "nope")


def test_key_pairs():
    assert [k["name"] for k in db.key_pair_get_all_by_user(DEMO, "demo")] == ["demo-key"]
    db.key_pair_create(DEMO, {"user_id": "demo", "name": "second", "public_key": "k", "fingerprint": "f"})
    with pytest.raises(exception.KeyPairExists):
        db.key_pair_create(DEMO, {"user_id": "demo", "name": "second", "public_key": "k", "fingerprint": "f"})
    db.key_pair_destroy(DEMO, "demo", "second")
    with pytest.raises(exception.KeypairNotFound):
        db.key_pair_get(DEMO, "demo", "second")


def test_file_database_keeps_changes_and_is_seeded_once(tmp_path):
    path = str(tmp_path / "nova.sqlite")
    db.configure(path)
    db.instance_update(ADMIN, db_seed.WEB_01, {"display_name": "kept"})
    db.configure(path)
    assert db.instance_get_by_uuid(ADMIN, db_seed.WEB_01)["display_name"] == "kept"
    assert len(db.instance_get_all_by_filters(ADMIN, {})) == 7


def test_connection_is_shared_across_threads():
    errors: list[BaseException] = []

    def rename(n: int) -> None:
        try:
            db.instance_update(ADMIN, db_seed.WEB_01, {"display_name": f"t{n}"})
            db.instance_get_all_by_filters(ADMIN, {})
        except Exception as exc:  # collected for the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=rename, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []


def test_a_snapshot_is_a_separate_copy_that_can_be_served_and_dropped():
    uuid = db.instance_get_all_by_filters(ADMIN, {})[0]["uuid"]
    copy = db.snapshot()
    live = db.use(copy)
    db.instance_destroy(ADMIN, uuid)  # a change made in the copy ...
    assert uuid not in [i["uuid"] for i in db.instance_get_all_by_filters(ADMIN, {})]
    assert db.use(live) is copy
    copy.close()
    assert db.instance_get_by_uuid(ADMIN, uuid)["uuid"] == uuid  # ... never reaches the live database


def test_a_snapshot_in_use_in_one_thread_is_not_what_the_others_see():
    uuid = db.instance_get_all_by_filters(ADMIN, {})[0]["uuid"]
    copy = db.snapshot()
    live = db.use(copy)
    try:
        db.instance_destroy(ADMIN, uuid)  # in the copy, in this thread
        seen: list[str] = []

        def read_shared() -> None:
            seen.extend(i["uuid"] for i in db.instance_get_all_by_filters(ADMIN, {}))

        other = threading.Thread(target=read_shared)
        other.start()
        other.join()
        assert uuid in seen  # another thread (a live request) still reads the shared database
        assert uuid not in [i["uuid"] for i in db.instance_get_all_by_filters(ADMIN, {})]
    finally:
        db.use(live)
        copy.close()


def test_a_file_that_is_no_database_fails_when_opened_not_at_the_first_request(tmp_path):
    path = tmp_path / "notes.db"
    path.write_text("these are my notes, not a database\n" * 20)
    with pytest.raises(sqlite3.DatabaseError):
        db.configure(str(path))
    assert path.read_text().startswith("these are my notes")  # left as it was


def test_the_data_version_moves_with_every_write_and_only_then():
    before = db.data_version()
    db.instance_get_all_by_filters(ADMIN, {})  # a read changes nothing
    assert db.data_version() == before
    uuid = db.instance_get_all_by_filters(ADMIN, {})[0]["uuid"]
    db.instance_destroy(ADMIN, uuid)
    after = db.data_version()
    assert after != before
    db.configure(None)  # a new database, whatever its counter says
    assert db.data_version()[0] != after[0]


def test_a_dump_loads_into_a_private_copy_of_that_moment():
    uuid = db.instance_get_all_by_filters(ADMIN, {})[0]["uuid"]
    version, data = db.dump()
    assert version == db.data_version()
    db.instance_destroy(ADMIN, uuid)  # after the dump: not in it
    copy = db.from_dump(data)
    live = db.use(copy)
    try:
        assert uuid in [i["uuid"] for i in db.instance_get_all_by_filters(ADMIN, {})]
        assert db.instance_get_by_uuid(ADMIN, uuid)["uuid"] == uuid  # rows as dicts, REGEXP and all
        assert db.instance_get_all_by_filters(ADMIN, {"name": "^web"})
    finally:
        db.use(live)
        copy.close()
    assert uuid not in [i["uuid"] for i in db.instance_get_all_by_filters(ADMIN, {})]
