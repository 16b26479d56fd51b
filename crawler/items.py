"""Items that spiders yield. Spiders discover and fetch; pipelines derive everything else.

Scrapy supports dataclass items natively (itemadapter), so these are plain dataclasses. The fields
the stages fill are typed with what each stage produces (the parsed ``Page``, the
``ExtractedReport``, the dedupe ``Decision``), so a stage reads what the one before it wrote, not a
guess. ``Decision`` lives here, below both the item and ``pipelines/dedupe.py`` that decides it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from crawler.extract.model import ExtractedReport, Page

#: the roles of a report page's documents rows: the page itself, or another URL serving it
REPORT_ROLES = ("page", "alias")


@dataclass(frozen=True, slots=True)
class Decision:
    """``new`` / ``same`` / ``newer_version`` / ``older_version``, and the report it concerns."""

    kind: str
    report_id: int | None = None
    agency_key: str | None = None
    year: int | None = None
    content_hash: str | None = None
    canonical_url: str | None = None


#: one ``cells`` row as the store writes it, but its report and document ids: table, row, column,
#: value (a plain SQL number), raw, flag
CellRow = tuple[str, str, str, Any, str | None, str | None]
#: one ``checks`` row as the store writes it, but its report id: rule, status, hard, delta, assumed_zero, detail
CheckRow = tuple[str, str, int, Any, int, str]


@dataclass(frozen=True, slots=True)
class ReportRows:
    """A report's cells and checks as the store writes them: plain tuples, computed where the CPU
    stages ran (pipelines/report_rows.py). A reparse's worker sends these back to the one writer in
    place of the report's ~100 ``Cell`` and ``CheckResult`` objects: cheaper to pickle and unpickle,
    and the writer, the serial part of a reparse, no longer converts them cell by cell."""

    cells: tuple[CellRow, ...] = ()
    checks: tuple[CheckRow, ...] = ()
    #: ``reports.sec3_new_received_total`` and ``reports.checks_failed``
    new_received_total: Any = None
    checks_failed: int = 0


def _describe_bytes(body: bytes | None) -> str | None:
    """Feed exports (``scrapy crawl … -O items.jsonl``) show the size, not the bytes: the archive
    (WARC) holds the bytes."""
    return None if body is None else f"<{len(body)} bytes>"


def _report_json(report: ExtractedReport | None) -> dict[str, Any] | None:
    return None if report is None else report.to_json()


def _decision_kind(decision: Decision | None) -> str | None:
    return None if decision is None else decision.kind


def _no_page(page: Page | None) -> None:
    """The parsed page is derived from the body, so the feed leaves it out."""
    return None


def _describe_attachments(documents: list[FetchedDocument]) -> list[str]:
    return [document.url for document in documents]


@dataclass(slots=True)
class FetchedDocument:
    """Any fetched response worth a ``documents`` row that is not a report page (a list page, …)."""

    site: str
    url: str
    final_url: str
    status: int
    content_type: str | None
    sha256: str
    fetched_at: str  # ISO 8601 UTC, set by the spider from the response
    role: str  # list / dataproxy / attachment / image / challenge / error …
    size: int = 0
    warc_file: str | None = None
    warc_offset: int | None = None
    warc_record_id: str | None = None
    #: the report page this document belongs to (attachments, images), if any
    parent_url: str | None = None
    error: str | None = None
    #: what kind of failure ``error`` is (timeout, reset, truncated, too_large, challenge/ruishu, …)
    fault: str | None = None
    #: raw bytes for attachments and images (extraction reads them); None for lists
    body: bytes | None = field(default=None, metadata={"serializer": _describe_bytes})
    #: attachments and images: the file's own name (Content-Disposition, URL or link text)
    filename: str | None = None
    #: filled by the extract stage: the detected file type (pdf, docx, image …) and how its values
    #: were read (pdf-text, xlsx, ocr …; None when it was not read or nothing could be)
    kind: str | None = None
    method: str | None = None


@dataclass(slots=True)
class ReportPage:
    """One fetched page whose listing title reads as an annual report."""

    site: str
    url: str  # the URL as linked
    final_url: str  # after redirects
    status: int
    content_type: str | None
    #: raw bytes as received: the pipelines (and reparse) decode and extract
    body: bytes = field(metadata={"serializer": _describe_bytes})
    encoding: str  # the encoding Scrapy decided on (header, BOM, meta, or sniffed)
    sha256: str
    fetched_at: str
    role: str = "page"  # page / alias
    list_title: str | None = None  # from the listing's a[title], untruncated
    list_date: str | None = None  # the date printed in the listing
    column: str | None = None  # the 年报 column's name in the navigation
    column_url: str | None = None
    #: where the site's bodies sit, from its profile (crawler/sites/profile.py ``site_fields``):
    #: the stages read these, never a profile; empty for a site crawled from a bare URL
    region: str = ""  # 山东省威海市
    county: str = ""  # 文登区
    division_code: str = ""  # 371003 (GB/T 2260)
    warc_file: str | None = None
    warc_offset: int | None = None
    warc_record_id: str | None = None
    attachments: list[FetchedDocument] = field(
        default_factory=list, metadata={"serializer": _describe_attachments}
    )
    #: filled by the pipelines: the parsed page, its normalised text, the structured report, the
    #: dedupe decision, and the first error that stopped processing (the page is still stored)
    page: Page | None = field(default=None, metadata={"serializer": _no_page})
    text: str | None = None
    extracted: ExtractedReport | None = field(default=None, metadata={"serializer": _report_json})
    decision: Decision | None = field(default=None, metadata={"serializer": _decision_kind})
    #: the report's cells and checks as rows, when computed beside the extraction (a reparse's
    #: workers: crawler/reparse/pooled.py); then ``extracted`` carries no cells and checks of its own
    rows: ReportRows | None = field(default=None, metadata={"serializer": _no_page})
    error: str | None = None
    #: what kind of failure ``error`` is (extract_timeout, extract_memory, extract_crash, …)
    fault: str | None = None


#: what the spider yields for the stages (crawler/builders.py builds them)
Item = ReportPage | FetchedDocument


@dataclass(slots=True)
class KnownReport:
    """A report page a re-crawl did not fetch: known, and listed as when it was last fetched
    (crawler/recrawl.py). No stage reads or writes it but the store, which counts it as seen."""

    site: str
    url: str
    list_title: str | None = None
    list_date: str | None = None
    column: str | None = None
    column_url: str | None = None
