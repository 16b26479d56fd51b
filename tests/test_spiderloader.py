"""Spiders made from profiles: the spider loader, XXGK_SITES_DIR, URL sites, `xxgk sites`, and the
auto spider's remembered platform (for --resume)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from scrapy import Request
from scrapy.settings import Settings
from scrapy.utils.test import get_crawler

from crawler.commands.sites import format_rows, site_rows
from crawler.platforms.auto import PLATFORM_FILE, AutoSpider
from crawler.platforms.hanweb import HanwebSpider
from crawler.platforms.trs import TrsSpider
from crawler.sites.catalog import SITES_DIR_ENV, known_profiles, load_profile, profile_for_url
from crawler.spiderloader import ProfileSpiderLoader, site_spider, spider_class

ROOT = Path(__file__).resolve().parent.parent
COUNTY = '[site]\nname = "mycounty"\nstart_url = "http://www.mycounty.gov.cn/"\nregion = "某省某市"\ncounty = "某县"\n'


def loader(**settings: object) -> ProfileSpiderLoader:
    return ProfileSpiderLoader.from_settings(Settings({"SPIDER_MODULES": ["crawler.spiders"], **settings}))


def test_every_profile_is_a_spider_of_its_platform() -> None:
    spiders = loader()
    assert {"wendeng", "hy", "weihai", "rushan", "zhongwei", "zhongning"} <= set(spiders.list())
    assert issubclass(spiders.load("wendeng"), HanwebSpider) and issubclass(spiders.load("hy"), TrsSpider)
    assert issubclass(spiders.load("zhongwei"), AutoSpider)


def test_shipped_profiles_are_complete_and_the_researched_ones_marked_untested() -> None:
    profiles = {profile.name: profile for profile in known_profiles()}
    assert all(p.region and p.county and p.start_url.startswith("http") for p in profiles.values())
    assert {p.name for p in profiles.values() if p.status != "untested"} == {"wendeng", "hy"}
    assert {"weihai", "huancui", "rongcheng", "rushan", "zhongwei", "shapotou", "zhongning"} <= set(profiles)


def test_a_county_in_another_directory_is_one_toml_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "mycounty.toml").write_text(COUNTY, encoding="utf-8")
    assert "mycounty" in loader(XXGK_SITES_DIR=str(tmp_path)).list()
    monkeypatch.setenv(SITES_DIR_ENV, str(tmp_path))
    profile = load_profile("mycounty")
    assert (profile.platform, profile.allowed_domains) == ("auto", ("www.mycounty.gov.cn",))
    assert profile.nav_patterns("annual_reports")  # completed from the defaults


def test_a_url_is_a_spider_named_after_its_host() -> None:
    cls = loader().load("http://www.example.gov.cn/index.html")
    assert issubclass(cls, AutoSpider) and cls.name == "www.example.gov.cn"
    assert cls.site_profile.start_url == "http://www.example.gov.cn/index.html"


def test_find_by_request_uses_the_profiles_hosts() -> None:
    assert loader().find_by_request(Request("http://www.wendeng.gov.cn/col/col1/index.html")) == ["wendeng"]


def test_scrapy_lists_the_profile_spiders(tmp_path: Path) -> None:
    (tmp_path / "mycounty.toml").write_text(COUNTY, encoding="utf-8")
    out = subprocess.run([sys.executable, "-m", "scrapy", "list"], cwd=ROOT, capture_output=True, text=True,
                         timeout=120, env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT),
                                           SITES_DIR_ENV: str(tmp_path)})
    assert {"wendeng", "hy", "mycounty"} <= set(out.stdout.split()), out.stderr[-2000:]


def test_auto_remembers_its_platform_for_a_resume(tmp_path: Path) -> None:
    cls = spider_class(profile_for_url("http://www.example.gov.cn/"))
    first = cls.from_crawler(get_crawler(cls, {"JOBDIR": str(tmp_path)}))
    first.remember_platform("trs")
    assert json.loads((tmp_path / PLATFORM_FILE).read_text()) == {"platform": "trs"}
    resumed = cls.from_crawler(get_crawler(cls, {"JOBDIR": str(tmp_path), "XXGK_RESUME": True}))
    assert type(resumed) is TrsSpider and resumed.name == "www.example.gov.cn"
    fresh = cls.from_crawler(get_crawler(cls, {"JOBDIR": str(tmp_path)}))
    assert type(fresh) is cls


def test_site_rows_show_profiles_and_url_sites_with_their_last_run() -> None:
    runs = {"wendeng": {"status": "ok", "failure": None, "finished": "2026-12-01T10:00:00Z", "report_pages": 12},
            "www.example.gov.cn": {"status": "failed", "failure": "found no report", "finished": "x",
                                   "report_pages": 0}}
    rows = {row["site"]: row for row in site_rows([load_profile("wendeng"), load_profile("weihai")], runs)}
    assert rows["wendeng"]["status"] == "ok" and rows["wendeng"]["reports"] == 12
    assert rows["weihai"]["profile"] == "untested" and rows["weihai"]["status"] == "never crawled"
    assert rows["www.example.gov.cn"]["status"] == "failed: found no report"
    assert "山东省威海市文登区" in format_rows(list(rows.values()))


def test_site_spider_is_the_loaders_class_for_a_name() -> None:
    assert site_spider("hy").site_profile == loader().load("hy").site_profile
