"""Composition of the extraction steps into one structured report."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from crawler.extract import formats
from crawler.extract.checks import run_checks
from crawler.extract.metadata import extract_metadata
from crawler.extract.model import Cell, CellSource, ExtractedReport, Narrative, Page, Statistics
from crawler.extract.narrative import extract_narrative
from crawler.extract.normalise import normalise_text
from crawler.extract.page import decode_html, parse_page
from crawler.extract.tables import extract_statistics, null_tables

if TYPE_CHECKING:
    from crawler.extract.documents import DocumentExtraction

SECTIONS = ("sec2", "sec3", "sec4")
#: kinds ``extract_report`` hands to the document readers
DOCUMENT_KINDS = ("pdf", "docx", "doc", "wps", "xlsx", "xls", "et", "image")
#: cells that hold nothing read: a table made only of these has no values
_UNREAD_FLAGS = frozenset({"missing", "image_only", "cell_count_mismatch"})


class UnreadableDocument(ValueError):
    """A document that gave nothing at all; the message is its ``DocumentExtraction.error``."""


def looks_like_html(source: str | bytes) -> bool:
    head = source[:2048]
    if isinstance(head, bytes):
        head = head.decode("latin-1")
    head = head.lower()
    return "<html" in head or "<body" in head or "<p" in head or "<table" in head or "<div" in head


def extract_report(
    source: str | bytes,
    *,
    url: str | None = None,
    kind: str | None = None,
    encoding: str | None = None,
    list_title: str | None = None,
) -> ExtractedReport:
    """A report page (HTML), a report's text or a report document in, the structured report out.

    ``kind`` is "html", "text" or a document kind (pdf, docx, doc, wps, xlsx, xls, et, image); when
    None it is sniffed from the bytes. A document that cannot be read at all raises
    :class:`UnreadableDocument` with the reader's error ("truncated: …", "zip-bomb: …").
    """
    if kind is None and isinstance(source, bytes):
        from crawler.extract.documents import sniff_kind

        sniffed = sniff_kind(source)
        kind = sniffed if sniffed in DOCUMENT_KINDS else None
    if kind in DOCUMENT_KINDS:
        data = source.encode("utf-8") if isinstance(source, str) else source
        return report_from_document(data, kind=kind, url=url, list_title=list_title)
    if kind is None:
        kind = "html" if looks_like_html(source) else "text"
    if kind == "html":
        page = parse_page(source, url=url, encoding=encoding)
        return report_from_page(page, normalise_text(page.body_text), url=url, list_title=list_title)
    # decode_html: an unknown or lying label must not raise or garble (UTF-8, then GB18030)
    text = decode_html(source, encoding) if isinstance(source, bytes) else source
    return report_from_page(None, normalise_text(text), url=url, list_title=list_title)


def report_from_document(
    data: bytes, *, kind: str | None = None, url: str | None = None, list_title: str | None = None
) -> ExtractedReport:
    """A PDF / Word / WPS / Excel file or a table image as a report of its own."""
    from crawler.extract.documents import read_document
    from crawler.extract.documents.readers import read

    extraction = read(data, kind) if kind else read_document(data, filename=url or "")
    if extraction.statistics is None:
        raise UnreadableDocument(extraction.error or f"unsupported: nothing read from this {extraction.kind}")
    report = report_from_page(
        None, extraction.text, url=url, list_title=list_title, statistics=extraction.statistics
    )
    report.cell_sources = {
        section: CellSource(extraction.method or extraction.kind)
        for section in SECTIONS
        if readable_cells(getattr(report, section))
    }
    if extraction.error:
        report.warnings.append(extraction.error)
    return report


def report_from_page(
    page: Page | None,
    text: str,
    *,
    url: str | None = None,
    list_title: str | None = None,
    statistics: Statistics | None = None,
) -> ExtractedReport:
    """Apply the report grammar to a parsed page and its normalised text."""
    metadata = extract_metadata(page, text, url=url, list_title=list_title)
    if statistics is None:
        statistics = extract_statistics(text, page.body_html if page else None)
    statistics, format_basis = _settle_format(statistics, text, metadata.year)
    narrative = extract_narrative(text)
    checks = run_checks(statistics, narrative, level=metadata.level)
    method = "html" if statistics.table_render == "html" else "text"
    return ExtractedReport(
        agency=metadata.agency,
        agency_as_printed=metadata.agency_as_printed,
        year=metadata.year,
        published=metadata.published,
        format=statistics.format,
        table_render=statistics.table_render,
        sec2=statistics.sec2,
        sec3=statistics.sec3,
        sec4=statistics.sec4,
        narrative=narrative,
        checks=checks,
        dated=metadata.dated,
        published_basis=metadata.published_basis,
        format_basis=format_basis,
        title=metadata.title,
        level=metadata.level,
        text=text,
        attachments=list(page.attachments) if page else [],
        warnings=[*metadata.warnings, *statistics.warnings],
        cell_sources={
            section: CellSource(method)
            for section in SECTIONS
            if readable_cells(getattr(statistics, section))
        },
    )


def _settle_format(statistics: Statistics, text: str, year: int | None) -> tuple[Statistics, str | None]:
    """The generation when the labels did not tell it (formats.settle); tables that hold no value
    read (image-only or missing) are re-laid with the codes of the generation settled on."""
    fmt, basis = formats.settle(statistics.format, text=text, year=year)
    if fmt == statistics.format:
        return statistics, basis
    flags = {
        section: "image_only" if _has_flag(getattr(statistics, section), "image_only") else "missing"
        for section in SECTIONS
        if getattr(statistics, section)
    }
    if any(readable_cells(getattr(statistics, section)) for section in flags):
        return statistics, basis  # values read under other codes are never re-keyed
    settled = null_tables(fmt, flags) if fmt in ("G1", "G2") else Statistics(format=fmt)
    settled.format, settled.table_render = fmt, statistics.table_render
    settled.warnings = list(statistics.warnings)
    return settled, basis


# -- a page and its documents -----------------------------------------------------------------------


def readable_cells(table: dict[str, Any]) -> int:
    """How many cells of one section (sec2 / sec3 / sec4) hold something read from the source."""
    count = 0
    for value in table.values():
        if isinstance(value, Cell):
            count += value.flag not in _UNREAD_FLAGS
        elif isinstance(value, dict):
            count += readable_cells(value)
    return count


def report_with_documents(
    page_report: ExtractedReport, documents: Sequence[tuple[str, DocumentExtraction]]
) -> ExtractedReport:
    """The page's report with each table taken from whichever source has it (pure).

    ``documents``: (document URL, extraction) in page order. Per section the source with the most
    readable cells wins, the page first on a tie, then documents in page order; so a page whose
    tables were read keeps them, and image-only or missing tables get their numbers from an
    attachment or from OCR of the images. ``cell_sources`` records the method and the document URL
    (None = the page) of each table; the checks are re-run on the combined tables.
    """
    page_counts = {section: readable_cells(getattr(page_report, section)) for section in SECTIONS}
    usable = [(url, doc) for url, doc in documents if doc.statistics is not None]
    fmt = _combined_format(page_report, page_counts, usable)
    chosen: dict[str, tuple[str, DocumentExtraction] | None] = {}
    for section in SECTIONS:
        best, best_count = None, page_counts[section] if page_report.format == fmt else 0
        for url, doc in usable:
            stats = doc.statistics
            assert stats is not None
            count = readable_cells(getattr(stats, section))
            if count > best_count and _same_codes(stats.format, fmt, section):
                best, best_count = (url, doc), count
        chosen[section] = best
    if all(choice is None for choice in chosen.values()) and fmt == page_report.format:
        return page_report
    return _combine(page_report, fmt, chosen, usable)


def _combined_format(
    page_report: ExtractedReport, page_counts: dict[str, int], usable: list[tuple[str, DocumentExtraction]]
) -> str:
    """The page's generation when it read any table; else that of the first document that read
    section 二 or 三 (section 四 alone cannot tell G1 from G2); else the page's."""
    if any(page_counts.values()) and page_report.format in ("G1", "G2"):
        return page_report.format
    for sections in (("sec2", "sec3"), ("sec4",)):
        for _, doc in usable:
            stats = doc.statistics
            if (
                stats
                and stats.format in ("G1", "G2")
                and any(readable_cells(getattr(stats, s)) for s in sections)
            ):
                return stats.format
    return page_report.format


