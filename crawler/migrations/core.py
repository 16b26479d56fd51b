"""Step 1: the five tables of the first release."""

from __future__ import annotations

from sqlite_utils import Database


def m001_core_tables(db: Database) -> None:
    """The five tables of the first release: reports, documents, cells, checks, report_versions."""
    for create in (_reports_table, _documents_table, _cells_table, _checks_table, _versions_table):
        create(db)


def _reports_table(db: Database) -> None:
    db.table("reports").create(
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
    db.table("reports").add_column("agency_key", str)
    db.table("reports").create_index(["agency_key", "year"], unique=True)
    db.table("reports").create_index(["year"])
    db.table("reports").create_index(["agency"])


def _documents_table(db: Database) -> None:
    db.table("documents").create(
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
    db.table("documents").create_index(["url"])
    db.table("documents").create_index(["report_id"])
    db.table("documents").create_index(["sha256"])


def _cells_table(db: Database) -> None:
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


def _checks_table(db: Database) -> None:
    db.table("checks").create(
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
    db.table("checks").create_index(["rule", "status"])


def _versions_table(db: Database) -> None:
    db.table("report_versions").create(
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
    db.table("report_versions").create_index(["report_id"])
