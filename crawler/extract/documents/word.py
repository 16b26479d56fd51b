"""DOCX (python-docx): paragraphs and tables in document order, merged cells kept as spans.

Word merges cells two ways: ``w:gridSpan`` (a cell covering several grid columns: colspan) and
``w:vMerge`` (a cell that continues the one above: rowspan). Both become the same spans the HTML path
reads, so the section 二/三/四 mapping is shared.
"""

from __future__ import annotations

import io
import zipfile

from lxml.etree import _Element  # python-docx's XML elements are lxml elements

from crawler.extract.documents import DocumentExtraction
from crawler.extract.documents.errors import DocumentError
from crawler.extract.documents.guards import MAX_CELLS, check_zip
from crawler.extract.documents.tablegrid import SpanCell, SpanTable, statistics_from, table_text
from crawler.extract.normalise import normalise_text

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def read_docx(data: bytes, kind: str, *, method: str = "docx") -> DocumentExtraction:
    from docx import Document
    from docx.opc.exceptions import PackageNotFoundError

    check_zip(data)
    try:
        document = Document(io.BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError) as exc:
        raise DocumentError("unsupported", f"not a Word document ({exc})") from exc
    blocks: list[str] = []
    tables: list[SpanTable] = []
    cells = 0
    for element in document.element.body.iterchildren():
        if element.tag == f"{_W}p":
            blocks.append(_paragraph_text(element))
        elif element.tag == f"{_W}tbl":
            table = span_table(element)
            cells += sum(len(row) for row in table)
            if cells > MAX_CELLS:
                raise DocumentError("too-large", f"more than {MAX_CELLS} table cells")
            tables.append(table)
            blocks.append(table_text(table))
    text = normalise_text("\n".join(blocks))
    return DocumentExtraction(kind, method, text, statistics_from(text, tables))


def _paragraph_text(paragraph: _Element) -> str:
    return "".join(node.text or "" for node in paragraph.iter(f"{_W}t"))


def span_table(tbl: _Element) -> SpanTable:
    """A ``w:tbl`` as rows of span cells (origins only), like ``<tr>``/``<td>``."""
    origins: dict[int, list[int]] = {}  # grid column → [row index, index in that row] of the open vMerge
    rows: SpanTable = []
    for r, tr in enumerate(tbl.iterchildren(f"{_W}tr")):
        row: list[SpanCell] = []
        column = _grid_before(tr)
        for tc in tr.iterchildren(f"{_W}tc"):
            properties = tc.find(f"{_W}tcPr")
            colspan = _int_val(properties, "gridSpan", 1)
            merge = properties.find(f"{_W}vMerge") if properties is not None else None
            continues = merge is not None and merge.get(f"{_W}val", "continue") == "continue"
            if continues and column in origins:
                origin_row, origin_index = origins[column]
                origin = rows[origin_row][origin_index]
                rows[origin_row][origin_index] = SpanCell(origin.text, origin.rowspan + 1, origin.colspan)
            else:
                row.append(SpanCell(_cell_text(tc), 1, colspan))
                if merge is not None:
                    origins[column] = [r, len(row) - 1]
                else:
                    origins.pop(column, None)
            column += colspan
        rows.append(row)
    return rows


def _grid_before(tr: _Element) -> int:
    properties = tr.find(f"{_W}trPr")
    return _int_val(properties, "gridBefore", 0)


def _int_val(properties: _Element | None, name: str, default: int) -> int:
    if properties is None:
        return default
    node = properties.find(f"{_W}{name}")
    value = node.get(f"{_W}val") if node is not None else None
    if value is None:
        return default
    try:
        return max(0, min(64, int(value)))
    except ValueError:
        return default


def _cell_text(tc: _Element) -> str:
    paragraphs = [_paragraph_text(p) for p in tc.iter(f"{_W}p")]
    return " ".join(" ".join(p.split()) for p in paragraphs if p.strip())
