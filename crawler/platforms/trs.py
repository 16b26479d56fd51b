"""TRS 集约化 portals (Ningxia platform): 信息公开 index → 年报 columns and 部门/乡镇 navigation → static lists.

Lists are plain HTML (``a[href][title]`` with ``./YYYYMM/t….html`` hrefs); page 1 is ``list.html`` (or the
column directory), page k+1 is ``list_{k}.html``, and the page count only appears in the
``createPageHTML(N, cur, "list", "html")`` call, so pages are built from it, never guessed past it.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any, cast
from urllib.parse import urljoin, urlsplit

from lxml import etree
from scrapy import Request
from scrapy.http import Response, TextResponse
from scrapy.utils.response import get_base_url

from crawler.extract.titles import clean_text, find_date
from crawler.platforms.base import Link, PortalSpider, extract_links, links_matching
from crawler.platforms.urls import join_url

_CREATE_PAGE = re.compile(r"createPageHTML\s*\((.*?)\)", re.S)
_ARG = re.compile(r"'([^']*)'|\"([^\"]*)\"|([^,\s]+)")


@dataclass(frozen=True, slots=True)
class Pager:
    page_count: int
    current: int  # 0-based, as the call prints it
    name: str  # "list" or "index"
    ext: str  # "html", "shtml" …


def _js_number(token: str, text: str) -> int | None:
    """A literal number, or the value of ``var token = N`` earlier in the page (``countPage``)."""
    if token.isdigit():
        return int(token)
    match = re.search(rf"\b{re.escape(token)}\s*=\s*(\d+)", text)
    return int(match.group(1)) if match else None


def parse_pager(text: str) -> Pager | None:
    """Read ``createPageHTML(N, cur, name, ext)``, also the variant with a leading div name."""
    call = _CREATE_PAGE.search(text)
    if not call:
        return None
    numbers: list[int] = []
    strings: list[str] = []
    for quoted_single, quoted_double, bare in _ARG.findall(call.group(1)):
        if bare:
            value = _js_number(bare, text[: call.start()])
            if value is not None:
                numbers.append(value)
        elif numbers:  # strings before the numbers are the variant's div name
            strings.append(quoted_single or quoted_double)
    if len(numbers) < 2:
        return None
    name = strings[0] if strings else "list"
    ext = strings[1] if len(strings) > 1 else "html"
    return Pager(page_count=max(numbers[0], 1), current=numbers[1], name=name, ext=ext)


def page_url(column_url: str, pager: Pager, index: int) -> str:
    """Page ``index`` (0-based) of a column: list.html, list_1.html, list_2.html …"""
    filename = f"{pager.name}.{pager.ext}" if index == 0 else f"{pager.name}_{index}.{pager.ext}"
    return urljoin(column_url, filename)


def column_directory(url: str) -> str:
    """``…/xxgknb_50130/list_2.html`` and ``…/xxgknb_50130/`` are one column: its directory URL."""
    return urljoin(url, "./")


def is_below(url: str, directory: str) -> bool:
    """True for a link into a sub-directory of ``directory`` (a unit under a 部门/乡镇 navigation page)."""
    parent = urlsplit(directory)
    child = urlsplit(url)
    if child.netloc != parent.netloc or not child.path.startswith(parent.path):
        return False
    return "/" in child.path[len(parent.path) :]


@dataclass(frozen=True, slots=True)
class ListItem:
    url: str
    title: str
    date: str | None


def list_items(response: Response, article_shape: re.Pattern[str] | None) -> list[ListItem]:
    """Report-shaped links with their untruncated title and the date printed after them."""
    items: list[ListItem] = []
    base = get_base_url(cast(TextResponse, response))  # what response.urljoin joins with: <base href> if the page has one
    for anchor, texts_after in texts_after_links(page_tree(response)).items():
        url = join_url(base, anchor.get("href", "").strip())
        if article_shape is not None and not article_shape.search(url):
            continue
        title = anchor.get("title") or " ".join(anchor.itertext())
        # The date sits in the next <li>/<span> (xxgk_wrap) or a 生成日期 line (boxcon): the first date
        # printed after the link, read before the next link starts.
        items.append(ListItem(url=url, title=clean_text(title), date=find_date(texts_after)))
    return items


def page_tree(response: Response) -> Any:
    """The page as plain lxml elements: parsel's tree (lxml.html's element classes) made walking a
    list page three times slower. Pages lxml will not take as text fall back to parsel's."""
    try:
        root = etree.fromstring(response.text, etree.HTMLParser())
    except (etree.ParserError, ValueError):  # e.g. an XML declaration inside a str
        return cast(TextResponse, response).selector.root
    return cast(TextResponse, response).selector.root if root is None else root


