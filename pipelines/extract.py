"""Stage 2: apply the report grammar (crawler.extract) to the normalised page and the files it links to.

A report's tables may live in an attachment (PDF, Word, WPS, Excel) or only in pictures of a
spreadsheet. Each attachment is read with ``read_document`` and combined with the page by
``report_with_documents`` (per table, whichever source has the values). Images are read (OCR, slow:
about a second a page) only when the page and its attachments together still lack a table.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from crawler.extract.model import ExtractedReport, Page
from crawler.items import FetchedDocument, ReportPage
from pipelines.offload import DocumentTimeout, Job, PooledStage, document_deadline, run_inline

if TYPE_CHECKING:  # Scrapy stays out of the worker processes (pipelines/offload.py WORKER_FORBIDDEN)
    from scrapy.statscollectors import StatsCollector

    from crawler.extract.documents import DocumentExtraction

#: the extraction modules the pure functions below run, imported where they run: the pool's fork
#: server preloads them (crawler/fleet.py, from pipelines/chain.py), while the crawl process, which
#: only loads the pipeline class and applies results, never does (about 0.1 s CPU a crawl)
WORKER_MODULES = ("crawler.extract.report", "crawler.extract.documents")


@dataclass(frozen=True, slots=True)
class DocumentInput:
    """An attachment or image as the worker reads it (picklable, no item around it)."""

    url: str
    role: str  # attachment / image
    body: bytes
    filename: str = ""
    content_type: str = ""


@dataclass(frozen=True, slots=True)
class DocumentReading:
    """What reading one document gave, for its ``documents`` row."""

    url: str
    kind: str
    method: str | None  # None: nothing read, or not read at all (``read`` False)
    error: str | None
    read: bool = True


def wants(item: object) -> bool:
    return isinstance(item, ReportPage) and not item.error and item.page is not None


def document_inputs(item: ReportPage) -> tuple[DocumentInput, ...]:
    """The item's fetched files and images (those that failed to download have nothing to read)."""
    return tuple(
        DocumentInput(doc.url, doc.role, doc.body, doc.filename or "", doc.content_type or "")
        for doc in item.attachments
        if doc.body is not None and not doc.error
    )


def job(item: ReportPage) -> Job:
    documents = document_inputs(item)
    return Job(
        extract_with_documents,
        (item.page, item.text or "", documents),
        {"url": item.final_url, "list_title": item.list_title},
        units=1 + len(documents),
        size=len(item.body),
    )


def missing_tables(report: ExtractedReport) -> list[str]:
    """The statistics tables no source has read yet (none for a pre-2019 report: it has no tables)."""
    from crawler.extract.report import SECTIONS

    if report.format == "G0":
        return []
    return [section for section in SECTIONS if section not in report.cell_sources]


def extract_with_documents(
    page: Page | None,
    text: str,
    documents: Sequence[DocumentInput] = (),
    *,
    url: str | None = None,
    list_title: str | None = None,
) -> tuple[ExtractedReport, list[DocumentReading]]:
    """The report from its page, completed from its attachments, then (only if a table is still
    missing) from OCR of its images; and how each document read. Pure: runs in a worker process."""
    from crawler.extract.report import report_from_page

    page_report = report = report_from_page(page, text, url=url, list_title=list_title)
    extractions: dict[str, DocumentExtraction] = {}
    for document in documents:
        if document.role != "image":
            extractions[document.url] = read(document)
    if extractions:
        report = combined(page_report, documents, extractions)
    images = [document for document in documents if document.role == "image"]
    if images and missing_tables(report):
        for image in images:
            extractions[image.url] = read(image)
        report = combined(page_report, documents, extractions)
    readings = [
        reading(document.url, extractions[document.url])
        if document.url in extractions
        else DocumentReading(document.url, sniff(document), None, None, read=False)
        for document in documents
    ]
    return report, readings


def read(document: DocumentInput) -> DocumentExtraction:
    """One document, within its own deadline and the worker's memory bound: a file that is too slow
    or too big fails alone, with its error, and the page and the other files are kept."""
    try:
        with document_deadline():
            return read_document(document.body, filename=document.filename, content_type=document.content_type)
    except DocumentTimeout as exc:
        return unread(document, f"timeout: reading {exc}")
    except MemoryError:
        return unread(document, "too-large: reading it ran out of memory (XXGK_EXTRACT_MEMORY_MB)")


