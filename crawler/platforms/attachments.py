"""Which files a report page links to, and what a downloaded file calls itself.

Pure helpers shared by the spider (which fetches the files) and ``xxgk reparse`` (which must find the
same files again in the archive): a page's attachment links, read with the page parser's own
attachment rules (crawler.extract.page) plus links whose *text* names a file (「附件：…统计表.xlsx」
pointing at an extension-less download URL); the table images inside the report body; and a
download's file name from its ``Content-Disposition`` header, its URL or its link text.
"""

from __future__ import annotations

import asyncio
import re
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from email.message import Message
from typing import Any, Protocol
from urllib.parse import parse_qs, unquote, urldefrag, urljoin, urlsplit

from lxml import etree

from crawler.extract.page import file_extension, page_links
from crawler.platforms.urls import host_allowed

#: file types worth fetching from a report page (what the document readers may read)
DOCUMENT_EXTENSIONS = frozenset(("pdf", "doc", "docx", "wps", "xls", "xlsx", "et", "ofd", "rtf", "zip", "rar", "7z"))
#: images never worth fetching: icons, spacers and animated buttons are GIFs; tables are JPEG/PNG
_SKIPPED_IMAGE_EXTENSIONS = frozenset(("gif", "svg", "ico"))
#: link text naming a file: 「…统计表.xlsx」, 「附件：年度报告.PDF」
_NAMED_FILE = re.compile(r"\.(" + "|".join(sorted(DOCUMENT_EXTENSIONS)) + r")\s*$", re.IGNORECASE)
#: URL paths that serve downloads whatever they are named
_DOWNLOAD_PATH = re.compile(r"download|downfile|getfile|attach", re.IGNORECASE)
_PAGE_EXTENSIONS = frozenset(("html", "htm", "shtml", "jsp", "php", "asp", "aspx"))
ROLES = ("attachment", "image")


@dataclass(frozen=True, slots=True)
class AttachmentLink:
    url: str  # absolute, without fragment
    role: str  # attachment / image
    name: str | None = None  # the link text (attachments) or alt text (images)


def attachment_links(
    body: bytes, url: str, encoding: str | None = None, allowed_domains: Iterable[str] | None = None
) -> list[AttachmentLink]:
    """The files and body images a report page links to, in page order, each URL once.

    Flipbooks (HTML viewers) and off-site hosts are left out; so are GIF icons.
    """
    attachments, body_element = page_links(body, url=url, encoding=encoding)
    found: dict[str, AttachmentLink] = {}
    for attachment in attachments:
        if attachment.kind == "flipbook":
            continue
        role = "image" if attachment.kind == "image" else "attachment"
        if role == "image" and file_extension(urlsplit(attachment.url).path) in _SKIPPED_IMAGE_EXTENSIONS:
            continue
        found.setdefault(_clean(attachment.url), AttachmentLink(_clean(attachment.url), role, attachment.name))
    for link in _links_naming_files(body_element, url):
        found.setdefault(link.url, link)
    domains = tuple(allowed_domains) if allowed_domains is not None else None
    return [
        link for link in found.values()
        if link.url.startswith(("http://", "https://")) and link.url != _clean(url)
        and (domains is None or host_allowed(link.url, domains))
    ]  # fmt: skip


def _links_naming_files(body: etree._Element | None, base: str) -> list[AttachmentLink]:
    """Body links the page parser does not take for files: an extension-less download URL whose
    text names a file (the server says the rest in ``Content-Disposition``)."""
    if body is None:
        return []
    links = []
    for anchor in body.iter("a"):
        href = (anchor.get("href") or "").strip()
        if not href or href.lower().startswith(("javascript:", "mailto:", "#", "data:")):
            continue
        text = " ".join("".join(anchor.itertext()).split())
        path = urlsplit(href).path
        if file_extension(path) in _PAGE_EXTENSIONS:
            continue
        if _NAMED_FILE.search(text) or _DOWNLOAD_PATH.search(path):
            links.append(AttachmentLink(_clean(urljoin(base, href)), "attachment", text or None))
    return links


def _clean(url: str) -> str:
    return urldefrag(url).url


def download_name(url: str, content_disposition: str | None = None, link_name: str | None = None) -> str:
    """What a downloaded file calls itself: the ``Content-Disposition`` name (RFC 6266 / 5987, or the
    raw GBK/UTF-8 bytes some servers send), else a ``filename``/``showname`` query value with an
    extension, else the URL's last path segment, else the link text."""
    from_header = disposition_filename(content_disposition)
    if from_header:
        return from_header
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    for key in ("showname", "filename", "fileName", "name"):
        for value in query.get(key, []):
            if file_extension(value):
                return value
    last = unquote(parts.path.rsplit("/", 1)[-1])
    if file_extension(last):
        return last
    return (link_name or last or "").strip()


def disposition_filename(value: str | None) -> str | None:
    """The file name in a ``Content-Disposition`` header, or None."""
    if not value:
        return None
    message = Message()
    message["content-disposition"] = value
    name = message.get_filename()
    if name:
        return name.strip().strip('"') or None
    return None


