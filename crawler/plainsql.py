"""Rows written as plain SQL where the columns are fixed by the migrations (crawler/migrations/)."""

from __future__ import annotations

from typing import Any

from sqlite_utils import Database


def insert_rows(db: Database, table: str, rows: list[dict[str, Any]], conflict: str = "") -> None:
    """``rows`` (all with the same keys: columns the migrations made) in one plain executemany;
    sqlite-utils' ``insert_all`` sniffed the type of every value, most of a whole-database pass's
    writing time. ``conflict``: an ``ON CONFLICT`` clause."""
    if not rows:
        return
    columns = list(rows[0])
    names, marks = ", ".join(f"[{column}]" for column in columns), ", ".join("?" * len(columns))
    db.conn.executemany(f"INSERT INTO [{table}] ({names}) VALUES ({marks}) {conflict}",
                        [tuple(row[column] for column in columns) for row in rows])  # fmt: skip
