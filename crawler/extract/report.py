"""Composition of the extraction steps into one structured report."""

from __future__ import annotations

from crawler.extract.checks import run_checks
from crawler.extract.metadata import extract_metadata
from crawler.extract.model import ExtractedReport, Page
from crawler.extract.narrative import extract_narrative
from crawler.extract.normalise import normalise_text
from crawler.extract.page import decode_html, parse_page
from crawler.extract.tables import extract_statistics


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
    """A report page (HTML) or a report's text in, the structured report out.

    ``kind`` is "html" or "text"; when None it is sniffed from the content.
    """
    if kind is None:
        kind = "html" if looks_like_html(source) else "text"
    if kind == "html":
        page = parse_page(source, url=url, encoding=encoding)
        return report_from_page(page, normalise_text(page.body_text), url=url, list_title=list_title)
    # decode_html: an unknown or lying label must not raise or garble (UTF-8, then GB18030)
    text = decode_html(source, encoding) if isinstance(source, bytes) else source
    return report_from_page(None, normalise_text(text), url=url, list_title=list_title)


def report_from_page(
    page: Page | None, text: str, *, url: str | None = None, list_title: str | None = None
) -> ExtractedReport:
    """Apply the report grammar to a parsed page and its normalised text."""
    metadata = extract_metadata(page, text, url=url, list_title=list_title)
    statistics = extract_statistics(text, page.body_html if page else None)
    narrative = extract_narrative(text)
    checks = run_checks(statistics, narrative, level=metadata.level)
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
        title=metadata.title,
        level=metadata.level,
        text=text,
        attachments=list(page.attachments) if page else [],
        warnings=[*metadata.warnings, *statistics.warnings],
    )
