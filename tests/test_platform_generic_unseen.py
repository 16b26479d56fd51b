"""The generic platform's mechanisms for CMSes with no base (SiteServer-like portals and their kin), on
small constructed pages: jump drop-downs and script pagers, the commonest page-URL shape, dates
printed before the link, bare 「2023年度报告」 entries, and the 法定主动公开内容 catalogue as a last resort.
"""

from __future__ import annotations

from typing import Any

from scrapy import Request

from crawler.platforms.generic import page_entries
from crawler.platforms.paging import (
    PageLink,
    page_urls,
    script_page_templates,
    script_pager_links,
    select_pager_links,
)
from tests.support.generic_pages import RULES, SITE, generic_spider, page


def requests(output: list[Any]) -> list[Request]:
    return [item for item in output if isinstance(item, Request)]


# --- pagers with no page URL in an href -----------------------------------------------------------------

SELECT = ('<select onchange="window.location.href=this.options[this.selectedIndex].value">'
          '<option value="/channels/45.html" selected>第1页</option><option value="/channels/45_2.html">第2页</option>'
          '<option value="/channels/45_3.html">第3页</option></select>')  # fmt: skip


def test_a_jump_select_lists_its_pages() -> None:
    found = select_pager_links(SELECT, f"{SITE}/channels/45.html")
    assert found == [PageLink(f"{SITE}/channels/{n}.html", f"第{i}页") for i, n in ((1, "45"), (2, "45_2"), (3, "45_3"))]


def test_a_select_that_does_not_jump_is_not_a_pager() -> None:
    form = '<select name="year"><option value="/a/2023.html">2023</option></select>'
    assert select_pager_links(form, f"{SITE}/a/") == []


def test_a_select_of_numbers_uses_the_function_it_calls() -> None:
    text = ('<script>function turn(p){location.href="list_"+p+".htm";}</script>'
            '<select onchange="turn(this.value)"><option value="1">1</option><option value="2">2</option></select>')
    assert [link.url for link in select_pager_links(text, f"{SITE}/xxgk/list_1.htm")] == [
        f"{SITE}/xxgk/list_1.htm", f"{SITE}/xxgk/list_2.htm"]  # fmt: skip


GO_PAGE = ('<script>function goPage(page){if(page==1){window.location.href="/xz/channels/7.html";}'
           'else{window.location.href="/xz/channels/7_"+page+".html";}}</script>'
           '<a href="javascript:goPage(1)">1</a> <a href="javascript:goPage(3)">3</a>'
           '<a href="#" onclick="goPage(2);return false">下一页</a>')  # fmt: skip


def test_a_script_pager_takes_its_urls_from_the_function() -> None:
    found = script_pager_links(GO_PAGE, f"{SITE}/xz/channels/7_2.html")
    assert found == [PageLink(f"{SITE}/xz/channels/7_3.html", "3"), PageLink(f"{SITE}/xz/channels/7_2.html", "下一页")]


def test_page_one_built_apart_is_not_guessed_from_the_template() -> None:
    template = script_page_templates(GO_PAGE)["goPage"]
    assert template.built_apart == {1} and template.url(1) is None and template.url(4) == "/xz/channels/7_4.html"


def test_a_script_building_no_url_is_no_pager() -> None:
    text = '<script>function show(n){alert("第"+n+"条");}</script><a href="javascript:show(2)">2</a>'
    assert script_pager_links(text, f"{SITE}/") == []


def test_the_fill_in_template_is_the_commonest_url_shape() -> None:
    # page 1 is the channel's own URL: its digits (45) are the channel id, not a page number
    links = [PageLink(f"{SITE}/channels/{n}.html", t) for n, t in (("45", "1"), ("45_2", "2"), ("45_5", "末页"))]
    found = page_urls(links, "共5页", f"{SITE}/channels/45.html", RULES)
    assert sorted(found) == [f"{SITE}/channels/45_{n}.html" for n in (2, 3, 4, 5)]


# --- list entries ----------------------------------------------------------------------------------------


def test_a_date_printed_before_the_link_is_its_date() -> None:
    body = ('<ul><li><span class="date"><em>2024</em>01-16</span><a href="/a/1.html">某某镇2023年报</a></li>'
            '<li><span>2023/01/09</span> <a href="/a/2.html">某某镇2022年报</a></li>'
            '<li><a href="/a/3.html">某某镇2021年报</a><span>2022-01-12</span></li></ul>')  # fmt: skip
    entries = page_entries(page(f"{SITE}/a/", body))
    assert [(e.url.rsplit("/", 1)[1], e.date) for e in entries] == [
        ("1.html", "2024-01-16"), ("2.html", "2023-01-09"), ("3.html", "2022-01-12")]  # fmt: skip


