"""Spreadsheets: XLSX (openpyxl) and the BIFF formats XLS and WPS's ET (xlrd).

Each sheet becomes one table: its used range as a grid, merged ranges as row/column spans, numbers
printed the way the cell shows them (2.0 → "2", 12.36 stays). The sheet's text is the grid as
tab-separated lines, so headings typed into cells above a table are found like any other text.
"""

from __future__ import annotations

import io
import zipfile

from crawler.extract.documents import DocumentExtraction
from crawler.extract.documents.errors import DocumentError
from crawler.extract.documents.guards import MAX_CELLS, check_zip
from crawler.extract.documents.tablegrid import SpanTable, grid_to_span_table, statistics_from, table_text
from crawler.extract.normalise import normalise_text


def read_xlsx(data: bytes, kind: str) -> DocumentExtraction:
    from openpyxl import load_workbook

    check_zip(data)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=False, data_only=True)
    except (zipfile.BadZipFile, KeyError) as exc:
        raise DocumentError("truncated", f"not a complete XLSX file ({exc})") from exc
    tables: list[SpanTable] = []
    for sheet in workbook.worksheets:
        rows, cols = sheet.max_row, sheet.max_column
        if rows * cols > MAX_CELLS:
            raise DocumentError("too-large", f"sheet {sheet.title!r} has {rows}×{cols} cells")
        grid = [
            [_printed(value) for value in row]
            for row in sheet.iter_rows(min_row=1, max_row=rows, max_col=cols, values_only=True)
        ]
        merges = [
            (m.min_row - 1, m.min_col - 1, m.max_row - 1, m.max_col - 1) for m in sheet.merged_cells.ranges
        ]
        tables.append(grid_to_span_table(grid, merges))
    return _extraction(kind, "xlsx", tables)


def read_xls(data: bytes, kind: str) -> DocumentExtraction:
    import xlrd
    from xlrd.biffh import XLRDError

    try:
        book = xlrd.open_workbook(file_contents=data, formatting_info=True, on_demand=True)
    except XLRDError as exc:
        raise DocumentError("unsupported", f"not a readable XLS workbook ({exc})") from exc
    except (AssertionError, IndexError, struct_error()) as exc:
        raise DocumentError("truncated", f"damaged XLS workbook ({type(exc).__name__})") from exc
    tables: list[SpanTable] = []
    for index in range(book.nsheets):
        sheet = book.sheet_by_index(index)
        if sheet.nrows * sheet.ncols > MAX_CELLS:
            raise DocumentError("too-large", f"sheet {sheet.name!r} has {sheet.nrows}×{sheet.ncols} cells")
        grid = [[_printed(sheet.cell_value(r, c)) for c in range(sheet.ncols)] for r in range(sheet.nrows)]
        # xlrd merged_cells: (first row, last row + 1, first col, last col + 1)
        merges = [(r0, c0, r1 - 1, c1 - 1) for r0, r1, c0, c1 in sheet.merged_cells]
        tables.append(grid_to_span_table(grid, merges))
    return _extraction(kind, "et" if kind == "et" else "xls", tables)


def struct_error() -> type[Exception]:
    import struct

    return struct.error


def _extraction(kind: str, method: str, tables: list[SpanTable]) -> DocumentExtraction:
    text = normalise_text("\n\n".join(table_text(table) for table in tables))
    return DocumentExtraction(kind, method, text, statistics_from(text, tables))


def _printed(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return " ".join(str(value).split())
