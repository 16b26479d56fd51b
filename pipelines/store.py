"""Stage 4: write SQLite with sqlite-utils — one transaction per item, so a kill never leaves a
half-written report. The store never parses HTML: it writes what the earlier stages decided.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable
from functools import cache, partial
from typing import Any, Self

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from sqlite_utils import Database

from crawler.bodies import item_scope, link_report, upsert_body
from crawler.diskfull import STAT as DISK_FULL_STAT
from crawler.diskfull import is_disk_full, stop_crawl
from crawler.extract.model import ExtractedReport
from crawler.items import FetchedDocument, KnownReport, ReportPage, ReportRows
from crawler.plainsql import insert_tuples
from crawler.search import refresh_search_index
from crawler.similarity import run_similarity
from pipelines.database import DatabaseStage, whole_database_pass
from pipelines.dedupe import Decision, is_correction
from pipelines.report_rows import rows_of

CELL_COLUMNS = ("report_id", "table", "row", "column", "value", "raw", "flag", "source", "document_id")
CHECK_COLUMNS = ("report_id", "rule", "status", "hard", "delta", "assumed_zero", "detail")
#: documents that belong to a report page and were read with it
ATTACHMENT_ROLES = frozenset({"attachment", "image"})


def site_region(item: ReportPage) -> str | None:
    """The region a report's site serves, as the spider put it on the item (from the site's profile):
    山东省威海市文登区; None for a site without one."""
    return item.region + item.county or None


def cell_source(report: ExtractedReport, table: str) -> tuple[str, str | None]:
    """(method, document URL or None for the page) behind a table's values: html, text, xlsx, ocr …"""
    source = getattr(report, "cell_sources", {}).get(table)
    if source is not None:
        return source.method, source.document_url
    return ("html" if report.table_render == "html" else "text"), None


def cell_document_ids(report: ExtractedReport, page_document_id: int, documents: dict[str, int]) -> dict[str, int]:
    """table → the documents row its values were read from: the attachment or image, else the page."""
    ids = {}
    for table in ("sec2", "sec3", "sec4"):
        _, url = cell_source(report, table)
        ids[table] = documents.get(url, page_document_id) if url else page_document_id
    return ids


def extracted_report(item: ReportPage) -> ExtractedReport:
    """The item's report: a page reaches the report rows only with a decision, so extracted."""
    assert item.extracted is not None
    return item.extracted


def report_columns(item: ReportPage, decision: Decision) -> dict[str, Any]:
    report, rows = extracted_report(item), rows_of(item)
    return {
        "site": item.site,
        "agency": report.agency,
        "agency_key": decision.agency_key,
        "agency_as_printed": report.agency_as_printed,
        "year": report.year,
        "title": report.title or item.list_title,
        "url": decision.canonical_url or item.final_url,
        "published": report.published,
        "dated": report.dated,
        "published_basis": report.published_basis,
        "region": site_region(item),
        "level": report.level,
        "format": report.format,
        "format_basis": report.format_basis,
        "proactive_approx": int(report.narrative.proactive_approx),
        "table_render": report.table_render,
        "sec3_new_received_total": rows.new_received_total,
        "checks_failed": rows.checks_failed,
        "narrative": json.dumps(report.narrative.to_json(), ensure_ascii=False),
        "warnings": json.dumps(report.warnings, ensure_ascii=False),
        "text": report.text,
        "content_hash": decision.content_hash,
    }


def insert_row(db: Database, table: str, row: dict[str, Any]) -> int:
    """Insert one row of plain SQL values; its rowid. Plain SQL, not ``db[table].insert``: the
    generic insert (type sniffing, table introspection) was a third of this stage's time, and the
    columns here are fixed by the migrations."""
    rowid = db.conn.execute(insert_sql(table, tuple(row)), tuple(row.values())).lastrowid
    assert rowid is not None
    return rowid