def _same_codes(doc_format: str, fmt: str, section: str) -> bool:
    # section 四 has the same codes in G1 and G2
    return doc_format == fmt or (section == "sec4" and doc_format in ("G1", "G2") and fmt in ("G1", "G2"))


def _combine(
    page_report: ExtractedReport,
    fmt: str,
    chosen: dict[str, tuple[str, DocumentExtraction] | None],
    usable: list[tuple[str, DocumentExtraction]],
) -> ExtractedReport:
    combined, sources, warnings = _combined_tables(page_report, fmt, chosen)
    narrative = _combined_narrative(page_report, usable)
    return ExtractedReport(
        agency=page_report.agency,
        agency_as_printed=page_report.agency_as_printed,
        year=page_report.year,
        published=page_report.published,
        format=fmt,
        table_render=combined.table_render,
        sec2=combined.sec2,
        sec3=combined.sec3,
        sec4=combined.sec4,
        narrative=narrative,
        checks=run_checks(combined, narrative, level=page_report.level),
        dated=page_report.dated,
        published_basis=page_report.published_basis,
        format_basis="labels" if fmt != page_report.format else page_report.format_basis,
        title=page_report.title,
        level=page_report.level,
        text=page_report.text,
        attachments=list(page_report.attachments),
        warnings=warnings,
        cell_sources=sources,
    )


