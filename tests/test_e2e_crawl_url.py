"""End to end: every replica host crawled through ``xxgk crawl URL`` alone — no profile, the platform
detected from the start page, or forced to the generic platform — then compared with the replica's
manifest (the expected answer; nothing asserted is derived from it). Also: a county added as one
TOML file in a directory of its own (``XXGK_SITES_DIR``) is crawled by name.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from crawler.db import open_db
from crawler.extract.normalise import has_traditional
from crawler.platforms.urls import url_host
from tests.replica.fixture import running_replica
from tests.replica.hosts import START_URLS
from tests.replica.world import ALL_SITES
from tests.support.e2e_crawl import ROOT, Crawl
from tests.support.proxy import proxy_env

pytestmark = pytest.mark.e2e
SEED_PORTALS = ("wendeng", "hy")


def crawl_urls(seed: int, data_dir: Path, *extra: str, env: dict[str, str] | None = None,
               sites: tuple[str, ...] = tuple(START_URLS.values())) -> Crawl:
    """Every replica host (the two seed portals and the four newer ones, some titles in traditional
    script) crawled in one ``xxgk crawl`` of their start URLs."""
    with running_replica(seed=seed, sites=ALL_SITES, traditional=True) as replica:
        result = subprocess.run(
            [sys.executable, "-m", "crawler", "crawl", *sites, "--fast", "--data-dir", str(data_dir), *extra],
            cwd=ROOT, env=proxy_env(replica.proxy_url) | (env or {}), capture_output=True, text=True, timeout=900,
        )
        manifest = replica.manifest
    db = open_db(data_dir / "xxgk.db")
    rows = list(db.query("SELECT * FROM reports ORDER BY id")) if "reports" in db.table_names() else []
    db.close()
    return Crawl(manifest, rows, result, data_dir)


@cache
def url_crawl(seed: int, platform: str) -> Crawl:
    """auto: all six hosts; generic (forced): the two seed portals, whose bases auto would pick."""
    import atexit
    import shutil
    import tempfile

    data_dir = Path(tempfile.mkdtemp(prefix=f"xxgk-e2e-url{seed}-{platform}-"))
    atexit.register(shutil.rmtree, data_dir, ignore_errors=True)
    sites = tuple(START_URLS.values()) if platform == "auto" else tuple(START_URLS[s] for s in SEED_PORTALS)
    crawl = crawl_urls(seed, data_dir, "--platform", platform, sites=sites)
    hosts = {url_host(url) for url in sites}
    crawl.manifest["reports"] = [r for r in crawl.manifest["reports"] if url_host(r["url"]) in hosts]
    return crawl


@pytest.fixture(scope="module", params=[(0, "auto"), (7, "auto"), (0, "generic")],
                ids=lambda p: f"seed{p[0]}-{p[1]}")
def crawl(request: pytest.FixtureRequest) -> Iterator[Crawl]:
    yield url_crawl(*request.param)


def expected_urls(crawl: Crawl) -> set[str]:
    return {url for report in crawl.manifest["reports"] for url in report["urls"]}


def test_the_crawl_exits_cleanly(crawl: Crawl) -> None:
    assert crawl.result.returncode == 0, crawl.result.stderr[-3000:]


def crawled_hosts(crawl: Crawl) -> set[str]:
    return {url_host(report["url"]) for report in crawl.manifest["reports"]}


def test_sites_are_named_after_their_hosts(crawl: Crawl) -> None:
    assert {row["site"] for row in crawl.rows} == crawled_hosts(crawl)


def test_traditional_titles_are_found_on_every_host(crawl: Crawl) -> None:
    traditional = [r for r in crawl.manifest["reports"] if has_traditional(r["title"])]
    assert {url_host(r["url"]) for r in traditional} == crawled_hosts(crawl)
    assert [r["url"] for r in traditional if crawl.row_for(r) is None] == []
    stored = [crawl.row_for(r)["agency"] for r in traditional if crawl.row_for(r) is not None]
    assert [agency for agency in stored if agency and has_traditional(agency)] == []  # stored simplified


def test_recall_every_expected_report_is_found(crawl: Crawl) -> None:
    assert [r["url"] for r in crawl.manifest["reports"] if crawl.row_for(r) is None] == []


def test_precision_every_stored_report_is_an_expected_one(crawl: Crawl) -> None:
    assert [row["url"] for row in crawl.rows if row["url"] not in expected_urls(crawl)] == []


def test_double_postings_and_aliases_fold_into_one_row(crawl: Crawl) -> None:
    assert len(crawl.rows) == len(crawl.manifest["reports"])


@pytest.mark.parametrize("field", ["agency", "year", "published"])
def test_fields_match(crawl: Crawl, field: str) -> None:
    def expected(report: dict[str, Any]) -> Any:
        return report[field][:10] if field == "published" else report[field]

    wrong = [(r["url"], expected(r), (crawl.row_for(r) or {}).get(field)) for r in crawl.manifest["reports"]
             if crawl.row_for(r) is not None and crawl.row_for(r)[field] != expected(r)]
    assert wrong == []


def test_crawl_runs_record_each_url_site(crawl: Crawl) -> None:
    db = open_db(crawl.data_dir / "xxgk.db")
    runs = {(row["spider"], row["status"]) for row in db.query("SELECT spider, status FROM crawl_runs")}
    db.close()
    assert runs == {(host, "ok") for host in crawled_hosts(crawl)}


def test_a_recrawl_by_url_is_incremental() -> None:
    first = url_crawl(0, "auto")
    again = crawl_urls(0, first.data_dir)
    again.manifest["reports"] = first.manifest["reports"]
    assert again.result.returncode == 0, again.result.stderr[-3000:]
    assert "not modified" in again.result.stdout and len(again.rows) == len(first.rows)
    assert " 0 new reports" in again.result.stdout


# --- a county as one TOML file ------------------------------------------------------------------


def test_a_county_added_as_one_toml_file_is_crawled_by_name(tmp_path: Path) -> None:
    sites = tmp_path / "sites"
    sites.mkdir()
    (sites / "haiyuan.toml").write_text(
        '[site]\nname = "haiyuan"\nplatform = "auto"\nstart_url = "http://www.hy.gov.cn/"\n'
        'region = "宁夏回族自治区中卫市"\ncounty = "海原县"\n', encoding="utf-8")
    crawl = crawl_urls(0, tmp_path / "data", env={"XXGK_SITES_DIR": str(sites)}, sites=("haiyuan",))
    assert "hy" in START_URLS
    assert crawl.result.returncode == 0, crawl.result.stderr[-3000:]
    expected = [r for r in crawl.manifest["reports"] if r["site"] == "hy"]
    assert [r["url"] for r in expected if crawl.row_for(r) is None] == []
    assert {row["site"] for row in crawl.rows} == {"haiyuan"}
    assert {row["region"] for row in crawl.rows} <= {"宁夏回族自治区中卫市海原县"}
    listed = subprocess.run([sys.executable, "-m", "crawler", "sites", "--data-dir", str(tmp_path / "data"),
                             "--json"], cwd=ROOT, env=proxy_env("") | {"XXGK_SITES_DIR": str(sites)},
                            capture_output=True, text=True, timeout=120)
    rows = {row["site"]: row for row in map(json.loads, listed.stdout.splitlines())}
    assert rows["haiyuan"]["status"] == "ok" and rows["haiyuan"]["platform"] == "auto"
    assert rows["wendeng"]["status"] == "never crawled"
