"""Every derived table of a database as sorted rows, ids left out: what a crawl and a reparse of its
archive must agree on (tests/test_reparse_e2e.py, the re-crawl e2e modules)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from crawler.db import open_db

#: the derived tables, each row keyed by (agency_key, year) instead of the database's own ids
DUMPS = {
    "reports": "SELECT * FROM reports",
    "cells": (
        "SELECT r.agency_key, r.year, c.[table], c.[row], c.[column], c.value, c.raw, c.flag, c.source, "
        "d.url AS document_url, d.role AS document_role "
        "FROM cells c JOIN reports r ON r.id = c.report_id LEFT JOIN documents d ON d.id = c.document_id"
    ),
    # the files of each report page, fetched once, rebuilt from the archive with what reading them gave
    "attachments": (
        "SELECT r.agency_key, r.year, d.url, d.final_url, d.parent_url, d.role, d.status, d.sha256, d.size, "
        "d.fetched_at, d.filename, d.kind, d.method, d.error, d.warc_file, d.warc_offset "
        "FROM documents d LEFT JOIN reports r ON r.id = d.report_id WHERE d.role IN ('attachment', 'image')"
    ),
    "checks": (
        "SELECT r.agency_key, r.year, k.rule, k.status, k.hard, k.delta, k.assumed_zero, k.detail "
        "FROM checks k JOIN reports r ON r.id = k.report_id"
    ),
    "report_versions": (
        "SELECT r.agency_key, r.year, v.version, v.title, v.url, v.published, v.content_hash, v.text, "
        "v.cells, v.first_seen, v.last_seen, v.superseded_by_hash, v.reason "
        "FROM report_versions v JOIN reports r ON r.id = v.report_id"
    ),
}


def dump(db_file: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Sorted rows of every derived table, ids left out."""
    db = open_db(db_file)
    try:
        tables = {}
        for table, sql in DUMPS.items():
            found = [{k: v for k, v in row.items() if k != "id"} for row in db.query(sql)]
            tables[table] = sorted((tuple(row.items()) for row in found), key=repr)
        return tables
    finally:
        db.close()
