"""The generic platform, detection and paging idioms, on constructed pages (no network, no replica)."""

from __future__ import annotations

from typing import Any

import pytest
from scrapy import Request
from scrapy.utils.test import get_crawler

from crawler.extract.titles import is_annual_report_title
from crawler.platforms.auto import AutoSpider
from crawler.platforms.base import LAYOUT_CHANGED, Link, links_matching
from crawler.platforms.detect import detect_platform
from crawler.platforms.generic import GenericSpider, page_entries
from crawler.platforms.hanweb import HanwebSpider
from crawler.platforms.paging import PageLink, created_pages, page_count, page_urls, split_number
from crawler.sites.catalog import profile_for_url
from crawler.spiderloader import spider_class
from tests.support.generic_pages import RULES, SITE, generic_spider, page


def links(*pairs: tuple[str, str]) -> list[PageLink]:
    return [PageLink(f"{SITE}{path}", text) for path, text in pairs]


# --- paging idioms --------------------------------------------------------------------------------


def test_next_and_numbered_links_are_pages() -> None:
    found = page_urls(links(("/a/2.html", "2"), ("/a/3.html", "3"), ("/a/2.html", "下一页"), ("/x.html", "政务公开")),
                      "", f"{SITE}/a/1.html", RULES)
    assert found == [f"{SITE}/a/2.html", f"{SITE}/a/3.html"]


def test_last_link_fills_in_the_hidden_pages() -> None:
    found = page_urls(links(("/col/index_1.html", "2"), ("/col/index_9.html", "尾页")), "", f"{SITE}/col/index.html",
                      RULES)
    assert found == [f"{SITE}/col/index_{n}.html" for n in (1, 9, *range(2, 9))]


def test_page_count_with_an_offset_between_text_and_url() -> None:
    # TRS-style: the link reading "2" is index_1.html, so 「共4页」 ends at index_3.html
    found = page_urls(links(("/col/index_1.html", "2")), "<span>共4页</span>", f"{SITE}/col/index.html", RULES)
    assert sorted(found) == [f"{SITE}/col/index_{n}.html" for n in (1, 2, 3)]


def test_dedecms_list_pages_keep_their_type_id() -> None:
    found = page_urls(links(("/a/list_12_2.html", "2")), "共 3 页", f"{SITE}/a/list_12_1.html", RULES)
    assert sorted(found) == [f"{SITE}/a/list_12_2.html", f"{SITE}/a/list_12_3.html"]


def test_query_page_numbers_are_pages() -> None:
    found = page_urls(links(("/list.jsp?cat=5&page=2", "2"), ("/list.jsp?cat=5&page=5", "末页")), "",
                      f"{SITE}/list.jsp?cat=5&page=1", RULES)
    assert sorted(found) == sorted(f"{SITE}/list.jsp?cat=5&page={n}" for n in (2, 3, 4, 5))


@pytest.mark.parametrize(("text", "count"), [("共12页", 12), ("共 7 页 当前第1页", 7), ("1/5页", 5), ("第一页", None)])
def test_page_count_text(text: str, count: int | None) -> None:
    assert page_count(text, RULES) == count


def test_split_number_finds_the_page_number() -> None:
    parts = split_number(f"{SITE}/zfxxgknb/list_4.shtml", RULES)
    assert parts is not None and parts.number == 4 and parts.with_number(5) == f"{SITE}/zfxxgknb/list_5.shtml"


def test_create_page_html_builds_every_page() -> None:
    text = '<script>var countPage = 3;createPageHTML(countPage, 0, "index", "shtml");</script>'
    assert created_pages(text, f"{SITE}/nb/") == [f"{SITE}/nb/index_1.shtml", f"{SITE}/nb/index_2.shtml"]


# --- detection ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("html", "platform"), [
    ('<a href="/col/col123/index.html">政务公开</a><script src="/module/web/jpage/dataproxy.jsp"></script>', "hanweb"),
    ('<a href="./202401/t20240101_123.html">x</a><script>createPageHTML(3, 0, "list", "html")</script>', "trs"),
    ('<a href="/a/zhengfuxinxigongkai/">政府信息公开</a>', "generic"),
])
def test_platform_detection(html: str, platform: str) -> None:
    assert detect_platform(html, f"{SITE}/") == platform