def read_document(body: bytes, *, filename: str, content_type: str) -> DocumentExtraction:
    """crawler.extract's reader of one document, imported on the first call, in the worker that
    reads (WORKER_MODULES): the crawl process loading this stage's class never loads the readers.
    A module-level name, so that a test can put a stuck reader in its place (tests/test_attachments.py)."""
    from crawler.extract.documents import read_document as read_one

    return read_one(body, filename=filename, content_type=content_type)


def unread(document: DocumentInput, error: str) -> DocumentExtraction:
    from crawler.extract.documents import DocumentExtraction

    return DocumentExtraction(kind=sniff(document), method=None, text="", statistics=None, error=error)


def sniff(document: DocumentInput) -> str:
    from crawler.extract.documents import sniff_kind

    return sniff_kind(document.body, filename=document.filename, content_type=document.content_type)


def combined(
    page_report: ExtractedReport, documents: Sequence[DocumentInput], extractions: dict[str, DocumentExtraction]
) -> ExtractedReport:
    """The page's own report with the documents read so far, in page order."""
    from crawler.extract.report import report_with_documents

    ordered = [(document.url, extractions[document.url]) for document in documents if document.url in extractions]
    return report_with_documents(page_report, ordered)


def reading(url: str, extraction: DocumentExtraction) -> DocumentReading:
    error = extraction.error
    if error is None and extraction.statistics is None and extraction.method is None:
        error = f"unsupported: nothing could be read from this {extraction.kind}"
    return DocumentReading(url, extraction.kind, extraction.method, error)


def apply_result(
    item: ReportPage, result: tuple[ExtractedReport, list[DocumentReading]] | ExtractedReport | BaseException
) -> ReportPage:
    if isinstance(result, BaseException):
        item.error = f"extract: {type(result).__name__}: {result}"
        for document in item.attachments:
            if document.body is not None and not document.error:
                document.error = item.error
        return item
    report, readings = result if isinstance(result, tuple) else (result, [])
    item.extracted = report
    by_url = {r.url: r for r in readings}
    for document in item.attachments:
        found = by_url.get(document.url)
        if found is not None:
            apply_reading(document, found)
    return item


def apply_reading(document: FetchedDocument, found: DocumentReading) -> None:
    document.kind = found.kind
    document.method = found.method
    if found.error and not document.error:
        document.error = found.error


def count(stats: StatsCollector, item: ReportPage) -> None:
    """What extraction found, in the crawl's stats."""
    count_documents(stats, item)
    if item.error:
        stats.inc_value("xxgk/extract/errors")
        return
    report = item.extracted
    assert report is not None  # set by apply_result whenever the item has no error
    stats.inc_value(f"xxgk/extract/format/{report.format}")
    stats.inc_value(f"xxgk/extract/table_render/{report.table_render}")
    for source in report.cell_sources.values():
        if source.document_url is not None:
            stats.inc_value(f"xxgk/attachments/tables_from/{source.method}")
    if report.failed_hard_checks():
        stats.inc_value("xxgk/extract/hard_check_failures")
    if report.year is None:
        stats.inc_value("xxgk/extract/no_year")
    if report.agency is None:
        stats.inc_value("xxgk/extract/no_agency")


def count_documents(stats: StatsCollector, item: ReportPage) -> None:
    """Per attachment: read (by method), left unread (OCR not needed), or failed (by error kind)."""
    for document in item.attachments:
        if document.body is None or document.status == 0 or not 200 <= document.status < 300:
            continue  # a failed download, counted by the spider
        if document.error:
            stats.inc_value("xxgk/error/attachment")
            stats.inc_value(f"xxgk/attachments/failed/{document.error.split(':', 1)[0].strip()}")
        elif document.method:
            stats.inc_value(f"xxgk/attachments/read/{document.method}")
        elif document.kind:
            stats.inc_value(f"xxgk/attachments/unread/{document.role}")


def extract_item(item: ReportPage) -> ReportPage:
    """The whole stage, synchronously (for `xxgk reparse`)."""
    return apply_result(item, run_inline(job(item)))


class ExtractPipeline(PooledStage):
    wants = staticmethod(wants)
    job = staticmethod(job)
    apply_result = staticmethod(apply_result)
    count = staticmethod(count)
