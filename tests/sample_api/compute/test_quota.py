"""Per-project quotas with Nova's defaults (instances 10, cores 20, ram 51200 MB) and Nova's 403."""

from __future__ import annotations

import threading

import webtest


def client(app, token: str) -> webtest.TestApp:
    return webtest.TestApp(app, extra_environ={"HTTP_X_AUTH_TOKEN": token})


def create(api: webtest.TestApp, flavor: str = "1", **counts: int):
    return api.post_json("/v2.1/servers", {"server": {"name": "q", "flavorRef": flavor, **counts}},
                         expect_errors=True)


def test_concurrent_creates_never_pass_the_instance_quota(app):
    api = client(app, "racer:racer")
    answers: list[int] = []
    threads = [threading.Thread(target=lambda: answers.append(create(api, min_count=2).status_int))
               for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(answers) == [202] * 5 + [403] * 3
    assert len(api.get("/v2.1/servers").json["servers"]) == 10


def test_the_ram_quota_names_ram(app, api_conf):
    api_conf.quota_ram = 4096
    refused = create(client(app, "ram:ram"), flavor="3", min_count=2)  # m1.medium: 4096 MB each
    assert refused.status_int == 403 and refused.headers["Retry-After"] == "0"
    assert refused.json == {"forbidden": {"code": 403, "message": (
        "Quota exceeded for ram: Requested 8192, but already used 0 of 4096 ram")}}


def test_deleted_servers_give_their_place_back(app):
    api = client(app, "cycle:cycle")
    made = create(api, min_count=10)
    assert made.status_int == 202 and create(api).status_int == 403
    api.delete(f"/v2.1/servers/{made.json['server']['id']}")
    assert create(api).status_int == 202


def test_other_projects_do_not_count(app):
    assert create(client(app, "one:one"), min_count=10).status_int == 202
    assert create(client(app, "two:two"), min_count=10).status_int == 202


def test_a_negative_quota_is_no_limit(app, api_conf):
    api_conf.quota_instances = api_conf.quota_cores = api_conf.quota_ram = -1
    api = client(app, "free:free")
    assert create(api, flavor="5", min_count=12).status_int == 202
    assert len(api.get("/v2.1/servers").json["servers"]) == 12
