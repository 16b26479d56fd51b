"""Hanweb (大汉) jcms portals: home → 政务公开 → 年报 landing → per-body sub-columns → jpage lists.

Column pages carry their records as CDATA ``<li>``s inside ``<script type="text/xml"><datastore>`` (a plain
``li`` selector finds none), only the first group inline; later groups come from the jpage data proxy by POST.
``?pageNum=`` is never used: without JavaScript it serves page 1 again.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

from lxml import etree
from parsel import Selector
from scrapy import FormRequest, Request
from scrapy.http import Response

from crawler.extract.titles import clean_text, find_date
from crawler.items import KnownReport
from crawler.platforms.base import Link, PortalSpider, extract_links, links_matching, meta_of
from crawler.platforms.urls import join_url

_RECORD = re.compile(r"<record>\s*(?:<!\[CDATA\[)?(.*?)(?:\]\]>)?\s*</record>", re.S)
_NEXTGROUP = re.compile(r"<nextgroup>\s*(?:<!\[CDATA\[)?(.*?)(?:\]\]>)?\s*</nextgroup>", re.S)
_TOTALRECORD = re.compile(r"<totalrecord>\s*(\d+)\s*</totalrecord>", re.I)
_JPAGE_CALL = re.compile(r"\.jpage\(\s*\{(.*?)\}\s*\)", re.S)
_PARAM_VAR = re.compile(r"var\s+param_\d+\s*=\s*\{(.*?)\}", re.S)
_AJAX_PARAM = re.compile(r"ajaxParam\s*:\s*\{(.*?)\}", re.S)
_JS_PAIR = re.compile(r"(\w+)\s*:\s*(?:'([^']*)'|\"([^\"]*)\"|([^,}\s]+))")
_COLUMN_ID = re.compile(r"/col/col(\d+)/")

DEFAULT_PROXY_URL = "/module/web/jpage/dataproxy.jsp"
DEFAULT_GROUP_SIZE = 3


@dataclass(frozen=True, slots=True)
class ListRecord:
    url: str
    title: str
    date: str | None


@dataclass(frozen=True, slots=True)
class Datastore:
    records: list[str]  # the CDATA ``<li>`` fragments, in order
    nextgroup: str | None  # the data-proxy href inside <nextgroup>, if any
    total_record: int | None  # <totalrecord> (data-proxy answers carry it)


@dataclass(frozen=True, slots=True)
class JpageOptions:
    proxy_url: str
    per_page: int
    total_record: int
    group_size: int
    params: dict[str, str] = field(default_factory=dict)  # ajaxParam / var param_… (the POST form)


def parse_datastore(text: str) -> Datastore | None:
    """The ``<datastore>`` in a column page or data-proxy answer, or None when the page has none."""
    if "<datastore" not in text:
        return None
    nextgroup_match = _NEXTGROUP.search(text)
    nextgroup = None
    if nextgroup_match:
        hrefs = Selector(text=nextgroup_match.group(1) or "<p></p>").xpath("//a/@href").getall()
        nextgroup = hrefs[0] if hrefs else None
    total = _TOTALRECORD.search(text)
    return Datastore(
        records=[fragment for fragment in _RECORD.findall(text) if fragment.strip()],
        nextgroup=nextgroup,
        total_record=int(total.group(1)) if total else None,
    )


def parse_record(fragment: str, base_url: str) -> ListRecord | None:
    """One CDATA ``<li>``: the link, its untruncated ``title`` and the printed date."""
    # etree, not lxml.html: its element class lookup made this parse 2.5× slower (45 records a page)
    try:
        root = etree.HTML(fragment)  # lxml's default HTML parser: one per thread
    except (etree.ParserError, ValueError):  # nothing but debris
        return None
    if root is None:
        return None
    anchor = next(root.iterfind(".//a[@href]"), None)
    if anchor is None:
        return None
    title = anchor.get("title") or " ".join(anchor.itertext())
    url = join_url(base_url, anchor.get("href", "").strip())
    return ListRecord(url=url, title=clean_text(title), date=find_date(root.itertext()))


def parse_records(store: Datastore, base_url: str) -> list[ListRecord]:
    """The records a datastore lists that link somewhere, in order."""
    return [record for record in (parse_record(fragment, base_url) for fragment in store.records) if record]


def _js_object(body: str) -> dict[str, str]:
    """Top-level ``key: value`` pairs of a small JS object literal (values as strings)."""
    return {key: single or double or bare for key, single, double, bare in _JS_PAIR.findall(body)}


def parse_jpage_options(text: str) -> JpageOptions | None:
    """The jpage call's options (proxyUrl, perPage, totalRecord, groupSize, ajaxParam), or None."""
    call = _JPAGE_CALL.search(text)
    if not call:
        return None
    body = call.group(1)
    params: dict[str, str] = {}
    for var in _PARAM_VAR.finditer(text):  # jiangsu style: var param_212860={columnid:…,unitid:'…'}
        params.update(_js_object(var.group(1)))
    ajax = _AJAX_PARAM.search(body)
    if ajax:
        params.update(_js_object(ajax.group(1)))
        body = body[: ajax.start()] + body[ajax.end() :]
    options = _js_object(body)
    try:
        return JpageOptions(
            proxy_url=options.get("proxyUrl", DEFAULT_PROXY_URL),
            per_page=int(float(options["perPage"])),
            total_record=int(float(options["totalRecord"])),
            group_size=int(float(options.get("groupSize", DEFAULT_GROUP_SIZE))),
            params=params,
        )
    except (KeyError, ValueError):
        return None