def test_a_row_with_several_links_lends_no_date_to_them() -> None:
    body = '<p>2024-01-16 <a href="/a/">栏目一</a> <a href="/b/">栏目二</a></p>'
    assert [e.date for e in page_entries(page(f"{SITE}/", body))][1:] == [None]


def test_a_bare_year_report_is_a_report_only_inside_the_nianbao_area() -> None:
    body = ('<div class="location">首页 &gt; 政府信息公开年报 &gt; 县财政局</div><h3>县财政局</h3><ul><li><a href="/c/9/1.html">2023年度报告</a><span>2024/01/16</span></li>'
            '<li><a href="/c/9/2.html">2023年度工作总结</a><span>2024/01/10</span></li></ul>')  # fmt: skip
    crawl = generic_spider()
    inside = requests(list(crawl.parse_page(page(f"{SITE}/c/9.html", body), depth=3, column="县财政局",
                                            chrome=frozenset(), area=True)))  # fmt: skip
    assert [(r.url, r.cb_kwargs["list_title"]) for r in inside if r.callback.__name__ == "parse_report"] == [
        (f"{SITE}/c/9/1.html", "2023年度报告")]  # fmt: skip
    outside = requests(list(generic_spider().parse_page(page(f"{SITE}/news.html", body), depth=1, column=None,
                                                chrome=frozenset(), area=False)))  # fmt: skip
    assert [r for r in outside if r.callback.__name__ == "parse_report"] == []


# --- navigation ----------------------------------------------------------------------------------------


def test_a_dead_end_follows_the_disclosure_catalogue() -> None:
    body = '<a href="/zn.html">政府信息公开指南</a><a href="/fd.html">法定主动公开内容</a><a href="/ysq.html">依申请公开</a>'
    out = requests(list(generic_spider().parse_page(page(f"{SITE}/zwgk.html", body), depth=1, column=None,
                                            chrome=frozenset(), area=False)))  # fmt: skip
    assert [r.url for r in out] == [f"{SITE}/fd.html"]


def test_the_catalogue_stays_skipped_when_the_nianbao_is_offered() -> None:
    body = '<a href="/fd.html">法定主动公开内容</a><a href="/nb.html">政府信息公开年报</a>'
    out = requests(list(generic_spider().parse_page(page(f"{SITE}/zwgk.html", body), depth=1, column=None,
                                            chrome=frozenset(), area=False)))  # fmt: skip
    assert [r.url for r in out] == [f"{SITE}/nb.html"]


def test_an_undated_bare_year_link_is_a_folder_not_a_report() -> None:
    body = '<ul class="years"><li><a href="/nb/2023/">2023年报</a></li><li><a href="/nb/2022/">2022年度报告</a></li></ul>'
    out = requests(list(generic_spider().parse_page(page(f"{SITE}/nb/", body), depth=2, column="年报", chrome=frozenset(),
                                            area=True)))  # fmt: skip
    assert sorted((r.url, r.callback.__name__) for r in out) == [(f"{SITE}/nb/2022/", "parse_page"),
                                                                (f"{SITE}/nb/2023/", "parse_page")]  # fmt: skip


def test_phpcms_and_jeecms_page_urls_are_numbered() -> None:
    php = [PageLink(f"{SITE}/list-12-2.html", "2"), PageLink(f"{SITE}/list-12-5.html", "尾页")]
    assert sorted(page_urls(php, "", f"{SITE}/list-12-1.html", RULES)) == [f"{SITE}/list-12-{n}.html" for n in (2, 3, 4, 5)]
    jee = [PageLink(f"{SITE}/gknb/index_2.jhtml", "下一页"), PageLink(f"{SITE}/gknb/index_3.jhtml", "末页")]
    assert sorted(page_urls(jee, "", f"{SITE}/gknb/index.jhtml", RULES)) == [f"{SITE}/gknb/index_{n}.jhtml" for n in (2, 3)]


def test_a_jump_select_not_listing_this_page_is_no_pager() -> None:
    years = ('<select onchange="window.location.href=this.value"><option value="/nb/2023/">2023</option>'
             '<option value="/nb/2022/">2022</option></select>')  # fmt: skip
    assert select_pager_links(years, f"{SITE}/nb/") == []
    assert select_pager_links(SELECT, f"{SITE}/channels/45_2.html") != []  # on page 2, page 2 is listed