def _combined_tables(
    page_report: ExtractedReport, fmt: str, chosen: dict[str, tuple[str, DocumentExtraction] | None]
) -> tuple[Statistics, dict[str, CellSource], list[str]]:
    """Each table from the document chosen for it, else the page's (when the page is of the chosen
    generation), else blank; with where each came from and the documents' warnings about it."""
    page_kept = page_report.format == fmt
    unread_flags = {
        section: "image_only" if _has_flag(getattr(page_report, section), "image_only") else "missing"
        for section in SECTIONS
    }
    blank = null_tables(fmt if fmt in ("G1", "G2") else "G2", unread_flags)
    combined = Statistics(format=fmt, table_render=page_report.table_render)
    sources: dict[str, CellSource] = {}
    warnings = list(page_report.warnings)
    for section in SECTIONS:
        choice = chosen[section]
        if choice is not None:
            url, doc = choice
            assert doc.statistics is not None
            setattr(combined, section, getattr(doc.statistics, section))
            sources[section] = CellSource(doc.method or doc.kind, url)
            warnings.extend(
                f"{url}: {w}" for w in doc.statistics.warnings if w.startswith((section, "format"))
            )
        elif page_kept:
            setattr(combined, section, getattr(page_report, section))
            if section in page_report.cell_sources:
                sources[section] = page_report.cell_sources[section]
        else:
            setattr(combined, section, getattr(blank, section))
    if page_report.table_render in ("none",) and sources:
        first_doc = next((choice for choice in chosen.values() if choice is not None), None)
        if first_doc is not None and first_doc[1].statistics is not None:
            combined.table_render = first_doc[1].statistics.table_render
    return combined, sources, warnings


def _combined_narrative(
    page_report: ExtractedReport, usable: list[tuple[str, DocumentExtraction]]
) -> Narrative:
    """The page's narrative, or the first document's that states the proactive total the page lacks."""
    if page_report.narrative.proactive_total is not None:
        return page_report.narrative
    for _, doc in usable:
        candidate = extract_narrative(doc.text) if doc.text else None
        if candidate is not None and candidate.proactive_total is not None:
            return candidate
    return page_report.narrative


def _has_flag(table: dict[str, Any], flag: str) -> bool:
    for value in table.values():
        if isinstance(value, Cell):
            if value.flag == flag:
                return True
        elif isinstance(value, dict) and _has_flag(value, flag):
            return True
    return False
