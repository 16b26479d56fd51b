"""The generic platform: portals on a CMS the project has no base for, walked by link text.

From the start page it follows the disclosure navigation (政务公开 / 信息公开 → 政府信息公开年报 →
per-body columns, 部门 / 乡镇 / 街道 directories), reads every list page's report titles (any year,
any script), pages every list by the CMS idioms of crawler/platforms/paging.py (and the Hanweb jpage
data proxy), and fetches the reports' attachments (PortalSpider.parse_report). All link texts and URL
shapes are data (crawler/platforms/defaults.toml, overridable per profile).

Which links are navigation: below the start page only links *new* to a page count (the header, the
footer and the navigation that led here repeat everywhere); in the 年报 area a new, short link with
no date beside it is a body's column (articles are dated, navigation is not). A page on the way that
offers nothing to follow falls back to the disclosure catalogue (法定主动公开内容, skipped elsewhere),
where some CMSs nest the 年报 column.

Which links are reports: a title naming an annual report and its year; on a 年报 list (its heading or
breadcrumb names the 年报) also a bare, dated 「2023年度报告」 / 「2023年报」, whose body is the heading's.

A site it cannot walk fails the crawl loudly, with what it saw (spatula's cardinality, per crawl).
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import Any, cast

from lxml import etree
from scrapy.http import Response, TextResponse
from scrapy.utils.response import get_base_url

from crawler.extract.page import file_extension
from crawler.extract.titles import clean_text, find_date, report_year_from_title, simplified
from crawler.platforms.base import LAYOUT_CHANGED, Link, links_matching
from crawler.platforms.hanweb import (
    HanwebSpider,
    ListRecord,
    parse_datastore,
    parse_jpage_options,
    parse_records,
)
from crawler.platforms.hanweb import dataproxy_form as jpage_form
from crawler.platforms.paging import (
    PageLink,
    PagingRules,
    created_pages,
    next_page,
    page_urls,
    pager_links,
    script_page_templates,
    script_pager_links,
    select_pager_links,
)
from crawler.platforms.trs import column_directory, page_tree, texts_after_links
from crawler.platforms.urls import join_url
from crawler.sites.catalog import defaults

#: links to files are attachments of a report, never navigation
_FILE_EXTENSIONS = frozenset({"pdf", "doc", "docx", "wps", "xls", "xlsx", "et", "rar", "zip", "7z", "jpg", "jpeg",
                              "png", "gif", "bmp", "tif", "tiff", "txt", "rtf", "ofd", "mp4", "swf"})


#: a list entry that is a year and 「年度报告」/「年报」 and nothing else (the body is in the column heading)
_BARE_REPORT = re.compile(r"^(?:19|20)\d{2}\s*(?:年度?\s*(?:政府信息公开)?(?:工作)?(?:年度)?(?:报告|年报)|年报)$")


@dataclass(frozen=True, slots=True)
class Entry:
    """A link on a list or navigation page with the date printed after it (None for navigation)."""

    url: str
    text: str
    date: str | None


def page_entries(response: Response) -> list[Entry]:
    """Every http(s) link of the page in order, first occurrence wins, with its untruncated title."""
    base = get_base_url(cast(TextResponse, response))  # a page with links is text
    seen: set[str] = set()
    entries = []
    links = texts_after_links(page_tree(response))
    # only a page that prints dates has rows to date (navigation pages, most pages, do not)
    dated = any(_ROW_DATE.search(" ".join(after)) for after in links.values())
    for anchor, after in links.items():
        href = (anchor.get("href") or "").strip()
        if not href or href.startswith(("javascript:", "mailto:", "#")):
            continue
        url = join_url(base, href).partition("#")[0]
        if not url.startswith(("http://", "https://")) or url in seen:
            continue
        seen.add(url)
        text = anchor.get("title") or " ".join(anchor.itertext())
        # the link's own row first: texts after a link run on into the next row (a date printed first)
        entries.append(Entry(url, clean_text(text), (dated and row_date(anchor)) or find_date(after)))
    return entries


#: where a list names its column: the title, the headings, the breadcrumb (当前位置: class or id
#: location / position / crumb / dqwz / weizhi)
_HEADING_TEXT = etree.XPath(
    "//title//text() | //h1//text() | //h2//text() | //h3//text() | //*[contains(@class, 'location') or "
    "contains(@class, 'position') or contains(@class, 'crumb') or contains(@class, 'dqwz') or contains(@class, "
    "'weizhi') or contains(@id, 'location') or contains(@id, 'position') or contains(@id, 'crumb')]//text()")
#: compiled once: a list page asks them of every link (lxml's C string/count, not a Python walk)
_LINKS_IN = etree.XPath("count(.//a[@href])")
_TEXT_OF = etree.XPath("string()")
#: the elements a list prints one entry in
_ROW_TAGS = frozenset({"li", "tr", "dd", "dt", "p"})
#: 2023-01-16 / 2023/1/16 / 2023年1月16日, and the year printed apart: 「<em>2023</em>01-16」
_ROW_DATE = re.compile(r"((?:19|20)\d{2})\s*[-/.年]?\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})")


def row_date(anchor: Any, climb: int = 3) -> str | None:
    """The date printed in the link's own list row (its nearest li/tr/dd/p holding no other link): the
    first after the link, else — lists that print the date first, or the year apart — the last before
    it; None outside such a row. A row's first cell may be another date (成文日期 before 发布日期)."""
    row = anchor.getparent()
    for _ in range(climb):
        if row is None or row.tag in _ROW_TAGS:
            break
        row = row.getparent()
    if row is None or row.tag not in _ROW_TAGS:
        return None
    if _LINKS_IN(row) != 1:
        return None
    # the row's text around the link's own (a title may print a date); one link, so one split
    before, _, after = _TEXT_OF(row).partition(_TEXT_OF(anchor))
    match = _ROW_DATE.search(after) or _last_match(_ROW_DATE, before)
    if match is None:
        return None
    year, month, day = (int(part) for part in match.groups())
    return f"{year:04d}-{month:02d}-{day:02d}" if 1 <= month <= 12 and 1 <= day <= 31 else None


