"""PDF: the text layer and ruled tables, with fallbacks for garbled text and scans.

1. pdfium (pypdfium2) reads the text; each page is rendered small and its ruled tables are found
   from the rules (``images.find_tables``: merged cells are the regions a missing rule joins), then
   each cell's text is read from the text layer inside the cell's rectangle. Fast, and a number
   always lands in the cell it is printed in.
2. When pdfium's text is garbled — fonts without a ToUnicode map give control characters, ``(cid:…)``
   or private-use glyphs — pdfminer (pdfplumber) reads the text layer instead; it decodes some
   encodings pdfium does not.
3. When both are garbled (or the PDF is a scan with no text), the rendered pages are OCRed
   (``images.ocr_page``), up to ``MAX_OCR_PAGES``.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from math import sqrt
from typing import TYPE_CHECKING

from crawler.extract.documents import DocumentExtraction
from crawler.extract.documents.errors import DocumentError
from crawler.extract.documents.guards import MAX_IMAGE_PIXELS, MAX_OCR_PAGES, MAX_PDF_PAGES
from crawler.extract.documents.images import _join_lines, find_tables, ocr_page, span_table
from crawler.extract.documents.tablegrid import SpanTable, statistics_from
from crawler.extract.normalise import normalise_text

if TYPE_CHECKING:  # pypdfium2 is imported where a PDF is read (it ships no type hints: Any to mypy)
    import numpy as np
    from pypdfium2 import PdfDocument, PdfPage

#: render scale for finding table rules (1 pt → 2 px: rules stay ≥ 1 px, cells ≥ 20 px)
RULE_SCALE = 2.0
#: render scale for OCR (8 pt text → 25 px, what the recogniser reads best)
OCR_SCALE = 3.0
_CID = re.compile(r"\(cid:\d+\)")
_CJK = re.compile(r"[\u4e00-\u9fff]")


def read_pdf(data: bytes, kind: str) -> DocumentExtraction:
    import pypdfium2 as pdfium

    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        raise _open_error(exc, data) from exc
    try:
        pages = len(document)
        if pages > MAX_PDF_PAGES:
            raise DocumentError("too-large", f"{pages} pages (limit {MAX_PDF_PAGES})")
        if pages == 0:
            raise DocumentError("truncated", "the PDF has no readable pages")
        return _read_pages(document, data, kind)
    finally:
        document.close()


def _open_error(exc: Exception, data: bytes) -> DocumentError:
    message = str(exc)
    if "password" in message.lower():
        return DocumentError("encrypted", "the PDF needs a password")
    if b"%%EOF" not in data[-2048:]:
        return DocumentError("truncated", f"the PDF ends early ({message})")
    return DocumentError("unreadable", f"pdfium cannot open it ({message})")


def _read_pages(document: PdfDocument, data: bytes, kind: str) -> DocumentExtraction:
    texts = [_page_text(page) for page in document]
    if not is_garbled("\n".join(texts)):
        return _with_tables(document, texts, kind, _pdfium_cell_reader)
    plumber_texts = _pdfminer_texts(data)
    if plumber_texts is not None and not is_garbled("\n".join(plumber_texts)):
        return _with_tables(document, plumber_texts, kind, _pdfminer_cell_reader(data))
    return _ocr_pages(document, kind)


def is_garbled(text: str) -> bool:
    """Text a reader cannot use: (cid:…) codes, control or private-use characters, or no Chinese.

    An annual report is Chinese; a text layer with no CJK character at all is glyph codes printed as
    Latin-1 (fonts without a ToUnicode map) or a scan with no text.
    """
    visible = [ch for ch in _CID.sub("\x00", text) if not ch.isspace()]
    if len(visible) < 20:
        return True
    bad = sum(1 for ch in visible if ord(ch) < 32 or 0xE000 <= ord(ch) <= 0xF8FF or ch == "\ufffd")
    if bad > 0.05 * len(visible):
        return True
    return len(_CJK.findall(text)) < 0.1 * len(visible)


# -- text layer ---------------------------------------------------------------------------------------


def _page_text(page: PdfPage) -> str:
    textpage = page.get_textpage()
    try:
        text: str = textpage.get_text_range()
        return text.replace("\r\n", "\n").replace("\r", "\n")
    finally:
        textpage.close()


def _pdfminer_texts(data: bytes) -> list[str] | None:
    import pdfplumber

    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            return [page.extract_text() or "" for page in pdf.pages[:MAX_PDF_PAGES]]
    except Exception:  # pdfminer's own errors on a damaged file: this engine just gives nothing
        return None


CellReader = Callable[["PdfPage", int, list[tuple[float, float, float, float]]], list[str]]


def _pdfium_cell_reader(page: PdfPage, _index: int, boxes: list[tuple[float, float, float, float]]) -> list[str]:
    """Text inside each box (PDF points: left, bottom, right, top) from pdfium's text layer."""
    textpage = page.get_textpage()
    try:
        return [_clean_cell(textpage.get_text_bounded(*box)) for box in boxes]
    finally:
        textpage.close()


