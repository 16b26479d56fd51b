"""``xxgk status``: per site and body, is the report on year N present, late or missing?

Reads the ``report_status`` view (migration ``m003_report_status_view`` in crawler/migrations/runs_and_status.py), so the
terminal and Datasette show the same rows. Deadlines (Art. 49 of the regulation, docs/report-format.md):
31 January of N+1 for departments and institutions, 31 March of N+1 for governments and townships.
"Missing" means the body has reports on other years but none on N: a body that never published
anything is not in the database, so it cannot be missed here.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

from crawler.db import db_path, open_db
from crawler.options import data_dir_option, fail

STATUSES = ("present", "late", "missing")
#: what the terminal shows for each status; missing and late first, they are what a reader looks for
ORDER = {"missing": 0, "late": 1, "present": 2}


def status_rows(db: Any, year: int, sites: Sequence[str] = ()) -> list[dict[str, Any]]:
    where = "year = ?"
    params: list[Any] = [year]
    if sites:
        where += f" AND site IN ({', '.join('?' for _ in sites)})"
        params += list(sites)
    rows = list(db.query(f"SELECT * FROM report_status WHERE {where}", params))
    return sorted(rows, key=lambda row: (row["site"], ORDER[row["status"]], row["agency"]))


def latest_year(db: Any) -> int | None:
    return db.execute("SELECT MAX(year) FROM reports").fetchone()[0]


def format_table(rows: Sequence[dict[str, Any]], year: int, *, problems_only: bool = False) -> str:
    """One block per site: a count line, then one line per body (only late and missing ones when
    ``problems_only``; the counts always cover every body)."""
    if not rows:
        return f"no body has a report on any year, so none can be present, late or missing on {year}"
    lines: list[str] = []
    for site in sorted({row["site"] for row in rows}):
        mine = [row for row in rows if row["site"] == site]
        counts = Counter(row["status"] for row in mine)
        lines.append(f"{site} {year}: " + ", ".join(f"{counts[s]} {s}" for s in STATUSES))
        shown = [row for row in mine if not problems_only or row["status"] != "present"]
        width = max((len(row["agency"]) for row in shown), default=0)
        for row in shown:
            published = row["published"] or "-"
            lines.append(
                f"  {row['status']:<8} {row['agency']:\u3000<{width}} {row['level'] or '-':<10} "
                f"published {published[:10]:<10}  deadline {row['deadline']}"
            )
    return "\n".join(lines)


@click.command()
@data_dir_option
@click.option("--year", type=int, default=None, help="Report year to check  [default: the latest in the DB]")
@click.option("--site", "sites", multiple=True, help="Only this site (repeatable).")
@click.option("--problems", is_flag=True, help="Only bodies whose report is late or missing.")
def status(data_dir: Path, year: int | None, sites: tuple[str, ...], problems: bool) -> None:
    """Per site and body: is the report on YEAR present, late (after its deadline) or missing?

    \b
    Example:
        xxgk status --year 2023
        xxgk status --data-dir /srv/xxgk --year 2024 --problems
    The same rows are the report_status view in the database (Datasette shows it).
    """
    path = db_path(data_dir)
    if not path.exists():
        fail(f"{path} does not exist: run `xxgk crawl` first")
    db = open_db(path)  # brings the schema up to date, so the view exists
    try:
        year = year if year is not None else latest_year(db)
        if year is None:
            fail(f"{path} holds no report yet: run `xxgk crawl` first")
        rows = status_rows(db, year, sites)
    finally:
        db.close()
    click.echo(format_table(rows, year, problems_only=problems))
