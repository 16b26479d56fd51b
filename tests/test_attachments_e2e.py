"""End to end: reports whose numbers live in attachments and table pictures.

The replica (tests/replica/files.py) posts each image-only report's numbers in an attachment — xlsx,
xls, et, docx, doc, wps, pdf, a PDF without ToUnicode maps, upper-case and missing extensions, a
spreadsheet named .pdf — or only in pictures of its tables (two seed reports, read by OCR), and puts
hostile files (truncated PDF, zip-bomb DOCX, a 3,000-page PDF, a 20,000² PNG) on otherwise normal
reports. The crawl (the same one tests/test_e2e_crawl.py reads for seed 0) must get those numbers
from the right document, record every file as a document of its report, and keep going past the
hostile ones. The manifest is only the expected answer.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from crawler.db import open_db
from tests.support.e2e_crawl import Crawl, shared_crawl

pytestmark = pytest.mark.e2e

#: the format the replica built → the reading methods that may honestly claim the values
METHODS = {
    "xlsx": {"xlsx"},
    "xls": {"xls"},
    "et": {"et", "xls"},
    "docx": {"docx"},
    "doc": {"doc"},
    "wps": {"wps", "doc"},
    "pdf": {"pdf-text"},
    "pdf-garbled": {"pdf-text", "pdf-ocr"},
    "ocr": {"ocr"},
}
#: the hostile files and the kind of error each must end with
HOSTILE_ERRORS = {
    "truncated-pdf": ("truncated",),
    "zip-bomb-docx": ("zip-bomb",),
    "huge-pdf": ("too-large",),
    "png-bomb": ("too-large",),
}


@pytest.fixture(scope="module")
def crawl() -> Crawl:
    return shared_crawl(0)


@pytest.fixture(scope="module")
def db(crawl: Crawl) -> Iterator[Any]:
    database = open_db(crawl.data_dir / "xxgk.db")
    yield database
    database.close()


def file_reports(crawl: Crawl) -> list[dict[str, Any]]:
    """Reports whose page shows no numbers: they are only in an attachment or in pictures."""
    return [r for r in crawl.manifest["reports"] if r.get("file_tables")]


def sec3_cells(db: Any, report_id: int) -> dict[tuple[str, str], dict[str, Any]]:
    rows = db.query(
        "SELECT c.[row], c.[column], c.value, c.source, c.document_id, d.url AS document_url, d.role "
        "FROM cells c LEFT JOIN documents d ON d.id = c.document_id WHERE c.report_id = ? AND c.[table] = 'sec3'",
        [report_id],
    )
    return {(row["row"], row["column"]): row for row in rows}


def expected_sec3(report: dict[str, Any]) -> dict[tuple[str, str], Any]:
    return {
        (row, column): value
        for row, columns in report["file_tables"]["sec3"].items()
        for column, value in columns.items()
    }


def test_the_world_posts_numbers_in_every_format(crawl: Crawl) -> None:
    assert {r["numbers_from"] for r in file_reports(crawl)} >= {
        "xlsx", "xls", "et", "docx", "doc", "wps", "pdf", "pdf-garbled", "ocr"
    }  # fmt: skip


def test_reports_with_numbers_only_in_files_get_their_sec3_values(crawl: Crawl, db: Any) -> None:
    wrong: list[tuple[str, str, int]] = []
    exact = total = 0
    for report in file_reports(crawl):
        row = crawl.row_for(report)
        assert row is not None, report["url"]
        found = sec3_cells(db, row["id"])
        misses = 0
        for key, value in expected_sec3(report).items():
            total += 1
            cell = found.get(key)
            if cell is not None and cell["value"] == value:
                exact += 1
            else:
                misses += 1
        if misses:
            wrong.append((report["url"], report["numbers_from"], misses))
    print(f"\nsec3 cells right for reports whose numbers are only in files: {exact}/{total} "
          f"({exact / total:.2%}) over {len(file_reports(crawl))} reports")  # fmt: skip
    assert wrong == []


def test_cells_name_the_document_and_method_that_gave_them(crawl: Crawl, db: Any) -> None:
    wrong = []
    for report in file_reports(crawl):
        row = crawl.row_for(report)
        assert row is not None
        role = "image" if report["numbers_from"] == "ocr" else "attachment"
        documents = {a["url"] for a in report["attachments"] if a["kind"] == role}
        for cell in sec3_cells(db, row["id"]).values():
            if cell["source"] not in METHODS[report["numbers_from"]] or cell["document_url"] not in documents:
                wrong.append((report["url"], report["numbers_from"], cell["source"], cell["document_url"]))
                break
    assert wrong == []


def test_values_read_from_the_page_still_name_the_page(crawl: Crawl, db: Any) -> None:
    report = next(r for r in crawl.manifest["reports"] if r["table_render"] == "html" and r["tables"])
    row = crawl.row_for(report)
    assert row is not None
    cells = sec3_cells(db, row["id"]).values()
    assert {(cell["source"], cell["role"]) for cell in cells} == {("html", "page")}


def test_hostile_files_end_with_a_clear_error_and_their_report_is_kept(crawl: Crawl, db: Any) -> None:
    seen = {}
    for report in crawl.manifest["reports"]:
        for attachment in report["attachments"]:
            if attachment.get("format") not in HOSTILE_ERRORS:
                continue
            row = crawl.row_for(report)
            assert row is not None, report["url"]  # the crawl went on and stored the report
            [document] = db.query(
                "SELECT error, report_id FROM documents WHERE url = ? AND parent_url = ?",
                [attachment["url"], report["url"]],
            )
            seen[attachment["format"]] = document["error"] or ""
            assert document["report_id"] == row["id"]
    assert sorted(seen) == sorted(HOSTILE_ERRORS)
    unclear = {name: error for name, error in seen.items() if not error.startswith(HOSTILE_ERRORS[name])}
    assert unclear == {}


def test_every_linked_file_is_a_document_of_its_report(crawl: Crawl, db: Any) -> None:
    missing = []
    for report in crawl.manifest["reports"]:
        row = crawl.row_for(report)
        if row is None:
            continue
        stored = {
            d["url"]
            for d in db.query(
                "SELECT url FROM documents WHERE report_id = ? AND role IN ('attachment', 'image')", [row["id"]]
            )
        }
        missing += [a["url"] for a in report["attachments"] if a["url"] not in stored]
    assert missing == []


def test_every_fetched_file_keeps_its_archive_record(db: Any) -> None:
    unarchived = db.execute(
        "SELECT count(*) FROM documents WHERE role IN ('attachment', 'image') AND status = 200 AND warc_file IS NULL"
    ).fetchone()[0]
    assert unarchived == 0


def test_the_crawl_counts_files_read_and_failed(crawl: Crawl) -> None:
    stats = crawl.result.stderr  # Scrapy dumps its stats at the end of the log
    assert "'xxgk/attachments/read/xlsx'" in stats and "'xxgk/error/attachment'" in stats