def dataproxy_form(options: JpageOptions, nextgroup: str | None) -> dict[str, str]:
    """The POST form: ajaxParam as given, gaps filled from the nextgroup URL and Hanweb's usual defaults."""
    from_nextgroup = dict(parse_qsl(urlsplit(nextgroup).query)) if nextgroup else {}
    form = {"col": "1", "appid": "1", "webid": "1", "path": "/", "sourceContentType": "1", "permissiontype": "0"}
    for key in ("webid", "path", "columnid", "unitid", "permissiontype", "webname"):
        if key in from_nextgroup:
            form[key] = from_nextgroup[key]
    form.update(options.params)
    return form


def dataproxy_url(page_url: str, options: JpageOptions, start: int, end: int) -> str:
    """Records ``start..end`` (1-based, inclusive) of the column, as the jpage plug-in asks for them."""
    query = urlencode({"startrecord": start, "endrecord": end, "perpage": options.per_page})
    return f"{urljoin(page_url, options.proxy_url)}?{query}"


def next_window(after: int, options: JpageOptions, total: int) -> tuple[int, int] | None:
    """The record window after record ``after``: one group (groupSize × perPage), or None when done."""
    if after >= total:
        return None
    return after + 1, min(after + options.group_size * options.per_page, total)


def column_key(url: str) -> str:
    """One key per column whatever the link's form (``/col/col1/``, ``…/index.html``, ``…?uid=&pageNum=``)."""
    match = _COLUMN_ID.search(url)
    return f"{urlsplit(url).netloc}/col{match.group(1)}" if match else url


def canonical_column_url(url: str) -> str:
    """``/col/colN/index.html`` without a query: ``?uid=…&pageNum=`` serves page 1 anyway."""
    parts = urlsplit(url)
    match = _COLUMN_ID.search(parts.path)
    if not match:
        return url
    return f"{parts.scheme}://{parts.netloc}{parts.path[: match.end()]}index.html"


