"""The generic platform's paging after review: an incremental crawl walks a select-only list one page
forward at a time, a 2-page list's two URL shapes give no fill-in template, 0-based script pagers
build no page 0, and a select counts as a pager only when it lists this page with page-number labels.
"""

from __future__ import annotations

from scrapy import Request
from scrapy.http import HtmlResponse

from crawler.incremental import History
from crawler.platforms.generic import GenericSpider, page_entries
from crawler.platforms.paging import (
    PageLink,
    page_urls,
    script_page_templates,
    script_pager_links,
    select_pager_links,
)
from tests.support.generic_pages import RULES, SITE, generic_spider, page

JUMP = 'onchange="window.location.href=this.options[this.selectedIndex].value"'


def incremental_spider() -> GenericSpider:
    crawl = generic_spider()
    crawl.history = History(frozenset({f"{SITE}/old.html"}), baseline_run=1)  # a vouched-for earlier run
    return crawl


def select_list(number: int, pages: int) -> str:
    """A department's list page (0-based ``number``): dated entries, and only a jump select to go on."""
    entries = "".join(f'<li><a href="/contents/453/{number}{i}.html">标题{number}{i}</a><span>2024/01/1{i}</span></li>'
                      for i in range(3))
    options = "".join(f'<option value="/channels/453{f"_{n + 1}" if n else ""}.html"'
                      f'{" selected" if n == number else ""}>第{n + 1}页</option>' for n in range(pages))
    return f"<ul>{entries}</ul><span>共{pages}页 <select {JUMP}>{options}</select></span>"


def pages_asked(crawl: GenericSpider, response: HtmlResponse) -> list[str]:
    output = crawl.parse_page(response, depth=3, column="县财政局", chrome=frozenset(), area=True,
                              paged=response.url.endswith(("_2.html", "_3.html")))
    return [r.url for r in output if isinstance(r, Request) and r.cb_kwargs.get("paged")]


def test_an_incremental_crawl_walks_a_select_only_list_forward() -> None:
    crawl = incremental_spider()
    first = f"{SITE}/channels/453.html"
    assert pages_asked(crawl, page(first, select_list(0, 3))) == [f"{SITE}/channels/453_2.html"]
    meta = {"xxgk_column_url": first}
    second = page(f"{SITE}/channels/453_2.html", select_list(1, 3), meta)
    assert pages_asked(crawl, second) == [f"{SITE}/channels/453_3.html"]  # not page 1 again
    assert pages_asked(crawl, page(f"{SITE}/channels/453_3.html", select_list(2, 3), meta)) == []


def test_a_two_page_select_fills_in_no_other_column() -> None:
    # one link of each shape: 206 is the channel's id, not a page number, so 207 is another channel
    links = [PageLink(f"{SITE}/channels/206.html", "第1页"), PageLink(f"{SITE}/channels/206_2.html", "第2页")]
    for now in ("206", "206_2"):
        found = page_urls(links, "共2页", f"{SITE}/channels/{now}.html", RULES, f"{SITE}/channels/206.html")
        assert f"{SITE}/channels/207.html" not in found and set(found) <= {link.url for link in links}


def test_the_column_url_alone_is_no_template() -> None:
    links = [PageLink(f"{SITE}/channels/206.html", "1")]  # on page 2, which the pager does not link
    found = page_urls(links, "共2页", f"{SITE}/channels/206_2.html", RULES, f"{SITE}/channels/206.html")
    assert found == [f"{SITE}/channels/206.html"]


def test_no_page_below_the_current_one_is_filled_in() -> None:
    links = [PageLink(f"{SITE}/c/index_{n}.html", str(n)) for n in (1, 5, 6)] + [PageLink(f"{SITE}/c/index_9.html", "尾页")]
    found = page_urls(links, "", f"{SITE}/c/index_5.html", RULES)
    assert [url for url in found if url not in {link.url for link in links}] == [f"{SITE}/c/index_{n}.html" for n in (7, 8)]


ZERO_BASED = ('<script>function goPage(n){if(n==0){location.href="/xxgk/index.html";}'
              'else{location.href="/xxgk/index_"+n+".html";}}</script>'
              '<a href="javascript:goPage(0)">首页</a><a href="javascript:goPage(1)">2</a>'
              '<a href="javascript:goPage(2)">3</a><a href="javascript:goPage(1)">下一页</a>')  # fmt: skip


