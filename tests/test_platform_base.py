"""Pure helpers shared by every portal spider: title recognition, years, dates, profiles, items."""

from __future__ import annotations

import asyncio
import hashlib
from urllib.parse import urljoin, urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st
from scrapy import Request
from scrapy.exceptions import CloseSpider
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from crawler.extract.titles import find_date, is_annual_report_title, report_year_from_title
from crawler.items import FetchedDocument, ReportPage
from crawler.platforms.base import LAYOUT_CHANGED, parse_year
from crawler.platforms.urls import host_allowed, join_url, url_host
from crawler.sites.catalog import load_profile
from crawler.spiderloader import site_spider

WendengSpider = site_spider("wendeng")


@pytest.mark.parametrize(
    ("title", "year"),
    [
        ("威海市文登区财政局2022年政府信息公开工作年度报告", 2022),
        ("2023年度政府信息公开工作年度报告", 2023),
        ("海原县三河镇人民政府政府信息公开年报（2020年）", 2020),
        ("威海市文登区财政局2024年政府信息公开工作年度报告（更正）", 2024),
        ("威海市文登区财政局2024年政府信息公开工作年度报告(修订版)", 2024),
        ("威海市文登区财政局\n2025年政府信息公开工作年度报告", 2025),
        ("二〇一九年政府信息公开工作年度报告", 2019),
        ("文登区2010年政府信息公开工作报告", 2010),
        ("XX镇政府信息公开年度报告", None),
    ],
)
def test_annual_report_titles_are_recognised_with_their_year(title: str, year: int | None) -> None:
    assert is_annual_report_title(title)
    assert report_year_from_title(title) == year


@pytest.mark.parametrize(
    "title",
    [
        "威海市文登区财政局政府信息公开指南",
        "威海市文登区政府信息公开制度",
        "威海市文登区财政局2025年部门预算公开",
        "2024年度部门决算",
        "文登区召开政务公开工作推进会",
        "海原县2023年政府信息公开工作要点",
        "关于印发政府信息公开工作年度报告格式的通知",
        "关于做好2022年度政府信息公开工作年度报告编制工作的通知",
        "2023年度工作要点",
        "",
        None,
    ],
)
def test_other_titles_are_not_annual_reports(title: str | None) -> None:
    assert not is_annual_report_title(title)


@pytest.mark.parametrize(
    ("texts", "expected"),
    [
        (["", "2023-01-16"], "2023-01-16"),
        (["[2019-1-5]"], "2019-01-05"),
        (["发布日期：2026年1月19日"], "2026-01-19"),
        (["索引号：11640522MB1234567X/2024-00003", "2024-01-22"], "2024-01-22"),
        (["无日期"], None),
    ],
)

def test_find_date_normalises_listing_dates(texts: list[str], expected: str | None) -> None:
    assert find_date(texts) == expected


def test_host_allow_list_rejects_mirrors_and_the_city_portal() -> None:
    allowed = ("www.wendeng.gov.cn",)
    assert host_allowed("http://www.wendeng.gov.cn/art/2023/1/1/art_1_2.html", allowed)
    assert not host_allowed("http://www.315shenghuo.com/art/2023/2/17/art_122236_3413807.html", allowed)
    assert not host_allowed("http://www.weihai.gov.cn/col/col1/index.html", allowed)
    assert not host_allowed("http://evil-www.wendeng.gov.cn.example.com/", allowed)


def test_profiles_load_from_the_package_and_hold_no_column_ids() -> None:
    for name in ("wendeng", "hy"):
        profile = load_profile(name)
        assert profile.name == name
        assert profile.start_url.startswith("http://")
        assert not any(char.isdigit() for char in profile.start_url.split("/", 3)[-1])


def test_year_argument_and_setting() -> None:
    assert parse_year(None) is None
    assert parse_year("2023") == 2023
    with pytest.raises(ValueError):
        parse_year("last year")
    assert WendengSpider(year="2022").year == 2022
    crawler = get_crawler(WendengSpider, {"XXGK_YEAR": 2021})
    assert WendengSpider.from_crawler(crawler).year == 2021
    crawler = get_crawler(WendengSpider, {"XXGK_YEAR": 2021})
    assert WendengSpider.from_crawler(crawler, year="2024").year == 2024


def test_year_filter_keeps_only_that_years_reports() -> None:
    spider = WendengSpider(year="2024")
    assert spider.wants_report("财政局2024年政府信息公开工作年度报告")
    assert not spider.wants_report("财政局2023年政府信息公开工作年度报告")
    assert not spider.wants_report("财政局2024年部门预算")


