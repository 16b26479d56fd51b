"""The generic platform's paging after review: an incremental crawl walks a select-only list one page
forward at a time, a 2-page list's two URL shapes give no fill-in template, 0-based script pagers
build no page 0, and a select counts as a pager only when it lists this page with page-number labels.
"""

from __future__ import annotations

from typing import Any

from scrapy import Request
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from crawler.incremental import History
from crawler.platforms.generic import GenericSpider
from crawler.platforms.paging import PageLink, PagingRules, page_urls
from crawler.sites.catalog import defaults, profile_for_url
from crawler.spiderloader import spider_class

SITE = "http://www.example.gov.cn"
RULES = PagingRules.from_dict(defaults()["paging"])
JUMP = 'onchange="window.location.href=this.options[this.selectedIndex].value"'


def page(url: str, body: str, meta: dict[str, Any] | None = None) -> HtmlResponse:
    html = f"<html><head><meta charset='utf-8'></head><body>{body}</body></html>"
    return HtmlResponse(url, body=html.encode("utf-8"), encoding="utf-8", request=Request(url, meta=meta or {}))


def incremental_spider() -> GenericSpider:
    cls = spider_class(profile_for_url(f"{SITE}/", "generic"))
    crawl = cls.from_crawler(get_crawler(cls))
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
