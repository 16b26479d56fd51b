"""A database's schema and columns in comparable form (tests/test_migrations*.py)."""

from __future__ import annotations

import re

from sqlite_utils import Database


def schema(db: Database) -> list[tuple[str, str, str]]:
    rows = db.execute(
        "SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'"
        " AND tbl_name != '_sqlite_migrations' ORDER BY type, name"
    ).fetchall()
    return [(kind, name, _normalise(sql)) for kind, name, sql in rows]


def columns(db: Database) -> dict[str, object]:
    """Each table's columns and foreign keys as sets: a step applied earlier on a branch adds its
    columns at another position, which is the same schema to every query."""
    return {
        table.name: (
            sorted(tuple(row[1:]) for row in db.execute(f"PRAGMA table_info([{table.name}])")),
            sorted(tuple(row[2:]) for row in db.execute(f"PRAGMA foreign_key_list([{table.name}])")),
        )
        for table in db.tables
        if table.name != "_sqlite_migrations"
    }


def _normalise(sql: str | None) -> str:
    """The statement without layout or identifier quoting, which differ with how a step wrote it."""
    sql = re.sub(r'[\[\]"`]', "", sql or "")
    sql = re.sub(r"\s+", " ", sql).strip()
    return re.sub(r"\s*([(),])\s*", r"\1", sql)