def test_a_zero_based_script_pager_builds_no_page_zero() -> None:
    urls = [link.url for link in script_pager_links(ZERO_BASED, f"{SITE}/xxgk/index.html")]
    assert f"{SITE}/xxgk/index_0.html" not in urls and f"{SITE}/xxgk/index_2.html" in urls


def test_a_call_below_every_numbered_link_is_no_page() -> None:
    # a function that builds every number with one template: 首页 → goPage(0) is below the pager's 1 2 3
    text = ('<script>function goPage(n){location.href="/xxgk/list_"+n+".html";}</script>'
            '<a href="javascript:goPage(0)">首页</a><a href="javascript:goPage(1)">1</a><a href="javascript:goPage(2)">2</a>')
    assert [link.url for link in script_pager_links(text, f"{SITE}/xxgk/list_1.html")] == [
        f"{SITE}/xxgk/list_1.html", f"{SITE}/xxgk/list_2.html"]  # fmt: skip


def jump(*options: tuple[str, str]) -> str:
    return f'<select {JUMP}>' + "".join(f'<option value="{v}">{label}</option>' for v, label in options) + "</select>"


def test_a_select_lists_this_page_under_another_spelling() -> None:
    pager = jump(("/col/index.html", "第1页"), ("/col/index_2.html", "第2页"))
    for now in (f"{SITE}/col/", f"{SITE}/col/?from=nav", "https://www.example.gov.cn/col/index.html"):
        assert len(select_pager_links(pager, now)) == 2, now


def test_a_select_joins_against_the_base_href() -> None:
    pager = jump(("index.html", "1"), ("index_2.html", "2"))
    found = select_pager_links(pager, f"{SITE}/col/", f"{SITE}/col/index.shtml?id=3")
    assert [link.url for link in found] == [f"{SITE}/col/index.html", f"{SITE}/col/index_2.html"]


def test_a_year_select_listing_this_page_is_no_pager() -> None:
    years = jump(("/nb/2023.html", "2023"), ("/nb/2022.html", "2022"))
    assert select_pager_links(years, f"{SITE}/nb/2023.html") == []
    bodies = jump(("/nb/2023.html", "县政府"), ("/nb/cz.html", "县财政局"))
    assert select_pager_links(bodies, f"{SITE}/nb/2023.html") == []


def test_the_date_after_the_link_wins_over_one_before_it() -> None:
    body = ('<table><tr><td>2022-12-01</td><td><a href="/a/1.html">某局2023年度报告</a></td><td>2024-01-16</td></tr>'
            '<tr><td>2023-01-09</td><td><a href="/a/2.html">某局2022年度报告</a></td></tr></table>')
    assert [(e.url.rsplit("/", 1)[1], e.date) for e in page_entries(page(f"{SITE}/a/", body))] == [
        ("1.html", "2024-01-16"), ("2.html", "2023-01-09")]  # fmt: skip


def bare_reports(heading: str, title: str) -> list[str]:
    body = (f'{heading}<ul><li><a href="/c/9/1.html">{title}</a><span>2024/01/16</span></li></ul>')
    output = incremental_spider().parse_page(page(f"{SITE}/c/9.html", body), depth=3, column="通知公告",
                                             chrome=frozenset(), area=True)
    return [r.url for r in output if isinstance(r, Request) and r.callback.__name__ == "parse_report"]


def test_a_bare_year_report_needs_a_nianbao_heading() -> None:
    crumbs = '<div class="position">当前位置：首页 &gt; 政府信息公开年报 &gt; 县财政局</div>'
    assert bare_reports(crumbs, "2023年度报告") == [f"{SITE}/c/9/1.html"]
    assert bare_reports(crumbs, "2023年报") == [f"{SITE}/c/9/1.html"]
    # the 年报 area spreads into a town's whole navigation: its 社会组织 column's 「2023年度报告」 is no report
    assert bare_reports('<div class="position">首页 &gt; 某某镇 &gt; 社会组织</div><h3>社会组织</h3>', "2023年度报告") == []


def test_a_page_function_comparing_with_any_constant_builds_those_pages_apart() -> None:
    for guard, apart in (("n<=1", (0, 1)), ("n>0", (0,)), ("0===n", (0,)), ("n!=2", (2,))):
        text = f'<script>function go(n){{if({guard}){{location.href="/c/";}}else{{location.href="/c/p_"+n+".html";}}}}</script>'
        template = script_page_templates(text)["go"]
        assert [n for n in range(4) if template.url(n) is None] == list(apart), guard
