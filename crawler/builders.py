"""The items, built in one place: by the spider from a live response, by ``xxgk reparse`` from an
archived record, so that both build the same :class:`ReportPage` / :class:`FetchedDocument`.

The spider base (crawler/platforms/base.py) and the reparse package sit above this module; it sits
above the items and the archive reader. Nothing here touches the network or a database.
"""

from __future__ import annotations

import hashlib
from typing import Any

from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from crawler.archive.reader import ArchivedResponse
from crawler.archive.responses import CHALLENGE_STATUSES, EMPTY_SHA256, record_warc_fields
from crawler.clock import utc_now
from crawler.faults import challenge_kind
from crawler.items import REPORT_ROLES, FetchedDocument, Item, ReportPage
from crawler.platforms.attachments import download_name, header_text
from crawler.sites.catalog import site_fields_by_name

#: the bodies FetchedDocument keeps (extraction reads them); list pages keep none, as in the crawl
BODY_ROLES = frozenset({"attachment", "image"})

# --- from a live response (the spider) -----------------------------------------------------------


def fetch_error(failure: Failure) -> str:
    """A failed download as one line: ``http 404``, ``too-large: …``, ``fetch: TimeoutError: …``."""
    if failure.check(HttpError) and isinstance(failure.value, HttpError):
        return f"http {failure.value.response.status}"
    message = str(failure.value) or type(failure.value).__name__
    if "download max size" in message or "maxsize" in message.lower():
        return f"too-large: {message}"
    return f"fetch: {type(failure.value).__name__}: {message}"


def content_type(response: Response) -> str | None:
    value = response.headers.get("Content-Type")
    return value.decode("latin-1") if value else None


def captured_at(meta: dict[str, Any]) -> str:
    """The capture time: the archive's WARC-Date when archived, so a crawl and a reparse of its
    archive agree to the microsecond; the clock otherwise."""
    warc = meta.get("xxgk_warc") or {}
    return warc.get("date") or utc_now("microseconds")


def meta_of(response: Response) -> dict[str, Any]:
    """``response.meta``, or {} for a response built without a request (tests, reparse)."""
    try:
        return response.meta
    except AttributeError:
        return {}


def warc_fields(meta: dict[str, Any]) -> dict[str, Any]:
    """Copy the WARC location the archive middleware put in ``meta['xxgk_warc']``, if any."""
    warc = meta.get("xxgk_warc") or {}
    return {
        "warc_file": warc.get("file"),
        "warc_offset": warc.get("offset"),
        "warc_record_id": warc.get("record_id"),
    }


def fetched_document(site: str, response: Response, role: str) -> FetchedDocument:
    """A fetched page that is not a report (home, column, list page) as the spider records it."""
    return FetchedDocument(
        site=site,
        url=response.request.url if response.request else response.url,
        final_url=response.url,
        status=response.status,
        content_type=content_type(response),
        sha256=hashlib.sha256(response.body).hexdigest(),
        fetched_at=captured_at(meta_of(response)),
        role=role,
        size=len(response.body),
        **warc_fields(meta_of(response)),
    )


def report_page(site: str, response: Response, *, list_title: str | None, list_date: str | None,
                column: str | None, column_url: str | None, **site_fields: Any) -> ReportPage:
    """A report page as the spider's ``parse_report`` yields it (before its files are attached);
    ``site_fields``: what the profile says of the site (region, county: crawler/sites/profile.py)."""
    return ReportPage(
        site=site,
        url=response.request.url if response.request else response.url,
        final_url=response.url,
        status=response.status,
        content_type=content_type(response),
        body=response.body,
        encoding=getattr(response, "encoding", None) or "",
        sha256=hashlib.sha256(response.body).hexdigest(),
        fetched_at=captured_at(meta_of(response)),
        list_title=list_title,
        list_date=list_date,
        column=column,
        column_url=column_url,
        **site_fields,
        **warc_fields(meta_of(response)),
    )


# --- from an archived record (reparse) -----------------------------------------------------------


