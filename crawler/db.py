"""The database contract (DIR/xxgk.db), created and evolved through sqlite-utils migrations.

Tables (architecture.md): ``reports`` (one row per reporting body and year), ``documents`` (every
fetched copy), ``cells`` (long format), ``checks``, ``report_versions``. Every schema change is a new
function below; ``open_db`` applies what is pending.
"""

from __future__ import annotations

from pathlib import Path

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

DB_NAME = "xxgk.db"
migrations = Migrations("xxgk")


def db_path(data_dir: str | Path) -> Path:
    return Path(data_dir) / DB_NAME


def open_db(path: str | Path, *, migrate: bool = True) -> Database:
    """Open (creating if needed) the database and bring its schema up to date."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    db = Database(path)
    # WAL: readers (Datasette, `xxgk status`) never block the single writer, and a kill mid-write
    # leaves the last committed transaction intact.
    db.enable_wal()
    db.execute("PRAGMA synchronous = NORMAL")
    db.execute("PRAGMA busy_timeout = 10000")
    if migrate:
        migrations.apply(db)
    return db


@migrations()
def m001_core_tables(db: Database) -> None:
    db["reports"].create(
        {
            "id": int,
            "site": str,
            "agency": str,
            "agency_as_printed": str,
            "year": int,
            "title": str,
            "url": str,
            "urls": str,  # JSON list: every URL this report was found at (aliases, second columns)
            "published": str,
            "region": str,
            "level": str,
            "format": str,
            "table_render": str,
            "sec3_new_received_total": int,
            "checks_failed": int,
            "narrative": str,  # JSON
            "warnings": str,  # JSON list
            "text": str,
            "content_hash": str,
            "version": int,
            "first_seen": str,
            "last_seen": str,
        },
        pk="id",
        not_null={"site", "url"},
    )
    # One row per body and year. Reports whose body cannot be named are keyed by URL instead (the
    # store stage puts the URL into `agency_key`), so they are kept, never merged by accident.
    db["reports"].add_column("agency_key", str)
    db["reports"].create_index(["agency_key", "year"], unique=True)
    db["reports"].create_index(["year"])
    db["reports"].create_index(["agency"])

    db["documents"].create(
        {
            "id": int,
            "site": str,
            "url": str,
            "final_url": str,
            "sha256": str,
            "fetched_at": str,
            "status": int,
            "content_type": str,
            "size": int,
            "report_id": int,
            "role": str,
            "parent_url": str,
            "warc_file": str,
            "warc_offset": int,
            "warc_record_id": str,
            "error": str,
        },
        pk="id",
        foreign_keys=[("report_id", "reports", "id")],
    )
    db["documents"].create_index(["url"])
    db["documents"].create_index(["report_id"])
    db["documents"].create_index(["sha256"])

    # Raw SQL because `value` needs NUMERIC affinity: counts stay INTEGER and 万元 amounts REAL
    # (sqlite-utils' float would be REAL affinity, which turns every count into 3.0).
    db.execute(
        """
        CREATE TABLE cells (
            report_id INTEGER REFERENCES reports(id),
            [table] TEXT,
            [row] TEXT,
            [column] TEXT,
            value NUMERIC,
            raw TEXT,
            flag TEXT,
            source TEXT,
            document_id INTEGER REFERENCES documents(id),
            PRIMARY KEY (report_id, [table], [row], [column])
        )
        """
    )

    db["checks"].create(
        {
            "report_id": int,
            "rule": str,
            "status": str,
            "hard": int,
            "delta": float,  # the signed difference of the first failing scope
            "assumed_zero": int,
            "detail": str,
        },
        pk=("report_id", "rule"),
        foreign_keys=[("report_id", "reports", "id")],
    )
    db["checks"].create_index(["rule", "status"])

    db["report_versions"].create(
        {
            "id": int,
            "report_id": int,
            "version": int,
            "title": str,
            "url": str,
            "published": str,
            "content_hash": str,
            "text": str,
            "cells": str,  # JSON: {"sec3.new_received.total": value, …}
            "first_seen": str,
            "last_seen": str,
            "superseded_by_hash": str,
            "reason": str,  # changed / correction
        },
        pk="id",
        foreign_keys=[("report_id", "reports", "id")],
    )
    db["report_versions"].create_index(["report_id"])


@migrations()
def m005_document_reading(db: Database) -> None:
    """Issue 5: attachments and table images are read with their report. ``filename`` is the name the
    file gave itself (Content-Disposition, URL or link text), ``kind`` the detected file type (pdf,
    docx, xls, image …), ``method`` how its values were read (pdf-text, xlsx, ocr …; NULL when it was
    not read or nothing could be). Failures keep their reason in ``error``."""
    for column in ("filename", "kind", "method"):
        if column not in db["documents"].columns_dict:
            db["documents"].add_column(column, str)
    db["documents"].create_index(["parent_url"], if_not_exists=True)
