"""Legacy Word (.doc) and WPS Writer (.wps) files: converted to DOCX by LibreOffice, then read as DOCX.

WPS Writer saves .wps in the Word 97 binary format; LibreOffice reads both and keeps merged table
cells, which text dumpers (antiword, catdoc) flatten. The conversion runs in a subprocess
(``convert.py``, the one module of ``crawler/extract`` that does).
"""

from __future__ import annotations

from crawler.extract.documents import DocumentExtraction
from crawler.extract.documents.convert import convert_document
from crawler.extract.documents.word import read_docx


def read_legacy_word(data: bytes, kind: str) -> DocumentExtraction:
    docx = convert_document(data, source_suffix=kind, target="docx")
    return read_docx(docx, kind, method=kind)
