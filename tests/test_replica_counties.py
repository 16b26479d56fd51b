"""The many-site replica (tests/replica/counties.py, tests/replica/pacing.py): generated county hosts are
deterministic, distinct, built lazily, reachable through the proxy, loadable as profiles, paced by
latency and per-host bandwidth; a crawl of three of them finds what their manifest says (the manifest
is only the expected answer)."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from crawler.db import open_db
from crawler.platforms.urls import url_host
from crawler.sites.catalog import find_profile
from tests.replica.counties import ARCHETYPES, RESERVED, county_specs, county_world
from tests.replica.fixture import Counties, running_counties
from tests.replica.pacing import Pacing
from tests.replica.world import html_response
from tests.support.e2e_crawl import ROOT, Crawl
from tests.support.proxy import proxy_env


def fetch(proxy_url: str, url: str) -> tuple[int, bytes]:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({"http": proxy_url}))
    with opener.open(url, timeout=30) as response:
        return response.status, response.read()


# --- generation -------------------------------------------------------------------------------


def test_counties_are_deterministic_by_seed_and_the_seed_changes_them() -> None:
    assert county_specs(40, seed=3) == county_specs(40, seed=3)
    assert [s.site for s in county_specs(40, seed=3)] != [s.site for s in county_specs(40, seed=4)]
    first, again = county_world(5, seed=3), county_world(5, seed=3)
    host = next(iter(first.specs))
    site = first.specs[host].site
    first.ensure(site)
    again.ensure(site)
    assert {k: v.body for k, v in first.pages.items()} == {k: v.body for k, v in again.pages.items()}
    assert first.manifest((site,)) == again.manifest((site,))


def test_a_thousand_counties_are_distinct_and_mix_every_archetype() -> None:
    specs = county_specs(1000)
    assert len({s.site for s in specs}) == len({s.host for s in specs}) == len({s.county for s in specs}) == 1000
    assert not {s.site for s in specs} & RESERVED
    assert all(s.host == f"www.{s.site}.gov.cn" for s in specs)
    assert {s.archetype for s in specs[:4]} == set(ARCHETYPES)
    assert all(len({slug for _, slug in s.towns}) == len(s.towns) for s in specs)


def test_hosts_are_built_only_when_asked_for() -> None:
    started = time.monotonic()
    world = county_world(1000)
    assert time.monotonic() - started < 5  # nothing rendered yet (a generous bound, not a benchmark)
    assert len(world.hosts) == 1000 and world.pages == {} and world.built == set()
    spec = next(iter(world.specs.values()))
    assert world.handle("GET", spec.host, "/").status == 200
    assert world.built == {spec.site}


def test_a_county_manifest_names_its_own_bodies_and_hosts() -> None:
    world = county_world(4, seed=1)
    specs = list(world.specs.values())
    manifest = world.manifest((specs[0].site, specs[1].site))
    assert {r["site"] for r in manifest["reports"]} == {specs[0].site, specs[1].site}
    assert manifest["hosts"] == sorted({specs[0].host, specs[1].host})
    by_site = {s.site: s for s in specs}
    assert all(r["agency"].startswith(by_site[r["site"]].prefix) for r in manifest["reports"])
    assert all(url_host(r["url"]) == by_site[r["site"]].host for r in manifest["reports"])
    assert world.built == {specs[0].site, specs[1].site}


def test_profiles_load_from_the_sites_dir(monkeypatch: pytest.MonkeyPatch) -> None:
    with running_counties(5) as counties:
        monkeypatch.setenv("XXGK_SITES_DIR", str(counties.sites_dir))
        for spec in counties.specs:
            profile = find_profile(spec.site)
            assert (profile.start_url, profile.platform) == (spec.start_url, "generic")
            assert (profile.region, profile.county) == (spec.region, spec.county)


# --- serving ----------------------------------------------------------------------------------


def test_every_host_answers_through_the_proxy() -> None:
    with running_counties(60, seed=2) as counties:
        with ThreadPoolExecutor(8) as pool:
            answers = list(pool.map(lambda spec: fetch(counties.proxy_url, spec.start_url), counties.specs))
        assert [status for status, _ in answers] == [200] * 60
        assert all(spec.county.encode() in body or b"<html" in body.lower() for spec, (_, body)
                   in zip(counties.specs, answers, strict=True))
        assert counties.world.built == set(counties.sites)


def test_latency_is_honoured_per_response() -> None:
    with running_counties(2, pacing=Pacing(latency=0.3)) as counties:
        url = counties.specs[0].start_url
        fetch(counties.proxy_url, url)  # the host is built on its first request: not timed
        started = time.monotonic()
        for _ in range(3):
            fetch(counties.proxy_url, url)
        assert time.monotonic() - started >= 0.9


def test_bandwidth_is_shared_by_one_hosts_connections_not_across_hosts() -> None:
    pacing = Pacing(bandwidth=64 * 1024)
    with running_counties(2, pacing=pacing) as counties:
        a, b = (f"http://{spec.host}/big.html" for spec in counties.specs)
        for url in (a, b):  # a page of known size on each host
            counties.world.put(url, html_response("<p>" + "年" * 10900 + "</p>"))  # 32 KiB: half a second

        def timed(urls: list[str]) -> float:
            started = time.monotonic()
            with ThreadPoolExecutor(len(urls)) as pool:
                assert [len(body) for _, body in pool.map(lambda u: fetch(counties.proxy_url, u), urls)]
            return time.monotonic() - started

        assert timed([a]) >= 0.45
        assert timed([a, a]) >= 0.95  # two at once to one host: its link is shared
        assert timed([a, b]) >= 0.45
        assert pacing.peak()[counties.specs[0].host] == 2


def test_a_hosts_link_is_reserved_after_its_earlier_bytes_and_hosts_are_independent() -> None:
    pacing = Pacing(bandwidth=1000)
    now = time.monotonic()
    first, second = pacing._reserve("a", 500), pacing._reserve("a", 500)
    other = pacing._reserve("b", 500)
    assert first == pytest.approx(now + 0.5, abs=0.05) and second == pytest.approx(first + 0.5, abs=1e-9)
    assert other == pytest.approx(now + 0.5, abs=0.05)  # not queued behind host a


def test_pacing_counts_requests_in_progress_per_host() -> None:
    pacing = Pacing(latency=0.2)
    with running_counties(1, pacing=pacing) as counties:
        url = counties.specs[0].start_url
        threads = [threading.Thread(target=fetch, args=(counties.proxy_url, url)) for _ in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert pacing.peak() == {counties.specs[0].host: 3}
        assert len(pacing.loads[counties.specs[0].host].arrivals) == 3


def test_bandwidth_parses_units() -> None:
    assert Pacing.parse(0.05, "64k") == Pacing(latency=0.05, bandwidth=65536)
    assert Pacing.parse(0, "2m").bandwidth == 2 * 1024 * 1024 and Pacing.parse(0, 500).bandwidth == 500


# --- a crawl ----------------------------------------------------------------------------------


def crawl_counties(counties: Counties, sites: list[str], data_dir: Path) -> Crawl:
    env = proxy_env(counties.proxy_url) | {"XXGK_SITES_DIR": str(counties.sites_dir)}
    result = subprocess.run([sys.executable, "-m", "crawler", "crawl", *sites, "--fast", "--data-dir",
                             str(data_dir)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    db = open_db(data_dir / "xxgk.db")
    rows = list(db.query("SELECT * FROM reports ORDER BY id")) if "reports" in db.table_names() else []
    db.close()
    return Crawl(counties.manifest(sites), rows, result, data_dir)


@pytest.mark.e2e
def test_a_crawl_of_three_generated_counties_finds_what_they_publish(tmp_path: Path) -> None:
    with running_counties(200, seed=5) as counties:
        sites = [spec.site for spec in counties.specs[:3]]
        crawl = crawl_counties(counties, sites, tmp_path / "data")
        assert counties.world.built == set(sites)  # the other 197 hosts were never built
    assert crawl.result.returncode == 0, crawl.result.stderr[-3000:]
    expected = crawl.manifest["reports"]
    assert {r["site"] for r in expected} == set(sites)
    assert [r["url"] for r in expected if crawl.row_for(r) is None] == []
    urls = {url for r in expected for url in r["urls"]}
    assert [row["url"] for row in crawl.rows if row["url"] not in urls] == []
    assert len(crawl.rows) == len(expected)
    wrong = [(r["url"], r["year"], crawl.row_for(r)["year"]) for r in expected if crawl.row_for(r)["year"] != r["year"]]
    assert wrong == []
    assert {row["site"] for row in crawl.rows} == set(sites)