def _pdfminer_cell_reader(data: bytes) -> CellReader:
    def read(page: PdfPage, index: int, boxes: list[tuple[float, float, float, float]]) -> list[str]:
        import pdfplumber

        height = page.get_size()[1]
        with pdfplumber.open(io.BytesIO(data), pages=[index + 1]) as pdf:
            plumber_page = pdf.pages[0]
            return [
                _clean_cell(
                    plumber_page.within_bbox((left, height - top, right, height - bottom)).extract_text() or ""
                )
                for left, bottom, right, top in boxes
            ]

    return read


def _clean_cell(text: str) -> str:
    lines = [" ".join(line.split()) for line in text.replace("\r", "\n").split("\n")]
    return _join_lines([line for line in lines if line])


def _with_tables(document: PdfDocument, texts: list[str], kind: str, read_cells: CellReader) -> DocumentExtraction:
    tables: list[SpanTable] = []
    for index, page in enumerate(document):
        tables.extend(_page_tables(page, index, read_cells))
    text = normalise_text("\n".join(texts))
    return DocumentExtraction(kind, "pdf-text", text, statistics_from(text, tables))


def _page_tables(page: PdfPage, index: int, read_cells: CellReader) -> list[SpanTable]:
    width, height = page.get_size()
    scale = _scale(width, height, RULE_SCALE)
    gray = _render(page, scale)
    tables = []
    for table in find_tables(gray):
        boxes = [
            (left / scale, height - bottom / scale, right / scale, height - top / scale)
            for left, top, right, bottom in (cell.box for cell in table.cells)
        ]
        tables.append(span_table(table, read_cells(page, index, boxes)))
    return tables


# -- OCR ----------------------------------------------------------------------------------------------


def _ocr_pages(document: PdfDocument, kind: str) -> DocumentExtraction:
    texts: list[str] = []
    tables: list[SpanTable] = []
    pages = len(document)
    for index in range(min(pages, MAX_OCR_PAGES)):
        page = document[index]
        width, height = page.get_size()
        result = ocr_page(_render(page, _scale(width, height, OCR_SCALE)))
        texts.append(result.text)
        tables.extend(result.tables)
    text = normalise_text("\n".join(texts))
    error = None
    if pages > MAX_OCR_PAGES:
        error = f"too-large: text layer unreadable and only the first {MAX_OCR_PAGES} of {pages} pages were OCRed"
    extraction = DocumentExtraction(kind, "pdf-ocr", text, statistics_from(text, tables), error)
    if not text.strip():
        extraction.error = "unreadable: no text layer and nothing recognised on the pages"
    return extraction


def _scale(width: float, height: float, wanted: float) -> float:
    """``wanted``, reduced so that the rendered page stays within ``MAX_IMAGE_PIXELS``."""
    limit = sqrt(MAX_IMAGE_PIXELS / max(1.0, width * height))
    return min(wanted, limit)


def _render(page: PdfPage, scale: float) -> np.ndarray:
    import numpy as np

    bitmap = page.render(scale=scale, grayscale=True)
    try:
        array = bitmap.to_numpy()
        return np.ascontiguousarray(array[:, :, 0] if array.ndim == 3 else array)
    finally:
        bitmap.close()