def test_a_profile_can_bring_its_own_markers() -> None:
    profile = profile_for_url(f"{SITE}/")
    custom = type(profile)(**{**{f: getattr(profile, f) for f in profile.__dataclass_fields__},
                              "detect": {"trs": ("WCM", "trs_info")}})
    assert detect_platform("<div class='trs_info'>WCM</div>", f"{SITE}/", custom) == "trs"


# --- titles in any script -------------------------------------------------------------------------


@pytest.mark.parametrize("title", [
    "某某縣人民政府辦公室2023年政府信息公開工作年度報告",
    "某某县人民政府2022年政府資訊公開工作年度報告",
    "某某縣2021年度政府信息公開年報",
])
def test_traditional_report_titles_are_reports(title: str) -> None:
    assert is_annual_report_title(title)


def test_traditional_circulars_are_still_not_reports() -> None:
    assert not is_annual_report_title("關於做好2023年政府信息公開工作年度報告編制工作的通知")


def test_navigation_link_texts_match_in_any_script() -> None:
    found = links_matching([Link(f"{SITE}/a", "首頁"), Link(f"{SITE}/b", "政務公開")], ["^政务公开$"])
    assert [link.url for link in found] == [f"{SITE}/b"]


# --- the generic spider on a constructed portal ---------------------------------------------------




def requests(output: list[Any]) -> list[Request]:
    return [item for item in output if isinstance(item, Request)]


HEADER = '<div><a href="/">首页</a><a href="/zwgk/">政务公开</a><a href="/about.html">关于我们</a></div>'


def test_home_follows_the_open_government_link() -> None:
    out = list(generic_spider().parse_page(page(f"{SITE}/", HEADER), depth=0, column=None, chrome=frozenset(), area=False))
    assert [r.url for r in requests(out)] == [f"{SITE}/zwgk/"]


def test_annual_report_column_is_preferred_and_enters_the_area() -> None:
    body = HEADER + '<ul><a href="/zwgk/znb/">政府信息公开年报</a><a href="/zwgk/zn/">政府信息公开指南</a></ul>'
    chrome = frozenset(e.url for e in page_entries(page(f"{SITE}/", HEADER)))
    out = requests(list(generic_spider().parse_page(page(f"{SITE}/zwgk/", body), depth=1, column=None, chrome=chrome,
                                            area=False)))
    assert [(r.url, r.cb_kwargs["area"]) for r in out] == [(f"{SITE}/zwgk/znb/", True)]


def test_a_list_page_yields_reports_pages_and_body_columns_but_not_articles() -> None:
    body = HEADER + (
        '<ul class="nav"><li><a href="/znb/jyj/">县教育局</a></li><li><a href="/znb/xz/">某某镇</a></li></ul>'
        '<ul class="list">'
        '<li><a href="/znb/202401/t1.html" title="某某县人民政府2023年政府信息公开工作年度报告">某某县…</a>'
        '<span>2024-01-20</span></li>'
        '<li><a href="/znb/202401/t2.html">关于印发政务公开工作要点的通知</a><span>2024-01-10</span></li>'
        '<li><a href="/znb/202301/t3.html">某某縣人民政府2022年政府信息公開工作年度報告</a><span>2023-01-10</span></li>'
        '</ul><div class="page"><a href="/znb/index_1.html">2</a><a href="/znb/index_1.html">下一页</a>'
        '<a href="/znb/index_4.html">尾页</a></div>')
    chrome = frozenset(e.url for e in page_entries(page(f"{SITE}/", HEADER)))
    out = requests(list(generic_spider().parse_page(page(f"{SITE}/znb/", body), depth=2, column="年报", chrome=chrome,
                                            area=True)))
    reports = [r for r in out if r.callback.__name__ == "parse_report"]
    assert [(r.url, r.cb_kwargs["list_date"]) for r in reports] == [
        (f"{SITE}/znb/202401/t1.html", "2024-01-20"), (f"{SITE}/znb/202301/t3.html", "2023-01-10")]
    paged = sorted(r.url for r in out if r.cb_kwargs.get("paged"))
    assert paged == [f"{SITE}/znb/index_{n}.html" for n in (1, 2, 3, 4)]
    columns = [(r.url, r.cb_kwargs["column"]) for r in out if r.callback.__name__ == "parse_page"
               and not r.cb_kwargs.get("paged")]
    assert columns == [(f"{SITE}/znb/jyj/", "县教育局"), (f"{SITE}/znb/xz/", "某某镇")]