class HanwebSpider(PortalSpider):
    """Navigation for Hanweb jcms portals; a site spider only names its profile."""

    async def start(self) -> AsyncIterator[Any]:
        yield self.nav_request(self.profile.start_url, self.parse_home, hops=0, chrome=frozenset())

    def column_links(self, response: Response) -> list[Link]:
        shape = self.profile.url_pattern("column")
        return [
            link for link in extract_links(response, self.profile.allowed_domains)
            if shape is None or shape.search(link.url)
        ]

    # -- home and 政务公开: find the 年报 landing column

    def parse_home(self, response: Response, hops: int, chrome: frozenset[str]) -> Iterator[Any]:
        """Follow the 年报 column link if this page has one, else the 政务公开 link (from the home page only)."""
        yield self.list_document(response)
        links = self.column_links(response)
        chrome = chrome | {column_key(link.url) for link in links}
        landing = [link for link in links_matching(links, self.profile.nav_patterns("annual_reports"))
                   if column_key(link.url) != column_key(response.url)]
        if landing:
            for link in landing:
                yield self.nav_request(canonical_column_url(link.url), self.parse_column,
                                       column=link.text, depth=0, chrome=chrome)
            return
        if hops == 0:
            for link in self.require(links_matching(links, self.profile.nav_patterns("open_government")),
                                     response, "政务公开 link"):
                yield self.nav_request(link.url, self.parse_home, hops=1, chrome=chrome)
            return
        self.require([], response, "年报 column link")

    # -- columns: sub-column navigation and the jpage list

    def parse_column(self, response: Response, column: str, depth: int, chrome: frozenset[str]) -> Iterator[Any]:
        """A column page: follow sub-columns new to this page, then read its datastore (if any)."""
        yield self.list_document(response)
        self.inc_stat("xxgk/columns")
        here = column_key(response.url)
        links = self.column_links(response)
        # Site chrome (header, footer, the navigation that led here) repeats on every page; what is new
        # on this page is its own left nav, i.e. its sub-columns. Siblings seen here are not new below.
        sub_columns = [link for link in links
                       if column_key(link.url) not in chrome and column_key(link.url) != here
                       and not self.skipped(link)]
        child_chrome = chrome | {column_key(link.url) for link in links} | {here}
        if depth < self.profile.max_nav_depth:
            for link in sub_columns:
                yield self.nav_request(canonical_column_url(link.url), self.parse_column,
                                       column=link.text, depth=depth + 1, chrome=child_chrome)
        store = parse_datastore(response.text)
        if store is None:
            if not sub_columns:
                self.layout_error(response, "datastore or sub-column navigation", structural=True)
            return
        records = parse_records(store, response.url)
        yield from self.list_records(response, store, records, column)
        if self.history.reached_known(record.url for record in records):
            self.inc_stat("xxgk/incremental/columns_stopped")  # newest first: the rest is known
            return
        yield from self.first_dataproxy_request(response, store, column)

    def list_records(self, response: Response, store: Datastore, records: list[ListRecord],
                     column: str) -> Iterator[Request | KnownReport | None]:
        column_url = meta_of(response).get("xxgk_column_url", response.url)
        self.inc_stat("xxgk/list_records", len(store.records))
        for record in records:
            if self.allowed(record.url) and self.wants_report(record.title):
                yield self.report_request(record.url, record.title, record.date, column, column_url)

    def first_dataproxy_request(self, response: Response, store: Datastore, column: str) -> Iterator[Request]:
        options = parse_jpage_options(response.text)
        if options is None:
            self.layout_error(response, "jpage call (perPage/totalRecord)", structural=True)
            return
        form = dataproxy_form(options, store.nextgroup)
        yield from self.dataproxy_requests(response.url, options, form, len(store.records), options.total_record, column)

    def dataproxy_requests(self, column_url: str, options: JpageOptions, form: dict[str, str], after: int,
                           total: int, column: str) -> Iterator[FormRequest]:
        """Every remaining window at once: the jpage call already says how many records there are, and
        asking group by group would chain one round trip per 45 records."""
        window = next_window(after, options, total)
        while window:
            yield self.dataproxy_request(column_url, options, form, window, column, total)
            if self.history.stops_paging:
                return  # one window at a time, so that paging can stop at known reports
            window = next_window(window[1], options, total)

    def dataproxy_request(self, column_url: str, options: JpageOptions, form: dict[str, str],
                          window: tuple[int, int], column: str, planned: int) -> FormRequest:
        start, end = window
        return FormRequest(
            dataproxy_url(column_url, options, start, end),
            formdata=form,
            callback=self.parse_dataproxy,
            errback=self.on_error,
            cb_kwargs={"options": options, "form": form, "window": window, "column": column, "planned": planned},
            meta={"xxgk_structural": True, "xxgk_column_url": column_url,
                  "xxgk_context": {"site": self.profile.name, "role": "dataproxy"}},
        )

    def parse_dataproxy(self, response: Response, options: JpageOptions, form: dict[str, str],
                        window: tuple[int, int], column: str, planned: int) -> Iterator[Any]:
        """One group of records; if the proxy counts more records than the column page said (items
        posted in between), the last planned window asks for the rest."""
        yield self.fetched_document(response, "dataproxy")
        store = parse_datastore(response.text)
        if store is None or not store.records:
            self.layout_error(response, f"records {window[0]}–{window[1]} in the data-proxy answer",
                              structural=True)
            return
        records = parse_records(store, response.url)
        yield from self.list_records(response, store, records, column)
        total = store.total_record or planned
        if self.history.stops_paging:
            if self.history.reached_known(record.url for record in records):
                self.inc_stat("xxgk/incremental/columns_stopped")
                return
            yield from self.dataproxy_requests(response.meta["xxgk_column_url"], options, form, window[1],
                                               max(total, planned), column)
            return
        if window[1] >= planned and total > planned:
            yield from self.dataproxy_requests(response.meta["xxgk_column_url"], options, form, planned, total, column)