@cache
def insert_sql(table: str, columns: tuple[str, ...]) -> str:
    """The INSERT of ``columns``, made once per table and set of columns (a few: the row kinds)."""
    names, marks = ", ".join(f"[{name}]" for name in columns), ", ".join("?" * len(columns))
    return f"INSERT INTO [{table}] ({names}) VALUES ({marks})"


def merged_urls(existing_json: str | None, *urls: str) -> str:
    found = json.loads(existing_json) if existing_json else []
    for url in urls:
        if url not in found:
            found.append(url)
    return json.dumps(sorted(found))


class StorePipeline(DatabaseStage):
    def close_spider(self) -> None:
        try:
            # out of space, the crawl stops with what is whole: no more writing, the next run refreshes
            if self.db is not None and not self.disk_full:
                # the Chinese search index follows the reports (incremental: only changed rows), after
                # every run, even one that wrote nothing: it also finishes what a run killed during
                # its own refresh left behind. XXGK_SEARCH_PASS off: a seeder's platform probe, whose
                # start pages the crawl that follows stores and indexes anyway
                if self.search_pass:
                    whole_database_pass(self.db, "search", partial(refresh_search_index, map_rows=self.map_rows))
                # templated reports compare every report with the rest: after the last one is stored,
                # and only when this run stored a text (an unchanged nightly re-crawl costs no pass);
                # in a many-site run both wait for the last site (pipelines/database.py)
                if self.texts_stored:
                    whole_database_pass(self.db, "similarity", partial(run_similarity, map_reports=self.map_rows))
        finally:
            super().close_spider()

    @property
    def disk_full(self) -> bool:
        return self.crawler is not None and bool(self.crawler.stats.get_value(DISK_FULL_STAT))

    crawler: Crawler | None = None
    #: how the passes at close map their pure per-report work: ``map`` here, or a reparse's pool
    #: (crawler/reparse/batches.py ``pool_map``), so the one writer only reads and writes rows
    map_rows: Callable[[Callable[[Any], Any], Iterable[Any]], Iterable[Any]] = map
    #: a report text was stored (new, or a version): the templated-report pass has something to compare
    texts_stored = False
    #: ``XXGK_SEARCH_PASS``: refresh the search index at close (off only for a platform probe)
    search_pass = True

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        stage = super().from_crawler(crawler)
        stage.crawler = crawler  # to stop the crawl when the disk is full
        stage.search_pass = crawler.settings.getbool("XXGK_SEARCH_PASS", True)
        return stage

    def process_item(self, item: object) -> object:
        assert self.db is not None
        if self.disk_full:
            # stopping for a full disk: what arrives now may lack a file whose download failed or
            # was cancelled; stored, it would count as committed and --resume would keep it degraded
            raise DropItem("not stored: the crawl is stopping for a full disk (--resume fetches it again)")
        try:
            with self.db.atomic():
                if isinstance(item, ReportPage):
                    self.store_report_page(item)
                elif isinstance(item, FetchedDocument):
                    self.insert_document(item, report_id=None)
                elif isinstance(item, KnownReport):  # not fetched: known and listed as before
                    self.stats.inc_value("xxgk/store/reports/known")
        except sqlite3.Error as error:
            # rolled back whole; out of space the crawl stops, and --resume stores this page again
            if self.crawler is None or not is_disk_full(error):
                raise
            stop_crawl(self.crawler, f"the database ({self.path})", error)
            raise DropItem(f"not stored, the disk is full: {error}") from error
        return item

    # --- documents ------------------------------------------------------------------------

    def insert_document(self, item: ReportPage | FetchedDocument, report_id: int | None) -> int:
        assert self.db is not None
        row = {
            "site": item.site,
            "url": item.url,
            "final_url": item.final_url,
            "sha256": item.sha256,
            "fetched_at": item.fetched_at,
            "status": item.status,
            "content_type": item.content_type,
            "size": len(item.body) if item.body is not None else getattr(item, "size", None),
            "report_id": report_id,
            "role": item.role,
            "parent_url": getattr(item, "parent_url", None),
            "warc_file": item.warc_file,
            "warc_offset": item.warc_offset,
            "warc_record_id": item.warc_record_id,
            "error": item.error,
            "fault": item.fault,
        }
        if isinstance(item, ReportPage):  # its list entry: a re-crawl skips the page while it reads the same
            row |= {"list_title": item.list_title, "list_date": item.list_date, "column_url": item.column_url}
        if isinstance(item, FetchedDocument) and item.role in ATTACHMENT_ROLES:
            row |= {"filename": item.filename, "kind": item.kind, "method": item.method}
        self.stats.inc_value(f"xxgk/store/documents/{item.role}")
        return insert_row(self.db, "documents", row)

    def insert_attachments(self, item: ReportPage, report_id: int | None) -> dict[str, int]:
        """Every file and image of the page, fetched or failed, as a documents row: URL → row id."""
        return {document.url: self.insert_document(document, report_id) for document in item.attachments}

    # --- reports --------------------------------------------------------------------------

    def store_report_page(self, item: ReportPage) -> None:
        decision: Decision | None = item.decision
        if decision is None:  # not extracted (an error upstream): keep the fetched copy
            self.insert_document(item, report_id=None)
            self.insert_attachments(item, report_id=None)
            self.stats.inc_value("xxgk/store/unparsed_pages")
            return
        if decision.kind == "new":
            # the body first, so the row is written whole: an UPDATE of body_id after the INSERT
            # rewrote the row (its text's overflow pages) and moved it in the body_id index
            report_id = self.insert_report(item, decision, self.body_of(item))
        else:
            assert decision.report_id is not None
            report_id = decision.report_id
            if decision.kind == "newer_version":
                self.archive_current_version(report_id, reason=self.version_reason(item))
                self.update_report(report_id, item, decision)
            elif decision.kind == "older_version":
                self.insert_version(report_id, item, reason="superseded")
            self.touch_report(report_id, item, decision)
            self.link_body(report_id, item)  # every name a posting gives the body becomes an alias
        document_id = self.insert_document(item, report_id)
        attachments = self.insert_attachments(item, report_id)
        if decision.kind in ("new", "newer_version"):
            report = extracted_report(item)
            self.replace_cells_and_checks(
                report_id, report, rows_of(item), cell_document_ids(report, document_id, attachments)
            )
        self.texts_stored |= decision.kind in ("new", "newer_version", "older_version")
        self.stats.inc_value(f"xxgk/store/reports/{decision.kind}")

    def link_body(self, report_id: int, item: ReportPage) -> None:
        assert self.db is not None
        report = extracted_report(item)
        link_report(self.db, report_id, item.site, item_scope(item), report.agency, report.agency_as_printed)

    def body_of(self, item: ReportPage) -> int | None:
        """The id of the body the report names (created or its names extended); None when it names
        none — what :func:`link_report` points ``reports.body_id`` at."""
        assert self.db is not None
        report = extracted_report(item)
        if not report.agency:
            return None
        return upsert_body(self.db, item.site, item_scope(item), report.agency, report.agency_as_printed)

    def insert_report(self, item: ReportPage, decision: Decision, body_id: int | None) -> int:
        assert self.db is not None
        row = report_columns(item, decision)
        row |= {
            "urls": json.dumps([item.final_url]),
            "version": 1,
            "first_seen": item.fetched_at,
            "last_seen": item.fetched_at,
            "body_id": body_id,
        }
        return insert_row(self.db, "reports", row)

    def update_report(self, report_id: int, item: ReportPage, decision: Decision) -> None:
        assert self.db is not None
        current = self.db.table("reports").get(report_id)
        row = report_columns(item, decision) | {"version": (current["version"] or 1) + 1}
        self.db.table("reports").update(report_id, row)

    def touch_report(self, report_id: int, item: ReportPage, decision: Decision) -> None:
        """Record the URL and the capture time; keep the canonical URL the decision chose."""
        assert self.db is not None
        current = self.db.table("reports").get(report_id)
        updates: dict[str, Any] = {
            "urls": merged_urls(current["urls"], item.final_url, item.url),
            "last_seen": max(current["last_seen"] or "", item.fetched_at),
        }
        if decision.kind == "same" and decision.canonical_url:
            updates["url"] = decision.canonical_url
            if decision.canonical_url == item.final_url != current["url"] and item.extracted is not None:
                # the row is named by its canonical posting: that posting's title and date too, so
                # a re-post (「（更正）」 with the same text) fetched first does not decide them
                columns = report_columns(item, decision)
                updates |= {key: columns[key] for key in ("title", "published")}
        self.db.table("reports").update(report_id, updates)

    @staticmethod
    def version_reason(item: ReportPage) -> str:
        title = item.extracted.title if item.extracted else item.list_title
        return "correction" if is_correction(title) else "changed"

    def archive_current_version(self, report_id: int, reason: str) -> None:
        """Copy the row about to be replaced, with its cells, into ``report_versions``."""
        assert self.db is not None
        current = self.db.table("reports").get(report_id)
        cells = {
            f"{row['table']}.{row['row']}.{row['column']}": row["value"]
            for row in self.db.table("cells").rows_where("report_id = ?", [report_id])
        }
        self.db.table("report_versions").insert(
            {
                "report_id": report_id,
                "version": current["version"],
                "title": current["title"],
                "url": current["url"],
                "published": current["published"],
                "content_hash": current["content_hash"],
                "text": current["text"],
                "cells": json.dumps(cells, ensure_ascii=False),
                "first_seen": current["first_seen"],
                "last_seen": current["last_seen"],
                "reason": reason,
            }
        )

    def insert_version(self, report_id: int, item: ReportPage, reason: str) -> None:
        """An older version met after the newer one (e.g. the original of a correction)."""
        assert self.db is not None
        report = extracted_report(item)
        assert item.decision is not None
        content_hash = item.decision.content_hash
        exists = self.db.execute(
            "SELECT 1 FROM report_versions WHERE report_id = ? AND content_hash = ?",
            [report_id, content_hash],
        ).fetchone()
        if exists:
            return
        cells = {f"{t}.{r}.{c}": value for t, r, c, value, _raw, _flag in rows_of(item).cells}
        self.db.table("report_versions").insert(
            {
                "report_id": report_id,
                "version": 0,
                "title": report.title or item.list_title,
                "url": item.final_url,
                "published": report.published,
                "content_hash": content_hash,
                "text": report.text,
                "cells": json.dumps(cells, ensure_ascii=False),
                "first_seen": item.fetched_at,
                "last_seen": item.fetched_at,
                "reason": reason,
            }
        )

    def replace_cells_and_checks(self, report_id: int, report: ExtractedReport, rows: ReportRows,
                                 document_ids: dict[str, int]) -> None:  # fmt: skip
        # Plain SQL: ~200 cells a report made sqlite-utils' generic insert_all the costliest step of
        # the crawl (type sniffing per value); the columns here are fixed by the migration.
        assert self.db is not None
        conn = self.db.conn
        conn.execute("DELETE FROM cells WHERE report_id = ?", [report_id])
        conn.execute("DELETE FROM checks WHERE report_id = ?", [report_id])
        sources = {table: cell_source(report, table)[0] for table in document_ids}
        cells = [
            (report_id, table, row, column, value, raw, flag, sources[table], document_ids[table])
            for table, row, column, value, raw, flag in rows.cells
        ]
        insert_tuples(conn, "cells", CELL_COLUMNS, cells)
        insert_tuples(conn, "checks", CHECK_COLUMNS, [(report_id, *check) for check in rows.checks])
