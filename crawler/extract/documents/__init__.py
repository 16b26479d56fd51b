"""Reports that live in attachments and pictures: PDF, Word, WPS, Excel and table images.

Every reader turns its format into the same two things the HTML path already understands: the
document's plain text, and its tables as grids (rowspan/colspan kept) rendered to ``<table>``
markup. ``tables.extract_statistics`` then applies the one section 二/三/四 mapping to all formats.

Pure like the rest of ``crawler/extract``: bytes in, a :class:`DocumentExtraction` out, no network,
no sqlite, no clock. Readers never raise on bad input: a truncated, oversized, encrypted or hostile
file gives ``DocumentExtraction.error`` ("truncated: …", "zip-bomb: …", "too-large: …"), checked at the
format level before anything big is inflated or decoded.

    >>> extraction = read_document(pdf_bytes, filename="附件1.pdf")
    >>> extraction.kind, extraction.method, extraction.statistics.sec3["new_received"]["total"]
"""

from __future__ import annotations

from dataclasses import dataclass

from crawler.extract.documents.sniff import sniff_kind
from crawler.extract.model import Statistics

__all__ = ["KINDS", "DocumentExtraction", "read_document", "sniff_kind"]

#: what ``sniff_kind`` can answer
KINDS = ("pdf", "docx", "doc", "wps", "xlsx", "xls", "et", "image", "html", "text", "unknown")


@dataclass(slots=True)
class DocumentExtraction:
    """What one attachment or image holds.

    ``kind``: the detected file type (one of :data:`KINDS`).
    ``method``: how the values were read (pdf-text, pdf-ocr, docx, doc, wps, xlsx, xls, et, ocr,
    html, text), None when nothing could be read.
    ``text``: the normalised plain text ("" if none).
    ``statistics``: the three tables as read, None when nothing was read.
    ``error``: a one-line reason, prefixed by its kind, when the file is (partly) unreadable.
    """

    kind: str
    method: str | None
    text: str
    statistics: Statistics | None
    error: str | None = None


def read_document(data: bytes, *, filename: str = "", content_type: str = "") -> DocumentExtraction:
    """Any supported document's bytes in, its text and statistics out; never raises on bad input."""
    from crawler.extract.documents.readers import read
    from crawler.extract.documents.sniff import kind_from_name

    kind = sniff_kind(data, filename=filename, content_type=content_type)
    extraction = read(data, kind)
    named = kind_from_name(filename)
    if named not in (None, "html", "text") and kind in ("html", "text", "unknown") and extraction.error is None:
        # a portal's error page served under the attachment's name: say so against the document
        extraction.error = f"unsupported: named as {named} but the bytes are {kind}"
    return extraction
