"""Rows written as plain SQL where the columns are fixed by the migrations (crawler/migrations/)."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from itertools import chain
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


#: rows bound to one multi-row INSERT: executemany steps, resets and re-binds the statement per row,
#: a quarter of inserting a report's ~150 cells; a multi-row VALUES inserts them in the same order
ROWS_PER_STATEMENT = 64


def insert_tuples(conn: sqlite3.Connection, table: str, columns: Sequence[str], rows: Sequence[tuple]) -> None:
    """``rows`` (tuples in ``columns``' order, columns the migrations made) inserted in order: whole
    chunks of ROWS_PER_STATEMENT as one multi-row INSERT each, the rest with executemany (so only
    two statements are ever prepared per table)."""
    names = ", ".join(f"[{column}]" for column in columns)
    one = f"({', '.join('?' * len(columns))})"
    whole = len(rows) - len(rows) % ROWS_PER_STATEMENT
    if whole:
        sql = f"INSERT INTO [{table}] ({names}) VALUES {', '.join([one] * ROWS_PER_STATEMENT)}"
        for start in range(0, whole, ROWS_PER_STATEMENT):
            conn.execute(sql, tuple(chain.from_iterable(rows[start : start + ROWS_PER_STATEMENT])))
    if whole < len(rows):
        conn.executemany(f"INSERT INTO [{table}] ({names}) VALUES {one}", rows[whole:])