def test_a_page_with_nothing_new_ends_its_pager() -> None:
    body = ('<ul><li><a href="/n/1.html">某县2023年政府信息公开工作年度报告</a><span>2024-01-02</span></li></ul>'
            '<a href="/n/index_1.html">下一页</a>')
    crawl = generic_spider()
    first = requests(list(crawl.parse_page(page(f"{SITE}/n/", body), depth=2, column="c", chrome=frozenset(),
                                           area=True)))
    again = requests(list(crawl.parse_page(page(f"{SITE}/n/?pageNum=2", body), depth=2, column="c",
                                           chrome=frozenset(), area=True, paged=True)))
    assert any(r.cb_kwargs.get("paged") for r in first)
    assert not any(r.cb_kwargs.get("paged") for r in again)


def test_unit_directories_are_followed_from_the_disclosure_index() -> None:
    body = '<a href="/xxgk/bm/">部门信息公开</a><a href="/xxgk/xz/">乡镇信息公开</a><a href="/xxgk/ldzc/">领导之窗</a>'
    out = requests(list(generic_spider().parse_page(page(f"{SITE}/xxgk/", body), depth=1, column=None, chrome=frozenset(),
                                            area=False)))
    assert [(r.url, r.cb_kwargs["area"]) for r in out] == [(f"{SITE}/xxgk/bm/", True), (f"{SITE}/xxgk/xz/", True)]


def test_a_site_it_cannot_walk_fails_loudly_with_what_it_saw() -> None:
    crawl = generic_spider()
    list(crawl.parse_page(page(f"{SITE}/", '<a href="/news/">新闻中心</a><a href="/hd/">互动交流</a>'), depth=0,
                          column=None, chrome=frozenset(), area=False))
    crawl.check_outcome()
    assert crawl.close_reason == LAYOUT_CHANGED
    message = crawl.crawler.stats.get_value("xxgk/layout/cannot_walk")
    assert "新闻中心" in message and "互动交流" in message and "no report link" in message


# --- auto: detect, then become the platform -------------------------------------------------------


def test_auto_becomes_hanweb_on_a_hanweb_home_page() -> None:
    cls = spider_class(profile_for_url(f"{SITE}/index.html"))
    crawl = cls.from_crawler(get_crawler(cls))
    assert isinstance(crawl, AutoSpider)
    home = page(f"{SITE}/index.html", '<a href="/col/col12/index.html">政务公开</a>'
                '<a href="/art/2024/1/2/art_12_34.html">x</a><a href="/jsearchfront/search.do">搜索</a>')
    out = requests(list(crawl.parse_start(home)))
    assert type(crawl) is HanwebSpider and crawl.name == "www.example.gov.cn"
    assert crawl.profile.url_pattern("column") is not None
    assert [r.url for r in out] == [f"{SITE}/col/col12/index.html"]


def test_auto_can_be_forced_to_the_generic_platform() -> None:
    cls = spider_class(profile_for_url(f"{SITE}/index.html"))
    crawl = cls.from_crawler(get_crawler(cls), platform="generic")
    list(crawl.parse_start(page(f"{SITE}/index.html", '<a href="/col/col12/index.html">政务公开</a>'
                                '<script src="/module/web/jpage/dataproxy.jsp"></script>')))
    assert type(crawl) is GenericSpider


def test_a_start_at_the_annual_report_list_walks_its_body_columns() -> None:
    body = ('<title>政府信息公开年报</title><a href="/nb/jyj/">县教育局</a>'
            '<ul><li><a href="/nb/1.html">某县2023年政府信息公开工作年度报告</a><span>2024-01-02</span></li></ul>')
    crawl = generic_spider(f"{SITE}/nb/")
    out = requests(list(crawl.parse_page(page(f"{SITE}/nb/", body), depth=0, column=None, chrome=frozenset(),
                                         area=False)))
    assert [r.url for r in out if r.callback.__name__ == "parse_page"] == [f"{SITE}/nb/jyj/"]
