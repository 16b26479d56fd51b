"""``xxgk crawl --distributed`` of sites whose platform is detected on their start page (a start URL,
a ``platform = "auto"`` profile): the seeder fetches the start page once, detects the platform and
seeds a resolved profile that every worker makes its spider from (crawler/distributed/resolve.py).
The end-to-end test compares the distributed crawl of two start URLs with a one-process crawl of
the same URLs; nothing asserted comes from the replica's manifest."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from redis import Redis

import crawler.cli  # noqa: F401  (loads the command modules in the order the CLI does)
from crawler.archive.reader import iter_requests
from crawler.distributed.resolve import resolve_platforms, unresolved
from crawler.distributed.seed import seed_sites
from crawler.distributed.state import Keys, SharedState
from crawler.running import project_settings
from crawler.sites.catalog import find_profile, profile_for_url
from crawler.sites.profile import profile_from_fields, profile_to_dict
from tests.replica.fixture import running_replica
from tests.replica.hosts import START_URLS
from tests.support.distributed import drain, dump, proxy_env, run_xxgk, start_workers
from tests.support.redis_server import MISSING, redis_server_binary, running_redis

URL = "http://www.example.gov.cn/"
needs_redis = pytest.mark.skipif(redis_server_binary() is None, reason=MISSING)


def test_urls_and_auto_profiles_are_the_sites_to_resolve() -> None:
    auto = next(p.name for p in map(find_profile, ("guyuan", "wendeng")) if p.platform == "auto")
    assert unresolved([URL, auto, "wendeng"]) == [URL, auto]


def test_a_profile_crosses_redis_as_json_and_comes_back_equal() -> None:
    for profile in (find_profile("wendeng"), profile_for_url(URL, "hanweb")):
        assert profile_from_fields(json.loads(json.dumps(profile_to_dict(profile)))) == profile


def test_a_forced_platform_is_resolved_without_fetching() -> None:
    profiles = resolve_platforms([URL, "wendeng"], {}, "trs")  # a fetch would fail: nothing is listening
    assert list(profiles) == ["www.example.gov.cn"] and profiles["www.example.gov.cn"].platform == "trs"


@needs_redis
def test_the_seeder_puts_the_resolved_profile_beside_the_site(tmp_path: Path) -> None:
    with running_redis(tmp_path) as url:
        server, keys = Redis.from_url(url), Keys("r")
        profile = profile_for_url(URL, "hanweb")
        pushed = seed_sites(server, keys, [URL], None, project_settings(), {"www.example.gov.cn": profile})
        sites = SharedState(server, keys).sites()
    assert pushed == {"www.example.gov.cn": 1}
    assert profile_from_fields(sites["www.example.gov.cn"]["profile"]) == profile


@needs_redis
@pytest.mark.e2e
def test_start_urls_crawled_by_workers_store_what_one_process_stores(tmp_path: Path) -> None:
    sites = [START_URLS["wendeng"], START_URLS["hy"]]
    with running_replica(seed=0) as replica, running_redis(tmp_path / "redis") as redis_url:
        env = proxy_env(replica.proxy_url)
        alone = tmp_path / "alone"
        run_xxgk(["crawl", *sites, "--fast", "--data-dir", str(alone), "-s", "XXGK_WORKERS=0"], env)
        fleet = tmp_path / "fleet"
        seeded = run_xxgk(["crawl", *sites, "--distributed", "--redis", redis_url, "--seed-only", "--fast",
                           "--data-dir", str(fleet)], env)
        workers = start_workers(redis_url, fleet, env, 2, tmp_path / "logs")
        try:
            drain(redis_url, fleet, env)
            codes = workers.wait()
            assert codes == [0, 0], [workers.log_tail(i) for i in range(2)]
        finally:
            workers.stop()
    assert "www.wendeng.gov.cn: platform hanweb" in seeded
    expected: dict[str, Any] = dump(alone)
    assert expected["reports"], "the one-process crawl found no report"
    found = dump(fleet)
    for table in expected:
        assert found[table] == expected[table], table
    probed = [r.url for r in iter_requests(fleet / "warc") if r.url in sites]
    assert sorted(probed) == sorted(sites * 2)  # each start page: the seeder's probe (archived), then one worker


def archived_documents(db_file: Path) -> list[tuple[Any, ...]]:
    """Every documents row but its id, sorted: what the archive must rebuild."""
    from crawler.db import open_db

    db = open_db(db_file)
    try:
        rows = [{k: v for k, v in row.items() if k != "id"} for row in db.query("SELECT * FROM documents")]
        return sorted((tuple(row.items()) for row in rows), key=repr)
    finally:
        db.close()


@needs_redis
@pytest.mark.e2e
def test_the_seeders_database_is_what_a_reparse_of_its_archive_rebuilds(tmp_path: Path) -> None:
    """The probe archives each start page it fetches; the archive is the source of truth, so the
    seeder's database holds the rows a reparse of that archive makes (the probe's list pages)."""
    from crawler.reparse import reparse

    sites = [START_URLS["wendeng"], START_URLS["hy"]]
    seeder = tmp_path / "seeder"
    with running_replica(seed=0) as replica, running_redis(tmp_path / "redis") as redis_url:
        seeded = run_xxgk(["crawl", *sites, "--distributed", "--redis", redis_url, "--seed-only", "--fast",
                           "--data-dir", str(seeder)], proxy_env(replica.proxy_url))
    assert f"xxgk drain --redis {redis_url} --data-dir {seeder}" in seeded  # the drainer writes beside the probe
    reparse(seeder / "warc", tmp_path / "rebuilt.db")
    stored = archived_documents(seeder / "xxgk.db")
    assert stored == archived_documents(tmp_path / "rebuilt.db")
    assert sorted(dict(row)["url"] for row in stored) == sorted(sites)  # one list row per probed site
    assert {dict(row)["role"] for row in stored} == {"list"}
