"""A database's derived tables per site, compared between two crawls, and the half-written-report check
(tests/test_e2e_faults.py, tests/test_e2e_infrastructure.py)."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any


def query(db: Path, sql: str) -> list[tuple[Any, ...]]:
    connection = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
    try:
        return connection.execute(sql).fetchall()
    finally:
        connection.close()


def derived_tables(db: Path, site: str | None = None) -> dict[str, list[tuple[Any, ...]]]:
    """The derived tables, sorted, reports keyed by (body key, year) instead of ids, without times;
    only one site's with ``site``."""
    key = "(SELECT agency_key || '|' || ifnull(year, '') FROM reports r WHERE r.id = t.report_id)"
    mine = f"site = '{site}'" if site else "1"
    theirs = f"(SELECT site FROM reports r WHERE r.id = t.report_id) = '{site}'" if site else "1"
    return {
        "reports": sorted(query(db, "SELECT agency_key, year, site, agency, agency_as_printed, title, url, urls, "
                                    "published, region, level, format, table_render, sec3_new_received_total, "
                                    f"checks_failed, narrative, warnings, text, content_hash, version FROM reports "
                                    f"WHERE {mine}")),
        "cells": sorted(query(db, f"SELECT {key}, [table], [row], [column], value, raw, flag, source FROM cells t "
                                  f"WHERE {theirs}")),
        "checks": sorted(query(db, f"SELECT {key}, rule, status, hard, delta, assumed_zero, detail FROM checks t "
                                   f"WHERE {theirs}")),
        "report_versions": sorted(query(db, f"SELECT {key}, version, title, url, published, content_hash, text, "
                                            f"cells, reason FROM report_versions t WHERE {theirs}")),
    }


def assert_same_tables(db: Path, clean: Path, site: str | None = None) -> None:
    expected, tables = derived_tables(clean, site), derived_tables(db, site)
    assert sum(map(len, expected.values())) > 0
    for name, rows in expected.items():
        assert len(tables[name]) == len(rows), name
        assert tables[name] == rows, name


def assert_no_half_written_report(db: Path) -> None:
    assert query(db, "PRAGMA integrity_check") == [("ok",)]
    orphans = query(db, "SELECT count(*) FROM reports r WHERE NOT EXISTS "
                        "(SELECT 1 FROM documents d WHERE d.report_id = r.id)")
    unchecked = query(db, "SELECT count(*) FROM reports r WHERE NOT EXISTS "
                          "(SELECT 1 FROM checks c WHERE c.report_id = r.id)")
    assert orphans == [(0,)] and unchecked == [(0,)]
