"""Export the derived tables for researchers: ``xxgk export`` (CSV with a header, or JSON lines).

One file per table: ``reports``, ``cells`` and ``checks``. Cells and checks carry the report's
``agency`` and ``year`` beside ``report_id`` so that each file stands alone in a spreadsheet. CSV
leaves out the long ``reports.text`` column unless asked; JSON lines keep it, and turn the columns
stored as JSON text (``urls``, ``narrative``, ``warnings``) into nested values. A ``datapackage.json``
(crawler/datapackage.py) describes the files; ``bom`` starts CSV files with a UTF-8 byte-order mark,
without which Excel in a Chinese locale reads them as GBK.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TextIO

from sqlite_utils import Database

from crawler.datapackage import descriptor, resource, write_descriptor

FORMATS = ("csv", "jsonl")
JSON_COLUMNS = frozenset({"urls", "narrative", "warnings"})

QUERIES = {
    "reports": "SELECT * FROM reports ORDER BY site, agency_key, year",
    "cells": (
        "SELECT r.agency, r.year, c.* FROM cells c JOIN reports r ON r.id = c.report_id "
        "ORDER BY c.report_id, c.[table], c.[row], c.[column]"
    ),
    "checks": (
        "SELECT r.agency, r.year, k.* FROM checks k JOIN reports r ON r.id = k.report_id "
        "ORDER BY k.report_id, k.rule"
    ),
}


def rows(db: Database, table: str, *, with_text: bool) -> tuple[list[str], Iterator[tuple[Any, ...]]]:
    """The column names and the rows of one exported table."""
    cursor = db.execute(QUERIES[table])
    columns = [description[0] for description in cursor.description]
    if with_text or "text" not in columns or table != "reports":
        return columns, iter(cursor)
    keep = [index for index, name in enumerate(columns) if name != "text"]
    return [columns[index] for index in keep], (tuple(row[index] for index in keep) for row in cursor)


Tick = Callable[[int], None]


def _counted(records: Iterator[tuple[Any, ...]], tick: Tick | None) -> Iterator[tuple[Any, ...]]:
    for record in records:
        yield record
        if tick is not None:
            tick(1)


def write_csv(out: TextIO, columns: list[str], records: Iterator[tuple[Any, ...]]) -> int:
    writer = csv.writer(out)
    writer.writerow(columns)
    count = 0
    for record in records:
        writer.writerow(record)
        count += 1
    return count


def write_jsonl(out: TextIO, columns: list[str], records: Iterator[tuple[Any, ...]]) -> int:
    count = 0
    for record in records:
        row = {name: _json_value(name, value) for name, value in zip(columns, record, strict=True)}
        out.write(json.dumps(row, ensure_ascii=False) + "\n")
        count += 1
    return count


def _json_value(name: str, value: Any) -> Any:
    if name in JSON_COLUMNS and isinstance(value, str):
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value
    return value


def total_rows(db_file: Path) -> int:
    """How many rows an export writes (for a progress bar)."""
    db = Database(db_file)
    try:
        return sum(db.execute(f"select count(*) from ({sql})").fetchone()[0] for sql in QUERIES.values())
    finally:
        db.close()


def export(
    db_file: Path, out_dir: Path, fmt: str = "csv", *, with_text: bool = False, bom: bool = False,
    tick: Tick | None = None,
) -> dict[Path, int]:  # fmt: skip
    """Write reports, cells and checks of ``db_file`` and their datapackage.json into ``out_dir``.

    Returns file → row count; ``tick(n)`` is called as rows are written (progress).
    """
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    if not Path(db_file).is_file():
        raise FileNotFoundError(f"{db_file} does not exist")
    out_dir.mkdir(parents=True, exist_ok=True)
    write = write_csv if fmt == "csv" else write_jsonl
    bom = bom and fmt == "csv"
    db = Database(db_file)  # read only what is there: no migrations, no WAL switch
    written, resources = {}, []
    try:
        for table in QUERIES:
            path = out_dir / f"{table}.{fmt}"
            columns, records = rows(db, table, with_text=with_text or fmt == "jsonl")
            # newline="": the csv module writes its own \r\n and quotes newlines inside values
            with path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as out:
                written[path] = write(out, columns, _counted(records, tick))
            resources.append(resource(db, table, path, columns, fmt=fmt, bom=bom, json_columns=JSON_COLUMNS))
        write_descriptor(out_dir, descriptor(db, resources))
    finally:
        db.close()
    return written