def item_for(archived: ArchivedResponse, response: Response) -> Item:
    """The item the spider built for a delivered record (``response``: as the spider got it)."""
    context = archived.context
    challenge = challenge_kind(archived.status, archived.headers, archived.body)
    if challenge is not None:  # as ChallengeMiddleware decided in the crawl: never a report
        document = archived_document(archived, context)
        document.role, document.fault = "challenge", f"challenge/{challenge}"
        document.error = document.error or f"anti-bot challenge ({challenge})"
        return document
    if 200 <= archived.status < 300 and context.get("role") in REPORT_ROLES:
        return archived_report_page(archived, response, context)
    return archived_document(archived, context)


def archived_report_page(archived: ArchivedResponse, response: Response, context: dict[str, Any]) -> ReportPage:
    return ReportPage(
        site=context.get("site", ""),
        url=context.get("url") or archived.url,
        final_url=archived.url,
        status=archived.status,
        content_type=archived.content_type,
        body=archived.body,
        encoding=getattr(response, "encoding", None) or "",
        sha256=archived.payload_sha256,
        fetched_at=archived.date,
        role=context["role"],
        list_title=context.get("list_title"),
        list_date=context.get("list_date"),
        column=context.get("column"),
        column_url=context.get("column_url"),
        **site_fields_by_name(context.get("site", "")),  # as the spider put them (crawler/sites/profile.py)
        **record_warc_fields(archived),
    )


def archived_document(archived: ArchivedResponse, context: dict[str, Any]) -> FetchedDocument:
    role, error = context.get("role") or "document", None
    if role in BODY_ROLES:
        return archived_attachment(archived, context)
    if not 200 <= archived.status < 300:  # HttpErrorMiddleware sent it to the spider's errback
        role = "challenge" if archived.status in CHALLENGE_STATUSES else "error"
        # the errback's error as the crawl recorded it: its repr shows the message, never the response
        error = repr(HttpError(None, "Ignoring non-200 response"))  # type: ignore[arg-type]
    return FetchedDocument(
        site=context.get("site", ""),
        url=context.get("url") or archived.url,
        final_url=archived.url,
        status=archived.status,
        content_type=archived.content_type,
        sha256=archived.payload_sha256,
        fetched_at=archived.date,
        role=role,
        size=len(archived.body),
        parent_url=context.get("parent_url"),
        error=error,
        body=archived.body if role in BODY_ROLES else None,
        **record_warc_fields(archived),
    )


def archived_attachment(archived: ArchivedResponse, context: dict[str, Any]) -> FetchedDocument:
    """A report page's file or image, as the spider's ``parse_attachment`` (or, for an HTTP error,
    ``attachment_failed``) built it."""
    linked = context.get("url") or archived.url
    ok = 200 <= archived.status < 300
    return FetchedDocument(
        site=context.get("site", ""),
        url=linked,
        final_url=archived.url,
        status=archived.status,
        content_type=archived.content_type,
        sha256=archived.payload_sha256 if ok else EMPTY_SHA256,
        fetched_at=archived.date,
        role=context["role"],
        size=len(archived.body) if ok else 0,
        parent_url=context.get("parent_url"),
        error=None if ok else f"http {archived.status}",
        body=archived.body if ok else None,
        filename=download_name(linked, raw_header(archived.header("Content-Disposition")) if ok else None,
                               context.get("name")),
        **record_warc_fields(archived),
    )


def missing_attachment(site: str, url: str, role: str, name: str | None, fetched_at: str) -> FetchedDocument:
    """A file a report page links to that the archive has no record of."""
    return FetchedDocument(
        site=site, url=url, final_url=url, status=0, content_type=None, sha256=EMPTY_SHA256,
        fetched_at=fetched_at, role=role,
        error="missing: not in the archive (the download failed or was cancelled)",
        filename=download_name(url, None, name),
    )


def raw_header(value: str | None) -> str | None:
    """The header as the spider decoded it from the raw bytes (the archive reader decoded them
    UTF-8, else latin-1: undo the latin-1 so GBK names read the same)."""
    if value is None:
        return None
    try:
        return header_text(value.encode("latin-1"))
    except UnicodeEncodeError:
        return value
