"""Steps 11-13 (issue 17): what a re-crawl needs to leave known pages unfetched and which runs did."""

from __future__ import annotations

from sqlite_utils import Database


def m011_documents_list_entries_and_crawl_runs_known_pages(db: Database) -> None:
    """Issue 17: a report page's list entry on its documents row (``list_title``, ``list_date``),
    so a re-crawl leaves known pages listed as before unfetched (crawler/recrawl.py), and what runs
    skipped and re-verified in ``crawl_runs``."""
    db.table("documents").add_column("list_title", str)
    db.table("documents").add_column("list_date", str)
    db.table("crawl_runs").add_column("known_skipped", int)  # known report pages listed as before, not fetched
    db.table("crawl_runs").add_column("reverified", int)  # known pages fetched again on the rolling schedule


def m012_crawl_runs_from_archive(db: Database) -> None:
    """Issue 17: list pages a run took from the archive on the revisit schedule (crawler/revisit.py)."""
    db.table("crawl_runs").add_column("lists_from_archive", int)


def m013_documents_column_url(db: Database) -> None:
    """Issue 17: the column a report page was listed in (``column_url``), so a re-crawl in season
    knows which columns already list every body's expected report (crawler/revisit.py)."""
    db.table("documents").add_column("column_url", str)


def m014_per_site_indexes(db: Database) -> None:
    """Issue 17: every site's start and end reads its own rows (crawler/extensions/crawl_runs.py,
    crawler/recrawl.py, crawler/incremental.py); without these indexes each read scans the whole
    table, so a fleet run of N sites costs O(N²). ``documents(site, role)`` serves the role filters."""
    db.table("reports").create_index(["site"], if_not_exists=True)
    db.table("documents").create_index(["site", "role"], if_not_exists=True)