def test_report_page_item_carries_body_hash_listing_fields_and_warc_location() -> None:
    spider = WendengSpider()
    url = "http://www.wendeng.gov.cn/art/2026/1/19/art_182996_6093007.html"
    warc = {"file": "xxgk-00001.warc.gz", "offset": 1234, "record_id": "<urn:uuid:1>"}
    request = Request(url, meta={"xxgk_warc": warc})
    body = "<html><head><meta charset='utf-8'></head><body>年度报告</body></html>".encode()
    response = HtmlResponse(url, body=body, request=request, headers={"Content-Type": "text/html; charset=UTF-8"})
    report = spider.parse_report(response, "…2025年政府信息公开工作年度报告", "2026-01-19", "财政局",
                                 "http://www.wendeng.gov.cn/col/col182996/index.html")
    [item] = asyncio.run(collect(report))
    assert isinstance(item, ReportPage)
    assert (item.url, item.final_url, item.status) == (url, url, 200)
    assert item.body == body and item.sha256 == hashlib.sha256(body).hexdigest()
    assert item.encoding == "utf-8"
    assert item.content_type == "text/html; charset=UTF-8"
    assert item.fetched_at.endswith("Z")
    assert (item.list_date, item.column) == ("2026-01-19", "财政局")
    assert (item.warc_file, item.warc_offset, item.warc_record_id) == ("xxgk-00001.warc.gz", 1234, "<urn:uuid:1>")
    assert item.site == "wendeng"


def test_structural_layout_error_counts_and_fails_the_crawl_at_idle() -> None:
    crawler = get_crawler(WendengSpider)
    spider = WendengSpider.from_crawler(crawler)
    response = HtmlResponse("http://www.wendeng.gov.cn/index.html", body=b"<html></html>")
    spider.on_idle()  # nothing wrong yet: no exception
    assert spider.require([], response, "政务公开 link", structural=False) == []
    spider.on_idle()
    assert crawler.stats.get_value("xxgk/layout_errors") == 1
    spider.require([], response, "政务公开 link")
    with pytest.raises(CloseSpider) as closing:
        spider.on_idle()
    assert closing.value.reason == LAYOUT_CHANGED
    assert crawler.stats.get_value("xxgk/layout_errors") == 2


def test_fetched_document_has_no_body() -> None:
    spider = WendengSpider()
    url = "http://www.wendeng.gov.cn/col/col1/index.html"
    response = HtmlResponse(url, body=b"<html></html>", request=Request(url))
    document = spider.fetched_document(response, "list")
    assert isinstance(document, FetchedDocument)
    assert (document.role, document.body, document.size) == ("list", None, 13)


async def collect(items):  # type: ignore[no-untyped-def]
    return [item async for item in items]


# --- fast URL helpers: the same answers as urllib -------------------------------------------------

_BASES = st.sampled_from([
    "http://www.hy.gov.cn/xxgk/zfxxgknb/list_2.html",
    "http://www.hy.gov.cn/xxgk/zfxxgknb/",
    "http://www.hy.gov.cn",
    "http://www.hy.gov.cn?x=1",
    "https://WWW.Wendeng.gov.cn:8080/col/col1/index.html?uid=1&pageNum=2#top",
    "http://user@www.wendeng.gov.cn/a/b/../c/index.html",
    "http://www.wendeng.gov.cn/a/./b.html",
    "http://www.hy.gov.cn/a//b/list.html",
    "ftp://example.org/a/b",
    "http://[::1]:80/a/b",
])
_HREFS = st.text(alphabet="/.?#:a1%\\ \t\nhtp_-", max_size=16) | st.builds(lambda prefix, tail: prefix + tail, st.sampled_from(["/", "./", "//", "../", "http://x/"]),
              st.text(alphabet="/.?#:a1%\\ \t\nhtp_-", max_size=16))


@given(base=_BASES, href=_HREFS)
def test_join_url_is_urljoin(base: str, href: str) -> None:
    assert join_url(base, href) == urljoin(base, href)


@given(url=st.one_of(_BASES, st.builds(lambda p, t: p + t, st.sampled_from(["http://", "https://", "HTTP://"]),
                                         st.text(alphabet="wW.gov:@[]1/?#%\\ \t", max_size=24))))
def test_url_host_is_urlsplit_hostname(url: str) -> None:
    try:
        expected = (urlsplit(url).hostname or "").lower()
    except ValueError:  # urllib refuses some malformed hosts ("[" without "]"); so must we
        with pytest.raises(ValueError):
            url_host(url)
        return
    assert url_host(url) == expected
