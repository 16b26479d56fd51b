"""Sites as a room (crawler/sites/): a profile's scope travels on the report item, so the stages
(dedupe, store) read the item and never load a profile; replay finds the same fields by site name."""

from __future__ import annotations

import ast
import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from scrapy.http import HtmlResponse

from crawler.bodies import Scope, item_scope
from crawler.db import open_db
from crawler.items import ReportPage
from crawler.sites.catalog import SITES_DIR_ENV, complete, site_fields_by_name
from crawler.sites.profile import SiteProfile, profile_from_dict, site_fields
from crawler.spiderloader import spider_class
from pipelines.dedupe import DedupePipeline
from pipelines.store import StorePipeline
from tests.support.store_items import Stats, extracted

ROOT = Path(__file__).resolve().parent.parent
COUNTY = {"site": {"name": "mycounty", "platform": "hanweb", "start_url": "http://www.mycounty.gov.cn/",
                   "region": "某省某市", "county": "某县", "division_code": "123456"}}
SCOPE = {"region": "某省某市", "county": "某县", "division_code": "123456"}


def test_site_fields_are_the_profiles_scope_and_empty_without_one() -> None:
    assert site_fields(profile_from_dict(COUNTY)) == SCOPE
    bare = SiteProfile(name="www.x.gov.cn", platform="auto", start_url="http://www.x.gov.cn/",
                       allowed_domains=("www.x.gov.cn",))
    assert site_fields(bare) == site_fields(None) == {"region": "", "county": "", "division_code": ""}


def test_fields_by_name_read_the_profile_of_that_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "mycounty.toml").write_text(
        '[site]\nname = "mycounty"\nstart_url = "http://www.mycounty.gov.cn/"\nregion = "某省某市"\n'
        'county = "某县"\ndivision_code = "123456"\n', encoding="utf-8")
    monkeypatch.setenv(SITES_DIR_ENV, str(tmp_path))
    assert site_fields_by_name("mycounty") == SCOPE
    assert site_fields_by_name("www.elsewhere.gov.cn") == site_fields(None)  # crawled by URL: no profile
    site_fields_by_name("mycounty")["region"] = "changed"  # a caller's copy, not the cache
    assert site_fields_by_name("mycounty") == SCOPE


async def _collect(items: AsyncIterator[Any]) -> list[Any]:
    return [item async for item in items]


def test_the_spider_puts_its_profiles_scope_on_the_report_item() -> None:
    spider = spider_class(complete(profile_from_dict(COUNTY)))()
    url = "http://www.mycounty.gov.cn/art/2024/1/2/art_1_2.html"
    response = HtmlResponse(url, body="<html><body>年度报告</body></html>".encode(), encoding="utf-8")
    [item] = asyncio.run(_collect(spider.parse_report(response, "2023年政府信息公开工作年度报告", None, None, None)))
    assert isinstance(item, ReportPage)
    assert (item.region, item.county, item.division_code) == ("某省某市", "某县", "123456")
    assert item_scope(item) == Scope("某省某市", "某县", "123456")


def _item(site: str, url: str, **scope: str) -> ReportPage:
    report = extracted()
    return ReportPage(site=site, url=url, final_url=url, status=200, content_type="text/html", body=b"<html/>",
                      encoding="utf-8", sha256="0" * 64, fetched_at="2026-11-21T00:00:00Z", text=report.text,
                      extracted=report, **scope)


def test_dedupe_and_store_read_the_scope_on_the_item_not_a_profile(tmp_path: Path) -> None:
    path, stats = tmp_path / "xxgk.db", Stats()
    dedupe, store = DedupePipeline(path, stats), StorePipeline(path, stats)
    dedupe.open_spider()
    store.open_spider()
    # a site no profile names, carrying a scope; a profiled site (wendeng) carrying none
    for item in (_item("nowhere", "http://a/1.html", **SCOPE), _item("wendeng", "http://b/1.html")):
        store.process_item(dedupe.process_item(item))
    dedupe.close_spider()
    store.close_spider()
    rows = {row["site"]: row for row in open_db(path)["reports"].rows}
    assert rows["nowhere"]["region"] == "某省某市某县" and rows["nowhere"]["agency_key"].startswith("123456/")
    assert rows["wendeng"]["region"] is None and rows["wendeng"]["agency_key"].startswith("wendeng/")
    body = open_db(path)["bodies"].get(rows["nowhere"]["body_id"])
    assert (body["region"], body["county"], body["division_code"]) == ("某省某市", "某县", "123456")


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
    return found


def test_no_stage_loads_a_profile() -> None:
    loaders = {"crawler.sites.catalog", "crawler.platforms.base", "crawler.spiderloader"}
    stages = sorted((ROOT / "pipelines").glob("*.py"))
    assert stages
    assert {path.name: _imports(path) & loaders for path in stages} == {path.name: set() for path in stages}