def header_text(raw: bytes | str | None) -> str | None:
    """A header value as text: servers send GBK or UTF-8 bytes in ``Content-Disposition``."""
    if raw is None:
        return None
    if isinstance(raw, str):
        return raw
    for codec in ("utf-8", "gb18030"):
        try:
            return raw.decode(codec)
        except UnicodeDecodeError:
            continue
    return raw.decode("latin-1")


# --- the spider's bookkeeping: which report waits for which file ------------------------------------

#: fetched files kept (with their bytes) for later reports that link to them too: a correction
#: or second posting usually follows soon after the original; past this the file is fetched again
CACHE_BYTES = 256 * 1024 * 1024


class Requester(Protocol):
    def attachment_request(self, link: AttachmentLink, parent_url: str) -> Any: ...


@dataclass(slots=True)
class WaitingReport:
    """A report page item and its files, slot by slot in page order; None = not here yet."""

    item: Any  # crawler.items.ReportPage
    slots: list[Any]  # crawler.items.FetchedDocument | None

    def fill(self, index: int, document: Any) -> bool:
        """Put a file in its slot; True when that was the last one missing."""
        self.slots[index] = replace(document, parent_url=self.item.url)
        if any(slot is None for slot in self.slots):
            return False
        self.item.attachments = list(self.slots)
        return True


@dataclass(kw_only=True)
class FileCache:
    """Fetched files kept with their bytes, most recently used last, up to ``cache_bytes``."""

    cache_bytes: int = CACHE_BYTES
    #: URL → the fetched document, most recently used last
    done: OrderedDict[str, Any] = field(default_factory=OrderedDict)
    cached: int = 0

    def recall(self, url: str) -> Any | None:
        known = self.done.get(url)
        if known is not None:
            self.done.move_to_end(url)
        return known

    def remember(self, document: Any) -> None:
        size = len(document.body or b"")
        if document.error or size > self.cache_bytes:
            return  # a failure is retried by the next report that links to it
        self.done[document.url] = document
        self.cached += size
        while self.cached > self.cache_bytes and self.done:
            _, evicted = self.done.popitem(last=False)
            self.cached -= len(evicted.body or b"")


@dataclass
class SharedFiles(FileCache):
    """The spider's files: each fetched once however many report pages link to it — pages that
    need a file already on its way wait for that same download — and kept (bytes-bounded) for the
    pages that come later. ``fetch(link, parent_url)`` downloads one file and never raises: a failed
    download is a document with its error."""

    fetch: Callable[[AttachmentLink, str], Awaitable[Any]] | None = None
    in_flight: dict[str, asyncio.Future[Any]] = field(default_factory=dict)

    async def get(self, link: AttachmentLink, parent_url: str) -> Any:
        """The file ``link`` points to, as a document of the page ``parent_url``."""
        known = self.recall(link.url)
        if known is None and link.url in self.in_flight:
            known = await asyncio.shield(self.in_flight[link.url])
        elif known is None:
            assert self.fetch is not None
            future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
            self.in_flight[link.url] = future
            try:
                known = await self.fetch(link, parent_url)
            except BaseException as exc:  # cancelled at shutdown: the pages waiting on it learn why
                future.set_exception(exc)
                future.exception()  # retrieved here, so asyncio does not warn when nobody else waits
                raise
            finally:
                del self.in_flight[link.url]
            future.set_result(known)
            self.remember(known)
        assert known is not None  # fetch never gives None: a failed download is a document too
        return replace(known, parent_url=parent_url)


@dataclass
class AttachmentFetches(FileCache):
    """Fetch each file once however many reports link to it, and release every report item once
    all its files have arrived or failed.

    ``xxgk reparse`` rebuilds the spider's items with it, reading the files' records as they come in
    the archive; the spider itself awaits its downloads (:class:`SharedFiles`), with the same rules.
    """

    spider: Requester | None = None
    #: URL → the reports (and their slot) waiting for a request in flight
    in_flight: dict[str, list[tuple[WaitingReport, int]]] = field(default_factory=dict)
    #: URL → the link of a request in flight (its role and name)
    links: dict[str, AttachmentLink] = field(default_factory=dict)

    def request(self, item: Any, links: list[AttachmentLink]) -> Iterator[Any]:
        """The requests ``item`` needs (none for files already fetched), or the item itself when
        nothing is left to wait for."""
        waiting = WaitingReport(item, [None] * len(links))
        complete = not links
        for index, link in enumerate(links):
            known = self.recall(link.url)
            if known is not None:
                complete = waiting.fill(index, known)
            elif link.url in self.in_flight:
                self.in_flight[link.url].append((waiting, index))
            else:
                self.in_flight[link.url] = [(waiting, index)]
                self.links[link.url] = link
                yield self.spider.attachment_request(link, item.url) if self.spider else None
        if complete:
            yield item

    def arrived(self, document: Any) -> Iterator[Any]:
        """A file fetched (or failed): the report items it completes."""
        waiters = self.in_flight.pop(document.url, [])
        self.links.pop(document.url, None)
        self.remember(document)
        for waiting, index in waiters:
            if waiting.fill(index, document):
                yield waiting.item