def texts_after_links(root: Any, limit: int = 12) -> dict[Any, list[str]]:
    """For each ``<a href>``, the texts printed after it and before the next link, in one walk of
    the document (an XPath per link made list pages quadratic in their number of links)."""
    after: dict[Any, list[str]] = {}
    current: list[str] | None = None
    inside_link = 0

    def add(text: str | None) -> None:
        if current is not None and inside_link == 0 and text and text.strip() and len(current) < limit:
            current.append(text.strip())

    for event, element in etree.iterwalk(root, events=("start", "end")):
        is_link = element.tag == "a" and element.get("href") is not None
        if event == "start":
            if is_link:
                current = after[element] = []
                inside_link += 1
            elif element.tag not in _NO_TEXT:
                add(element.text)
        else:
            if is_link:
                inside_link -= 1
            add(element.tail)
    return after


_NO_TEXT = frozenset({"script", "style", etree.Comment, etree.ProcessingInstruction})


class TrsSpider(PortalSpider):
    """Navigation for TRS 集约化 portals; a site spider only names its profile."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.init_platform()

    def init_platform(self) -> None:
        """State of a crawl (also set when an auto-detecting spider becomes this platform)."""
        self._columns: set[str] = set()
        self._pages: dict[str, set[int]] = {}

    async def start(self) -> AsyncIterator[Any]:
        yield self.nav_request(self.profile.start_url, self.parse_index)

    # -- navigation

    def is_column(self, link: Link) -> bool:
        shape = self.profile.url_pattern("column")
        return bool(shape and shape.search(link.url))

    def is_article(self, link: Link) -> bool:
        shape = self.profile.url_pattern("article")
        return bool(shape and shape.search(link.url))

    def nav_links(self, response: Response) -> list[Link]:
        return [link for link in extract_links(response, self.profile.allowed_domains)
                if not self.is_article(link) and not self.skipped(link)]

    def names_unit_directory(self, link: Link) -> bool:
        return any(re.search(pattern, link.text) for pattern in self.profile.nav_patterns("unit_directories"))

    def parse_index(self, response: Response) -> Iterator[Any]:
        """The 信息公开 index: the 年报 column(s) and the 部门/乡镇 navigation pages."""
        yield self.list_document(response)
        links = self.nav_links(response)
        by_text = links_matching(links, self.profile.nav_patterns("annual_reports"))
        columns = [link for link in links if self.is_column(link) or link in by_text]
        for link in self.require(columns, response, "政府信息公开年报 column link"):
            yield from self.column_request(link.url, link.text)
        directories = [link for link in links if link not in columns and self.names_unit_directory(link)]
        chrome = frozenset(link.url for link in links) | {response.url}
        for link in self.require(directories, response, "部门/乡镇 navigation link", structural=False):
            yield self.nav_request(link.url, self.parse_directory, depth=1, unit=None, chrome=chrome)

    def parse_directory(self, response: Response, depth: int, unit: str | None,
                        chrome: frozenset[str]) -> Iterator[Any]:
        """A 部门/乡镇 navigation page or one unit's page: its 年报 columns, and what to open next.

        Only links new to this page count (the 信息公开 left nav and header repeat everywhere): 年报-shaped
        links are columns, links naming 部门/乡镇 are more navigation (tabs), links into sub-directories
        are units whose own page should link their 年报 column.
        """
        yield self.list_document(response)
        here = column_directory(response.url)
        links = self.nav_links(response)
        new = [link for link in links if link.url not in chrome and link.url != response.url]
        columns = [link for link in new if self.is_column(link)]
        if unit is not None:  # on a unit's own page a 年报 link is its column even when shaped otherwise
            by_text = links_matching([link for link in new if is_below(link.url, here)],
                                     self.profile.nav_patterns("annual_reports"))
            columns += [link for link in by_text if link not in columns]
        for link in columns:
            yield from self.column_request(link.url, f"{unit} {link.text}" if unit else link.text)
        rest = [link for link in new if link not in columns]
        # A unit's own page links its other categories (政策文件 …) below it: those are not units.
        directories = [link for link in rest if unit is None and self.names_unit_directory(link)]
        units = [link for link in rest if unit is None and link not in directories and is_below(link.url, here)]
        child_chrome = chrome | {link.url for link in links} | {response.url}
        if depth < self.profile.max_nav_depth:
            for link in directories:
                yield self.nav_request(link.url, self.parse_directory, depth=depth + 1, unit=None, chrome=child_chrome)
            for link in units:
                yield self.nav_request(link.url, self.parse_directory, depth=depth + 1, unit=link.text,
                                       chrome=child_chrome)
        if unit is None and not (columns or directories or units):
            self.layout_error(response, "unit, 部门/乡镇 or 年报 column links", structural=True)

    # -- columns

    def column_request(self, url: str, column: str) -> Iterator[Request]:
        column_url = column_directory(url)
        if column_url in self._columns:
            return
        self._columns.add(column_url)
        self._pages[column_url] = {0}
        yield self.nav_request(url, self.parse_column, column=column, column_url=column_url)

    def parse_column(self, response: Response, column: str, column_url: str) -> Iterator[Any]:
        """One list page: its report links, then every page the pager says exists and is not yet asked for."""
        yield self.list_document(response)
        self.inc_stat("xxgk/list_pages")
        items = list_items(response, self.profile.url_pattern("article"))
        self.inc_stat("xxgk/list_records", len(items))
        for item in items:
            if self.allowed(item.url) and self.wants_report(item.title):
                yield self.report_request(item.url, item.title, item.date, column, column_url)
        pager = parse_pager(response.text)
        if pager is None:
            self.layout_error(response, "createPageHTML pager", structural=True)
            return
        if self.history.reached_known(item.url for item in items):
            self.inc_stat("xxgk/incremental/columns_stopped")  # newest first: the rest is known
            return
        indexes = self.page_indexes(response, pager, column_url)
        if self.history.stops_paging:  # one page at a time, so that paging can stop at known reports
            indexes = [index for index in indexes if index > pager.current][:1]
        known = self._pages.setdefault(column_url, {0})
        for index in indexes:
            if index not in known:
                known.add(index)
                yield self.nav_request(page_url(column_url, pager, index), self.parse_column,
                                       column=column, column_url=column_url)

    def page_indexes(self, response: Response, pager: Pager, column_url: str) -> list[int]:
        """Pages 1..N-1 from the pager, plus any ``list_k`` a static pager link names on this page."""
        indexes = set(range(1, pager.page_count))
        # Only hrefs shaped like a page of this pager are joined and compared: resolving every link of
        # every list page cost more than the rest of the list parsing.
        shape = re.compile(rf"""href\s*=\s*["']?([^"'\s>]*{re.escape(pager.name)}_(\d+)\.{re.escape(pager.ext)})""")
        page_prefix = f"{column_url}{pager.name}_"
        for href, number in shape.findall(response.text):
            if response.urljoin(href) == f"{page_prefix}{number}.{pager.ext}":
                indexes.add(int(number))
        return sorted(indexes)
