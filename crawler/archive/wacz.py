"""One file to hand on: the archive as a WACZ (``xxgk export --format wacz``), written by py-wacz.

The package holds every WARC file of DIR/warc (so every record a revisit refers to travels with it),
the sorted CDXJ index py-wacz builds from them, ``pages/pages.jsonl`` with one entry per report page
of the database (title and capture time, so ReplayWeb.page lists the reports), and
``datapackage.json`` with the SHA-256 of every file. ``wacz validate`` accepts it.
"""

from __future__ import annotations

import contextlib
import io
import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from crawler.archive.cdxj import warc_files
from crawler.db import db_path

PAGES_FORMAT = "json-pages-1.0"
# report pages as archived: the capture the documents row points at, newest title of its report
PAGES_SQL = """
select d.url, d.fetched_at, d.warc_record_id, r.title, r.agency, r.year
from documents d left join reports r on r.id = d.report_id
where d.role = 'page' and d.warc_file is not null and d.fetched_at is not null
order by d.fetched_at, d.id
"""


class WaczError(RuntimeError):
    """py-wacz refused the input or the result did not validate."""


@dataclass(frozen=True, slots=True)
class WaczSummary:
    path: Path
    warc_files: int
    pages: int


def report_pages(db_file: Path) -> Iterator[dict[str, Any]]:
    """pages.jsonl entries (after the header line) for the report pages in ``db_file``."""
    connection = sqlite3.connect(f"file:{db_file}?mode=ro", uri=True)
    connection.row_factory = sqlite3.Row
    try:
        for row in connection.execute(PAGES_SQL):
            title = row["title"] or row["url"]
            yield {
                "id": row["warc_record_id"] or f"{row['fetched_at']} {row['url']}",
                "url": row["url"],
                "ts": row["fetched_at"],
                "title": title,
                **({"agency": row["agency"], "year": row["year"]} if row["agency"] else {}),
            }
    finally:
        connection.close()


def write_pages(out: Path, pages: Iterator[dict[str, Any]], title: str) -> int:
    header = {"format": PAGES_FORMAT, "id": "pages", "title": title, "hasText": False}
    count = 0
    with out.open("w", encoding="utf-8") as handle:
        handle.write(json.dumps(header, ensure_ascii=False) + "\n")
        for page in pages:
            handle.write(json.dumps(page, ensure_ascii=False) + "\n")
            count += 1
    return count


def _run_wacz(args: list[str]) -> str:
    """py-wacz's command line in-process; its chatter is captured and returned for error messages."""
    from wacz.main import main as wacz_main

    chatter = io.StringIO()
    with contextlib.redirect_stdout(chatter):
        status = wacz_main(args)
    if status not in (0, None):
        raise WaczError(" ".join(chatter.getvalue().split()[-30:]))
    return chatter.getvalue()


def write_wacz(data_dir: Path, out: Path, *, title: str = "xxgk archive", scratch: Path | None = None) -> WaczSummary:
    """Package DIR/warc and the report pages of DIR/xxgk.db as ``out``; validate it before returning."""
    warcs = warc_files(data_dir / "warc")
    if not warcs:
        raise WaczError(f"no WARC files in {data_dir / 'warc'}: crawl first")
    database = db_path(data_dir)
    if not database.exists():
        raise WaczError(f"{database} does not exist: run `xxgk reparse` first, pages.jsonl comes from it")
    out.parent.mkdir(parents=True, exist_ok=True)
    pages_file = (scratch or out.parent) / f".{out.name}.pages.jsonl"
    try:
        pages = write_pages(pages_file, report_pages(database), title)
        _run_wacz(["create", "-o", str(out), "--hash-type", "sha256", "--title", title,
                   "--desc", "政府信息公开工作年度报告 archived by xxgk",
                   "-p", str(pages_file), "--copy-pages", *map(str, warcs)])  # fmt: skip
    finally:
        pages_file.unlink(missing_ok=True)
    validate_wacz(out)
    return WaczSummary(out, len(warcs), pages)


def validate_wacz(path: Path) -> None:
    """``wacz validate -f PATH``: raise :class:`WaczError` unless py-wacz accepts the package."""
    said = _run_wacz(["validate", "-f", str(path)])
    if "succeeded" not in said:
        raise WaczError(f"{path}: {' '.join(said.split()[-30:])}")