def _last_match(pattern: re.Pattern[str], text: str) -> re.Match[str] | None:
    matches = list(pattern.finditer(text))
    return matches[-1] if matches else None


def as_entry(record: ListRecord) -> Entry:
    return Entry(record.url, record.title, record.date)


def is_file(url: str) -> bool:
    return file_extension(url.partition("?")[0]) in _FILE_EXTENSIONS


class GenericSpider(HanwebSpider):
    """Navigation by link text for any CMS; reuses the Hanweb base for the jpage data proxy."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.init_platform()

    def init_platform(self) -> None:
        """State of a crawl (also set when an auto-detecting spider becomes this platform)."""
        self._listed: set[str] = set()  # dated entries seen: a page with none new ends its pager
        self._paged: set[str] = set()  # list pages already requested
        self._report_pages_reached = 0
        self._saw: list[str] = []  # what the start page offered, for the loud failure

    async def start(self) -> AsyncIterator[Any]:
        yield self.nav_request(self.profile.start_url, self.parse_page, depth=0, column=None, chrome=frozenset(),
                               area=False)

    @cached_property
    def paging_rules(self) -> PagingRules:
        return PagingRules.from_dict(defaults()["paging"] | self.profile.paging)

    @cached_property
    def max_nav_text(self) -> int:
        return int(defaults()["generic"]["max_nav_text"])

    # -- one page: reports, its other pages, navigation

    def parse_page(self, response: Response, depth: int, column: str | None, chrome: frozenset[str], area: bool,
                   paged: bool = False) -> Iterator[Any]:
        """Any page of the walk: its report links, then its list's other pages, then where to go next."""
        yield self.list_document(response)
        entries = [entry for entry in page_entries(response) if self.allowed(entry.url)]
        if depth == 0 and not paged:
            self._saw = [entry.text for entry in entries if entry.text][:30]
        store = parse_datastore(response.text)
        records = [as_entry(record) for record in parse_records(store, response.url)] if store else []
        listed = [entry for entry in entries if entry.date] + records
        novel = [entry for entry in listed if entry.url not in self._listed]
        self._listed.update(entry.url for entry in listed)
        self.inc_stat("xxgk/list_records", len(listed))
        column_url = response.meta.get("xxgk_column_url", response.url)
        reports = [entry for entry in entries + records if self.wants_report(entry.text)]
        bare = [entry for entry in entries + records if area and entry.date and self.bare_report(entry.text)]
        if bare and self.is_annual_report_list(response):
            reports += bare
        for entry in reports:
            yield self.report_request(entry.url, entry.text, entry.date, column, column_url)
        if depth == 0 and reports and self.is_annual_report_page(response):
            area = True  # started from the 年报 list itself: its body columns are navigation too
        if area or reports:
            self._report_pages_reached += 1
            if not (paged and not novel):  # a pager that serves page 1 again (jcms ?pageNum=) ends here
                yield from self.more_pages(response, entries, store, listed, column, depth, chrome, area)
        if not paged:
            yield from self.navigation(response, entries, depth, chrome, area)

    def more_pages(self, response: Response, entries: list[Entry], store: Any, listed: list[Entry],
                   column: str | None, depth: int, chrome: frozenset[str], area: bool) -> Iterator[Any]:
        if self.history.reached_known(entry.url for entry in listed):
            self.inc_stat("xxgk/incremental/columns_stopped")  # newest first: the rest is known
            return
        options = parse_jpage_options(response.text) if store is not None else None
        if options is not None:
            form = jpage_form(options, store.nextgroup)
            yield from self.dataproxy_requests(response.url, options, form, len(store.records),
                                               options.total_record, column or "")
        base = get_base_url(cast(TextResponse, response))
        links = [PageLink(entry.url, entry.text) for entry in entries]
        templates = script_page_templates(response.text) if "function" in response.text else {}
        links += select_pager_links(response.text, base, response.url, templates)
        links += script_pager_links(response.text, base, templates)
        column_url = response.meta.get("xxgk_column_url", response.url)
        urls = created_pages(response.text, column_directory(response.url))
        urls += page_urls(links, response.text, response.url, self.paging_rules, column_url)
        # each list page once per crawl: every page of a jump select or 共N页 names all the others. The
        # dupefilter (ResumeDupeFilter, by fingerprint) would drop the repeats too, but only after the
        # spider built N² requests, and they would count; so _paged keeps them from being yielded, and
        # xxgk/list_pages counts the distinct pages beyond each list's first that this spider asked for
        # (the dupefilter still drops one also reached by navigation, or seen in a resumed job dir)
        unasked = [url for url in dict.fromkeys(urls)
                   if self.allowed(url) and url != response.url and url != column_url and url not in self._paged]
        if self.history.stops_paging:
            # one page at a time, so that paging can stop at known reports: the next one, not page 1
            following = next_page(links, unasked, response.url, self.paging_rules)
            unasked = [following] if following is not None else []
        for url in unasked:
            self._paged.add(url)
            self.inc_stat("xxgk/list_pages")
            request = self.nav_request(url, self.parse_page, depth=depth, column=column, chrome=chrome,
                                       area=area, paged=True)
            request.meta["xxgk_column_url"] = column_url
            yield request

    def navigation(self, response: Response, entries: list[Entry], depth: int, chrome: frozenset[str],
                   area: bool) -> Iterator[Any]:
        """Follow the 年报 links new to this page; in the 年报 area also the short undated ones (bodies),
        and from the pages before it the 政务公开 / 部门 / 乡镇 links."""
        if depth >= self.profile.max_nav_depth:
            return
        pager = {link.url for link in pager_links([PageLink(e.url, e.text) for e in entries], self.paging_rules)}
        unseen = [entry for entry in entries
                  if entry.url not in chrome and entry.url != response.url and entry.url not in pager
                  and entry.date is None and entry.text and not is_file(entry.url)
                  and not self.wants_report(entry.text)]
        new = [entry for entry in unseen if not self.skipped(Link(entry.url, entry.text))]
        annual = links_matching(new, self.profile.nav_patterns("annual_reports"))
        directories = [entry for entry in new if entry not in annual and self.names_directory(entry)]
        follow = [(entry, True) for entry in annual + directories]
        if area:
            follow += [(entry, True) for entry in new
                       if entry not in annual and entry not in directories and self.short(entry)]
        elif not annual:
            follow += [(entry, False) for entry in links_matching(new, self.profile.nav_patterns("open_government"))
                       if entry not in directories]
        if not follow and not area:
            # a dead end on the way: the 年报 may sit inside the disclosure catalogue (法定主动公开内容),
            # which the skip list holds back everywhere else (its other columns are not reports)
            follow = [(entry, False) for entry in links_matching(unseen, self.profile.nav_patterns("catalogues"))]
        child_chrome = chrome | {entry.url for entry in entries} | {response.url}
        for entry, into_area in follow:
            self.inc_stat("xxgk/columns" if into_area else "xxgk/nav_pages")
            yield self.nav_request(entry.url, self.parse_page, depth=depth + 1, column=entry.text,
                                   chrome=child_chrome, area=into_area)

    def wants_report(self, title: str | None) -> bool:
        """A report link names its year: without a URL shape to tell them apart, 「政府信息公开年报」 is
        the column and 「…2023年政府信息公开工作年度报告」 a report in it."""
        return super().wants_report(title) and report_year_from_title(title) is not None

    def bare_report(self, title: str | None) -> bool:
        """「2023年度报告」 / 「2023年年报」: a report when dated inside a 年报 column, whose heading names the
        body (undated, the same text is a year's folder: navigation)."""
        return bool(title and _BARE_REPORT.match(simplified(title))) and (
            self.year is None or report_year_from_title(title) == self.year)

    def is_annual_report_list(self, response: Response) -> bool:
        """The list's heading or breadcrumb names the 年报: a bare 「2023年度报告」 elsewhere in the area
        (a town sub-site's other columns, 企业年度报告 publicity, 社会组织 reports) is no disclosure report."""
        heading = clean_text(" ".join(_HEADING_TEXT(cast(TextResponse, response).selector.root)))
        return bool(links_matching([Link(response.url, heading)], self.profile.nav_patterns("annual_reports")))

    def is_annual_report_page(self, response: Response) -> bool:
        title = clean_text(" ".join(response.xpath("//title//text()").getall()))
        return bool(links_matching([Link(response.url, title)], self.profile.nav_patterns("annual_reports")))

    def names_directory(self, entry: Entry) -> bool:
        text = simplified(entry.text)
        return self.short(entry) and any(re.search(p, text) for p in self.profile.nav_patterns("unit_directories"))

    def short(self, entry: Entry) -> bool:
        return len(entry.text) <= self.max_nav_text

    # -- the loud failure

    def check_outcome(self) -> None:
        """No report link anywhere is a layout this platform cannot walk: fail, and say what was seen."""
        if self.close_reason is None and not self.stat("xxgk/report_links"):
            message = self.what_it_saw()
            self.logger.error("cannot walk %s: %s", self.profile.start_url, message)
            if getattr(self, "crawler", None) is not None:
                self.crawler.stats.set_value("xxgk/layout/cannot_walk", message)
            self.close_reason = LAYOUT_CHANGED

    def stat(self, key: str) -> Any:
        crawler = getattr(self, "crawler", None)
        return crawler.stats.get_value(key, 0) if crawler is not None and crawler.stats is not None else 0

    def what_it_saw(self) -> str:
        links = "; ".join(self._saw[:20]) or "no link on an allowed host"
        return (f"no report link found; {self.stat('xxgk/fetched/list')} pages walked, "
                f"{self._report_pages_reached} of them 年报 pages; the start page links: {links}. "
                "Give the site a profile with [nav] link texts (README: Crawl your county).")
