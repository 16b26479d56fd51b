"""TRS 集约化 navigation and static lists, on hand-written fixtures modelled on sites.md §2.4 and §6.3."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse, Response
from scrapy.utils.test import get_crawler

from crawler.items import FetchedDocument
from crawler.platforms.base import LAYOUT_CHANGED
from crawler.platforms.trs import (
    Pager,
    TrsSpider,
    column_directory,
    is_below,
    list_items,
    page_url,
    parse_pager,
)
from crawler.spiderloader import site_spider

HySpider = site_spider("hy")

FIXTURES = Path(__file__).parent / "fixtures" / "html" / "trs"
SITE = "http://www.hy.gov.cn"
COLUMN = f"{SITE}/xxgk/zfxxgknb/"
INDEX_CHROME = frozenset({f"{SITE}/", f"{SITE}/xxgk/index.html", f"{SITE}/xxgk/bmxxgkml/", f"{SITE}/xxgk/xzxxgk/"})


def fixture_response(url: str, name: str) -> Response:
    return HtmlResponse(url, body=(FIXTURES / name).read_bytes(), request=Request(url),
                        headers={"Content-Type": "text/html; charset=UTF-8"})


def spider_with_stats(**kwargs: Any) -> HySpider:
    return HySpider.from_crawler(get_crawler(HySpider), **kwargs)


def requests_for(output: list[Any], callback: Any) -> list[Request]:
    return [o for o in output if isinstance(o, Request) and o.callback == callback]


# --- pure helpers -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("script", "expected"),
    [
        ('var countPage = 3; createPageHTML(countPage, 0, "list", "html");', Pager(3, 0, "list", "html")),
        ('createPageHTML(12, 4, "index", "shtml");', Pager(12, 4, "index", "shtml")),
        ("createPageHTML('page_div', 5, 1, 'list', 'html', 88);", Pager(5, 1, "list", "html")),
        ('var countPage = 1; createPageHTML(countPage, 0, "list", "html");', Pager(1, 0, "list", "html")),
        ("createPageHTML(0, 0, 'list', 'html');", Pager(1, 0, "list", "html")),
        ("<p>no pager here</p>", None),
    ],
)
def test_pager_call_is_read(script: str, expected: Pager | None) -> None:
    assert parse_pager(script) == expected


def test_page_k_plus_one_is_list_k() -> None:
    pager = Pager(3, 0, "list", "html")
    assert [page_url(COLUMN, pager, k) for k in range(3)] == [
        f"{COLUMN}list.html", f"{COLUMN}list_1.html", f"{COLUMN}list_2.html"]


def test_column_directory_and_is_below() -> None:
    assert column_directory(f"{COLUMN}list_2.html") == COLUMN == column_directory(COLUMN)
    directory = f"{SITE}/xxgk/bmxxgkml/"
    assert is_below(f"{directory}czj_50123/", directory)
    assert is_below(f"{directory}jyj_50200/index.html", directory)
    assert not is_below(f"{directory}list_1.html", directory)
    assert not is_below(f"{SITE}/xxgk/index.html", directory)


# --- navigation and lists ------------------------------------------------------------------------------


def test_index_leads_to_the_county_column_and_the_unit_directories() -> None:
    spider = spider_with_stats()
    output = list(spider.parse_index(fixture_response(f"{SITE}/xxgk/index.html", "xxgk_index.html")))
    assert [(r.url, r.cb_kwargs["column"]) for r in requests_for(output, spider.parse_column)] == [
        (COLUMN, "政府信息公开年报")]
    assert [r.url for r in requests_for(output, spider.parse_directory)] == [
        f"{SITE}/xxgk/bmxxgkml/", f"{SITE}/xxgk/xzxxgk/"]
    assert isinstance(output[0], FetchedDocument) and output[0].role == "list"


def test_first_list_page_yields_reports_and_every_other_page_once() -> None:
    spider = spider_with_stats()
    list(spider.column_request(COLUMN, "政府信息公开年报"))
    output = list(spider.parse_column(fixture_response(COLUMN, "list.html"), column="政府信息公开年报",
                                      column_url=COLUMN))
    reports = requests_for(output, spider.parse_report)
    assert [(r.url, r.cb_kwargs["list_date"]) for r in reports] == [
        (f"{COLUMN}202301/t20230116_3912345.html", "2023-01-16"),
        (f"{COLUMN}202201/t20220120_3800001.html", "2022-01-20"),
    ]  # not the 工作要点
    assert reports[0].cb_kwargs["list_title"] == "海原县人民政府办公室2022年政府信息公开工作年度报告"
    assert [r.url for r in requests_for(output, spider.parse_column)] == [
        f"{COLUMN}list_1.html", f"{COLUMN}list_2.html"]
    again = list(spider.parse_column(fixture_response(f"{COLUMN}list_1.html", "list.html"),
                                     column="政府信息公开年报", column_url=COLUMN))
    assert requests_for(again, spider.parse_column) == []  # no page asked for twice


def test_a_last_page_revealing_one_more_page_is_followed_without_overshooting() -> None:
    spider = spider_with_stats()
    list(spider.column_request(COLUMN, "政府信息公开年报"))
    list(spider.parse_column(fixture_response(COLUMN, "list.html"), column="年报", column_url=COLUMN))
    output = list(spider.parse_column(fixture_response(f"{COLUMN}list_2.html", "list_2_last.html"),
                                      column="年报", column_url=COLUMN))
    assert [r.url for r in requests_for(output, spider.parse_column)] == [f"{COLUMN}list_3.html"]
    assert len(requests_for(output, spider.parse_report)) == 1


def test_empty_column_is_fine_and_asks_for_nothing() -> None:
    spider = spider_with_stats()
    output = list(spider.parse_column(fixture_response(COLUMN, "empty_list.html"), column="年报", column_url=COLUMN))
    assert [type(o) for o in output] == [FetchedDocument]
    assert spider.close_reason is None


def test_department_template_with_boxcon_lines() -> None:
    spider = spider_with_stats(year="2023")
    column = f"{SITE}/xxgk/bmxxgkml/czj_50123/xxgknb_50130/"
    output = list(spider.parse_column(fixture_response(column, "boxcon_list.html"), column="县财政局", column_url=column))
    [report] = requests_for(output, spider.parse_report)
    assert report.url == f"{column}202401/t20240122_4500001.html"
    assert report.cb_kwargs["list_date"] == "2024-01-22"
    assert requests_for(output, spider.parse_column) == []


def test_an_undated_item_does_not_borrow_the_next_items_date() -> None:
    body = (
        '<ul><li><a href="./202301/t20230116_1.html" title="海原县2022年政府信息公开工作年度报告">a</a></li></ul>'
        '<ul><li><a href="./202201/t20220120_2.html" title="海原县2021年政府信息公开工作年度报告">b</a></li>'
        "<li><span>2022-01-20</span></li></ul>"
    ).encode()
    response = HtmlResponse(COLUMN, body=body, encoding="utf-8")
    items = list_items(response, HySpider().profile.url_pattern("article"))
    assert [item.date for item in items] == [None, "2022-01-20"]


def test_unit_directory_yields_columns_and_units() -> None:
    spider = spider_with_stats()
    directory = f"{SITE}/xxgk/bmxxgkml/"
    output = list(spider.parse_directory(fixture_response(directory, "bm_directory.html"), depth=1, unit=None,
                                         chrome=INDEX_CHROME))
    assert [r.url for r in requests_for(output, spider.parse_column)] == [f"{directory}czj_50123/xxgknb_50130/"]
    assert [(r.url, r.cb_kwargs["unit"]) for r in requests_for(output, spider.parse_directory)] == [
        (f"{directory}czj_50123/", "县财政局"), (f"{directory}jyj_50200/index.html", "县教育局")]


def test_unit_page_yields_its_annual_report_column_by_link_text() -> None:
    spider = spider_with_stats()
    unit = f"{SITE}/xxgk/bmxxgkml/jyj_50200/index.html"
    output = list(spider.parse_directory(fixture_response(unit, "unit.html"), depth=2, unit="县教育局",
                                         chrome=INDEX_CHROME))
    assert [(r.url, r.cb_kwargs["column"]) for r in requests_for(output, spider.parse_column)] == [
        (f"{SITE}/xxgk/bmxxgkml/jyj_50200/nb/", "县教育局 年报")]
    assert requests_for(output, spider.parse_directory) == []  # a unit's 政策文件 is not another unit


def test_hub_page_tabs_lead_to_the_department_and_town_lists() -> None:
    spider = spider_with_stats()
    hub = f"{SITE}/xxgk/xzbmxxgk/"
    output = list(spider.parse_directory(fixture_response(hub, "hub.html"), depth=1, unit=None,
                                         chrome=frozenset({f"{SITE}/xxgk/index.html", hub})))
    assert [(r.url, r.cb_kwargs["unit"], r.cb_kwargs["depth"]) for r in requests_for(output, spider.parse_directory)] == [
        (f"{SITE}/xxgk/bmxxgkml/index.html", None, 2), (f"{SITE}/xxgk/xzxxgk/index.html", None, 2)]
    assert spider.close_reason is None


def test_department_list_links_unit_columns_directly() -> None:
    spider = spider_with_stats()
    directory = f"{SITE}/xxgk/xzxxgk/index.html"
    output = list(spider.parse_directory(fixture_response(directory, "town_list.html"), depth=2, unit=None,
                                         chrome=frozenset({f"{SITE}/xxgk/index.html"})))
    assert [(r.url, r.cb_kwargs["column"]) for r in requests_for(output, spider.parse_column)] == [
        (f"{SITE}/xxgk/xzxxgk/hcz/xxgknb/list.html", "海原县海城镇人民政府"),
        (f"{SITE}/xxgk/xzxxgk/shz/xxgknb/list.html", "海原县三河镇人民政府"),
    ]
    assert requests_for(output, spider.parse_directory) == []


def test_empty_navigation_page_fails_loudly() -> None:
    spider = spider_with_stats()
    hub = f"{SITE}/xxgk/xzbmxxgk/"
    list(spider.parse_directory(fixture_response(hub, "redesigned_index.html"), depth=1, unit=None,
                                chrome=frozenset()))
    assert spider.close_reason == LAYOUT_CHANGED


def test_redesigned_index_fails_loudly() -> None:
    spider = spider_with_stats()
    output = list(spider.parse_index(fixture_response(f"{SITE}/xxgk/index.html", "redesigned_index.html")))
    assert [type(o) for o in output] == [FetchedDocument]
    assert spider.close_reason == LAYOUT_CHANGED
    assert spider.crawler.stats.get_value("xxgk/layout_errors") == 2  # column link and directory link


def test_list_without_pager_fails_loudly() -> None:
    spider = spider_with_stats()
    list(spider.parse_column(fixture_response(COLUMN, "unit.html"), column="年报", column_url=COLUMN))
    assert spider.close_reason == LAYOUT_CHANGED


def test_site_spider_is_thin() -> None:
    assert issubclass(HySpider, TrsSpider)
    assert HySpider.name == "hy"
