"""Tables of any format → the ``<table>`` markup the HTML path reads.

Each reader lists a table as rows of :class:`SpanCell` (the cells that start in that row, in column
order, with their row and column spans), exactly like ``<tr>``/``<td>`` do. Rendering that to HTML
lets ``grid.expand_grid`` and the one section 二/三/四 mapping in ``tables.py`` serve every format.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

from crawler.extract.model import Statistics
from crawler.extract.tables import extract_statistics


@dataclass(frozen=True, slots=True)
class SpanCell:
    text: str
    rowspan: int = 1
    colspan: int = 1


SpanTable = list[list[SpanCell]]


def table_html(table: SpanTable) -> str:
    rows = []
    for row in table:
        cells = []
        for cell in row:
            spans = (f' rowspan="{cell.rowspan}"' if cell.rowspan > 1 else "") + (
                f' colspan="{cell.colspan}"' if cell.colspan > 1 else ""
            )
            cells.append(f"<td{spans}>{html.escape(cell.text)}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return "<table>" + "".join(rows) + "</table>"


def tables_html(tables: list[SpanTable]) -> str:
    return "<div>" + "\n".join(table_html(table) for table in tables if table) + "</div>"


def table_text(table: SpanTable) -> str:
    """The table as tab-separated lines (for the document's plain text)."""
    return "\n".join("\t".join(cell.text for cell in row) for row in table)


def grid_to_span_table(grid: list[list[str]], merges: list[tuple[int, int, int, int]]) -> SpanTable:
    """A full rectangular grid plus merged ranges (first row, first col, last row, last col, all
    inclusive, 0-based) → span rows. Cells covered by a merge (other than its origin) are dropped."""
    covered: set[tuple[int, int]] = set()
    origin: dict[tuple[int, int], tuple[int, int]] = {}
    for r0, c0, r1, c1 in merges:
        origin[(r0, c0)] = (r1 - r0 + 1, c1 - c0 + 1)
        covered.update((r, c) for r in range(r0, r1 + 1) for c in range(c0, c1 + 1) if (r, c) != (r0, c0))
    table: SpanTable = []
    for r, row in enumerate(grid):
        cells = []
        for c, text in enumerate(row):
            if (r, c) in covered:
                continue
            rowspan, colspan = origin.get((r, c), (1, 1))
            cells.append(SpanCell(text, rowspan, colspan))
        table.append(cells)
    return table


def statistics_from(text: str, tables: list[SpanTable]) -> Statistics:
    """The section 二/三/四 mapping over a document's text and tables (the HTML path's grammar)."""
    body_html = tables_html(tables) if any(tables) else None
    return extract_statistics(text, body_html, generation_hint="G2")
