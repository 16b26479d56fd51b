"""The researcher's wide tables (issue 19): one CSV per table generation, one row per report and
one column per cell code (``sec3.new_received.total``), as statistical packages expect.

``cells`` stays the long form; this is the same values pivoted. Columns follow the template's own
order (schema.json) for G1 and G2; reports of another format (``unknown``: a template-era report
whose generation could not be told) get the codes their cells have, template order first. An
empty field is a cell the report does not have or whose value could not be read — never 0.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from crawler.extract.schema import generation

Code = tuple[str, str, str]  # (table, row, column) as in the cells table
REPORT_COLUMNS = ["report_id", "site", "agency", "year", "format", "published", "url"]
GENERATIONS = ("G1", "G2")


def template_codes(gen: str) -> list[Code]:
    """Every cell of a generation's tables, in the template's order."""
    spec = generation(gen)
    codes: list[Code] = []
    for block in spec["sec2"]["blocks"]:
        codes += [("sec2", f"{block['code']}.{r['code']}", c["code"]) for r in block["rows"] for c in block["columns"]]
    sec3_columns = [c["code"] for c in spec["sec3"]["columns"]]
    codes += [("sec3", r["code"], c) for r in spec["sec3"]["rows"] for c in sec3_columns]
    sec4_columns = [c["code"] for c in spec["sec4"]["columns"]]
    codes += [("sec4", g["code"], c) for g in spec["sec4"]["groups"] for c in sec4_columns]
    return codes


def column_name(code: Code) -> str:
    return ".".join(code)


def codes_for(db: Database, fmt: str) -> list[Code]:
    """The template's codes for G1/G2; otherwise the codes present, in G2's order, then the rest."""
    if fmt in GENERATIONS:
        return template_codes(fmt)
    present = {
        tuple(row)
        for row in db.execute(
            "SELECT DISTINCT c.[table], c.[row], c.[column] FROM cells c JOIN reports r ON r.id = c.report_id "
            "WHERE r.format IS ?",
            [fmt],
        )
    }
    order = {code: i for i, code in enumerate(template_codes("G2") + template_codes("G1"))}
    return sorted(present, key=lambda code: (order.get(code, len(order)), code))


def wide_rows(db: Database, fmt: str, codes: list[Code]) -> Iterator[list[Any]]:
    """One row per report of ``fmt`` that has cells: its columns, then its values by code."""
    index = {code: i for i, code in enumerate(codes)}
    sql = (
        "SELECT r.id, r.site, r.agency, r.year, r.format, r.published, r.url, c.[table], c.[row], c.[column], "
        "c.value FROM reports r JOIN cells c ON c.report_id = r.id WHERE r.format IS ? ORDER BY r.id"
    )
    current: list[Any] | None = None
    for *report, table, row, column, value in db.execute(sql, [fmt]):
        if current is None or current[0] != report[0]:
            if current is not None:
                yield current
            current = [*report, *([None] * len(codes))]
        position = index.get((table, row, column))
        if position is not None:
            current[len(REPORT_COLUMNS) + position] = value
    if current is not None:
        yield current


def export_wide(db_file: Path, out_dir: Path, *, bom: bool = False) -> dict[Path, int]:
    """Write ``wide_<format>.csv`` for every format that has cells; return file → row count. ``bom``: a
    UTF-8 byte-order mark first, as `xxgk export --bom` gives the long tables (Excel in a Chinese locale)."""
    db = Database(db_file)  # read only: no migrations
    written = {}
    try:
        formats = [row[0] for row in db.execute(
            "SELECT DISTINCT r.format FROM reports r WHERE EXISTS (SELECT 1 FROM cells c WHERE c.report_id = r.id) "
            "ORDER BY r.format"
        )]  # fmt: skip
        out_dir.mkdir(parents=True, exist_ok=True)
        for fmt in formats:
            codes = codes_for(db, fmt)
            path = out_dir / f"wide_{fmt or 'none'}.csv"
            with path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as out:
                writer = csv.writer(out)
                writer.writerow(REPORT_COLUMNS + [column_name(code) for code in codes])
                count = 0
                for row in wide_rows(db, fmt, codes):
                    writer.writerow(row)
                    count += 1
            written[path] = count
    finally:
        db.close()
    return written
