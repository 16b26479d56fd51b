"""Hanweb jcms navigation and lists, on hand-written fixtures modelled on sites.md §1.2 and §6.2."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from scrapy import FormRequest, Request
from scrapy.http import HtmlResponse, Response, XmlResponse
from scrapy.utils.test import get_crawler

from crawler.items import FetchedDocument
from crawler.platforms.base import LAYOUT_CHANGED
from crawler.platforms.hanweb import (
    HanwebSpider,
    JpageOptions,
    canonical_column_url,
    column_key,
    next_window,
    parse_datastore,
    parse_jpage_options,
    parse_record,
)
from crawler.spiderloader import site_spider

WendengSpider = site_spider("wendeng")

FIXTURES = Path(__file__).parent / "fixtures" / "html" / "hanweb"
SITE = "http://www.wendeng.gov.cn"
COLUMN = f"{SITE}/col/col182996/index.html"


def fixture_response(url: str, name: str, request: Request | None = None) -> Response:
    body = (FIXTURES / name).read_bytes()
    request = request or Request(url)
    if name.endswith(".xml"):
        return XmlResponse(url, body=body, request=request, headers={"Content-Type": "text/xml;charset=UTF-8"})
    return HtmlResponse(url, body=body, request=request, headers={"Content-Type": "text/html; charset=UTF-8"})


def spider_with_stats(**kwargs: Any) -> WendengSpider:
    return WendengSpider.from_crawler(get_crawler(WendengSpider), **kwargs)


def split(output: list[Any]) -> tuple[list[Request], list[FetchedDocument]]:
    return ([o for o in output if isinstance(o, Request)], [o for o in output if isinstance(o, FetchedDocument)])


# --- pure parsing ----------------------------------------------------------------------------------


def test_datastore_records_are_read_from_the_cdata_not_the_dom() -> None:
    text = (FIXTURES / "column.html").read_text(encoding="utf-8")
    assert HtmlResponse(COLUMN, body=text.encode()).css("li a").getall() == []  # the trap
    store = parse_datastore(text)
    assert store is not None
    assert len(store.records) == 6
    assert store.nextgroup is not None and "columnid=182996" in store.nextgroup


def test_record_gives_untruncated_title_absolute_url_and_date_despite_debris() -> None:
    store = parse_datastore((FIXTURES / "column.html").read_text(encoding="utf-8"))
    assert store is not None
    records = [parse_record(fragment, COLUMN) for fragment in store.records]
    assert records[0] is not None
    assert records[0].title == "威海市文登区财政局2025年政府信息公开工作年度报告"
    assert records[0].url == f"{SITE}/art/2026/1/19/art_182996_6093007.html"
    assert records[0].date == "2026-01-19"
    debris = records[1]  # <li style=<br/><a …>
    assert debris is not None and debris.url.endswith("art_182996_5100001.html") and debris.date == "2025-01-20"
    assert records[3] is not None and records[3].url == f"{SITE}/art/2024/1/18/art_182996_5000003.html"


def test_jpage_options_and_ajax_params() -> None:
    options = parse_jpage_options((FIXTURES / "column.html").read_text(encoding="utf-8"))
    assert options is not None
    assert (options.proxy_url, options.per_page, options.total_record, options.group_size) == (
        "/module/web/jpage/dataproxy.jsp", 2, 9, 3)
    assert options.params["columnid"] == "182996"
    assert options.params["unitid"] == "299353"
    assert options.params["webname"] == "威海市文登区人民政府"


def test_jiangsu_style_param_var_and_missing_group_size() -> None:
    text = "<script>var param_212860={columnid:33718,unitid:'212860'}; $('#212860').jpage({totalRecord:4895,perPage:19})</script>"
    options = parse_jpage_options(text)
    assert options is not None
    assert (options.per_page, options.total_record, options.group_size) == (19, 4895, 3)
    assert options.params == {"columnid": "33718", "unitid": "212860"}


def test_data_proxy_answer_has_total() -> None:
    store = parse_datastore((FIXTURES / "dataproxy_7_9.xml").read_text(encoding="utf-8"))
    assert store is not None and store.total_record == 9 and len(store.records) == 3


@pytest.mark.parametrize(
    ("after", "total", "expected"),
    [
        (45, 102, (46, 90)),  # record 45 is the last inline one; 46 is the first proxied one
        (90, 102, (91, 102)),
        (102, 102, None),
        (45, 45, None),
        (30, 30, None),  # a short column is all inline
        (45, 46, (46, 46)),
    ],
)

def test_data_proxy_windows_neither_lose_nor_repeat_records(after: int, total: int,
                                                            expected: tuple[int, int] | None) -> None:
    options = JpageOptions(proxy_url="/module/web/jpage/dataproxy.jsp", per_page=15, total_record=total,
                           group_size=3)
    assert next_window(after, options, total) == expected


def test_every_record_is_covered_exactly_once() -> None:
    options = JpageOptions(proxy_url="/p", per_page=15, total_record=137, group_size=3)
    covered = list(range(1, 46))
    window = next_window(45, options, 137)
    while window:
        covered += range(window[0], window[1] + 1)
        window = next_window(window[1], options, 137)
    assert covered == list(range(1, 138))


def test_column_urls_are_canonical_and_never_use_page_num() -> None:
    assert canonical_column_url(f"{SITE}/col/col140376/index.html?uid=299353&pageNum=2") == (
        f"{SITE}/col/col140376/index.html")
    assert canonical_column_url(f"{SITE}/col/col140376/") == f"{SITE}/col/col140376/index.html"
    assert column_key(f"{SITE}/col/col140376/index.html?uid=1&pageNum=3") == column_key(f"{SITE}/col/col140376/")


# --- navigation --------------------------------------------------------------------------------------


def test_home_page_leads_to_zhengwu_gongkai_not_to_a_news_report() -> None:
    spider = spider_with_stats()
    requests, documents = split(list(spider.parse_home(fixture_response(f"{SITE}/index.html", "home.html"),
                                                       hops=0, chrome=frozenset())))
    assert [r.url for r in requests] == [f"{SITE}/col/col79327/index.html"]
    assert requests[0].callback == spider.parse_home
    assert documents[0].role == "list"


def test_zhengwu_gongkai_leads_to_the_annual_report_landing_column() -> None:
    spider = spider_with_stats()
    response = fixture_response(f"{SITE}/col/col79327/index.html", "zwgk.html")
    requests, _ = split(list(spider.parse_home(response, hops=1, chrome=frozenset())))
    assert [r.url for r in requests] == [f"{SITE}/col/col181000/index.html"]
    assert requests[0].callback == spider.parse_column
    assert requests[0].cb_kwargs["column"] == "政府信息公开年报"
    assert column_key(f"{SITE}/col/col79330/index.html") in requests[0].cb_kwargs["chrome"]


def test_landing_follows_each_body_column_in_its_left_nav_only() -> None:
    spider = spider_with_stats()
    chrome = frozenset(column_key(f"{SITE}/col/col{n}/") for n in (78500, 79327, 79400, 79330, 79331, 79332, 181000))
    response = fixture_response(f"{SITE}/col/col181000/index.html", "landing.html")
    requests, _ = split(list(spider.parse_column(response, column="政府信息公开年报", depth=0, chrome=chrome)))
    assert [(r.url, r.cb_kwargs["column"]) for r in requests] == [
        (f"{SITE}/col/col181001/index.html", "区政府"),
        (f"{SITE}/col/col182996/index.html", "区财政局"),
        (f"{SITE}/col/col183010/index.html", "米山镇"),
    ]
    assert spider.crawler.stats.get_value("xxgk/layout_errors") is None


def test_column_yields_reports_by_title_and_asks_the_proxy_for_the_next_group() -> None:
    spider = spider_with_stats()
    chrome = frozenset(column_key(f"{SITE}/col/col{n}/") for n in (79327, 181000, 181001, 182996, 183010))
    output = list(spider.parse_column(fixture_response(COLUMN, "column.html"), column="财政局", depth=1, chrome=chrome))
    requests, documents = split(output)
    reports = [r for r in requests if r.callback == spider.parse_report]
    assert [r.url for r in reports] == [
        f"{SITE}/art/2026/1/19/art_182996_6093007.html",
        f"{SITE}/art/2025/1/20/art_182996_5100001.html",
        f"{SITE}/art/2024/1/18/art_182996_5000003.html",
    ]  # not the 预算, not the mirror host, not the 通知
    assert reports[0].cb_kwargs == {
        "list_title": "威海市文登区财政局2025年政府信息公开工作年度报告", "list_date": "2026-01-19",
        "column": "财政局", "column_url": COLUMN,
    }
    old_column = [r for r in requests if r.callback == spider.parse_column]
    assert [r.url for r in old_column] == [f"{SITE}/col/col70623/index.html"]  # the pre-2025 column id
    [proxy] = [r for r in requests if r.callback == spider.parse_dataproxy]
    assert isinstance(proxy, FormRequest) and proxy.method == "POST"
    assert urlsplit(proxy.url).path == "/module/web/jpage/dataproxy.jsp"
    assert parse_qs(urlsplit(proxy.url).query) == {"startrecord": ["7"], "endrecord": ["9"], "perpage": ["2"]}
    form = parse_qs(proxy.body.decode())
    assert form["columnid"] == ["182996"] and form["unitid"] == ["299353"] and form["webname"] == ["威海市文登区人民政府"]
    assert [d.role for d in documents] == ["list"]


def test_year_filter_applies_to_listings() -> None:
    spider = spider_with_stats(year="2024")
    output = list(spider.parse_column(fixture_response(COLUMN, "column.html"), column="财政局", depth=9,
                                      chrome=frozenset()))
    reports = [r for r in output if isinstance(r, Request) and r.callback == spider.parse_report]
    assert [r.url for r in reports] == [f"{SITE}/art/2025/1/20/art_182996_5100001.html"]


def test_data_proxy_answer_yields_reports_and_stops_at_total() -> None:
    spider = spider_with_stats()
    column_response = fixture_response(COLUMN, "column.html")
    [proxy] = [r for r in spider.parse_column(column_response, column="财政局", depth=9, chrome=frozenset())
               if isinstance(r, Request) and r.callback == spider.parse_dataproxy]
    response = fixture_response(proxy.url, "dataproxy_7_9.xml", request=proxy)
    requests, documents = split(list(spider.parse_dataproxy(response, **proxy.cb_kwargs)))
    assert [r.url.rsplit("/", 1)[1] for r in requests] == ["art_70623_2900001.html", "art_70623_2800001.html"]
    assert all(r.cb_kwargs["column_url"] == COLUMN for r in requests)
    assert [d.role for d in documents] == ["dataproxy"]


def test_redesigned_column_page_fails_loudly() -> None:
    spider = spider_with_stats()
    response = fixture_response(COLUMN, "redesigned_column.html")
    output = list(spider.parse_column(response, column="财政局", depth=1,
                                      chrome=frozenset({column_key(f"{SITE}/col/col79327/")})))
    assert [type(o) for o in output] == [FetchedDocument]
    assert spider.crawler.stats.get_value("xxgk/layout_errors") == 1
    assert spider.close_reason == LAYOUT_CHANGED


def test_home_page_without_navigation_fails_loudly() -> None:
    spider = spider_with_stats()
    body = b"<html><body><div id='app'></div><script src='/static/app.js'></script></body></html>"
    url = f"{SITE}/index.html"
    response = HtmlResponse(url, body=body, request=Request(url))
    assert [type(o) for o in spider.parse_home(response, hops=0, chrome=frozenset())] == [FetchedDocument]
    assert spider.close_reason == LAYOUT_CHANGED


def test_empty_proxy_answer_is_a_layout_error() -> None:
    spider = spider_with_stats()
    proxy_url = f"{SITE}/module/web/jpage/dataproxy.jsp?startrecord=46&endrecord=90&perpage=15"
    options = JpageOptions("/module/web/jpage/dataproxy.jsp", 15, 102, 3)
    request = Request(proxy_url, meta={"xxgk_column_url": COLUMN})
    body = b"<?xml version='1.0'?><datastore><totalrecord>102</totalrecord><recordset/></datastore>"
    response = XmlResponse(proxy_url, body=body, request=request)
    list(spider.parse_dataproxy(response, options=options, form={}, window=(46, 90), column="财政局", planned=90))
    assert spider.close_reason == LAYOUT_CHANGED


def test_site_spider_is_thin() -> None:
    assert issubclass(WendengSpider, HanwebSpider)
    assert set(vars(WendengSpider)) - {"__module__", "__doc__", "__qualname__", "__firstlineno__",
                                       "__static_attributes__"} == {"name", "site_profile"}


def test_every_remaining_window_is_asked_for_at_once() -> None:
    """The jpage call gives the total, so windows need not wait for each other."""
    from crawler.platforms.hanweb import JpageOptions

    spider = spider_with_stats()
    options = JpageOptions(per_page=15, total_record=102, group_size=3, proxy_url="/module/web/jpage/dataproxy.jsp",
                           params={"columnid": "1", "unitid": "2"})
    windows = [r.cb_kwargs["window"] for r in spider.dataproxy_requests(COLUMN, options, {}, 45, 102, "财政局")]
    assert windows == [(46, 90), (91, 102)]
