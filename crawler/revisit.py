"""When an incremental run may take a list page from the archive instead of the server.

A nightly re-crawl of a server that sends no validators pays for fetches that almost never bring
anything new (:mod:`crawler.recrawl` already leaves known report pages alone): list and navigation
pages. They are how new reports are found, but annual reports arrive in a
  season: by law they are due by 31 January (《政府信息公开条例》第五十条), and they are posted from
  January to about April (``XXGK_SEASON_MONTHS``, default ``"1-4"``). Out of season a list page is
  read on its own rolling day once every ``XXGK_LIST_DAYS`` (7), or as soon as its capture is that
  old; on the other nights the spider is handed the archived copy, walks it exactly as before, and
  nothing crosses the wire. A report posted late is then found within ``XXGK_LIST_DAYS``, never lost.
  In season a column still missing a body's expected report (the crawl day's year − 1: one report
  per body per year, due by 31 January) is read every run — that is where the season's reports
  come from, and how lateness is seen early; a *complete* column, which already lists the expected
  year's report of every body it has listed, cannot expect another this season, so its pages keep
  the out-of-season period (:func:`complete_columns`; pages that are no known column: every run).

The files of a report page are never taken from the archive: a page fetched (new, re-listed or
re-verified) fetches its files too, so a replaced file is seen with its page, and the archive holds
each file where its page's run asked for it (``xxgk reparse`` finds a page's files in its own run).

This is a bounded schedule, not a freshness heuristic: every URL is read again within its period
whatever its dates say, the days are spread by a hash of the URL (about 1/N of the URLs a night), and
a period of 1 or less reads everything every run (``xxgk crawl --lists`` for the lists).
Pure functions and one small policy object; the middleware that serves is
:class:`crawler.archive.revalidate.RevalidateMiddleware`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from crawler.db import db_path
from crawler.recrawl import REVERIFY_DAYS, ListedReport, crawl_day, read_listed, slot

LIST_DAYS = 7  # a list page is read at least once a week out of season
SEASON_MONTHS = "1-4"  # January to April: when annual reports are posted
LIST_ROLES = frozenset({"list"})


def season_months(text: str | None) -> frozenset[int]:
    """Months from ``"1-4"``, ``"1-4,12"`` or ``"11-2"`` (wrapping the new year); empty: no season."""
    months: set[int] = set()
    for part in filter(None, re.split(r"[,\s]+", (text or "").strip())):
        first, _, last = part.partition("-")
        start, end = int(first), int(last or first)
        if not (1 <= start <= 12 and 1 <= end <= 12):
            raise ValueError(f"not a month or a range of months: {part!r}")
        span = (end - start) % 12 + 1
        months.update((start - 1 + step) % 12 + 1 for step in range(span))
    return frozenset(months)


def in_season(day: date, months: frozenset[int]) -> bool:
    return day.month in months


def capture_due(url: str, captured: date, today: date, days: int) -> bool:
    """Ask the server today: always for a period ≤ 1; else on the URL's slot day (not again the day it
    was captured) or once the capture is ``days`` old — so at least once per ``days``, ~1/days a night."""
    if days <= 1:
        return True
    age = (today - captured).days
    return age >= days or (age > 0 and slot(url, days) == today.toordinal() % days)


def expected_year(today: date) -> int:
    """The year whose annual reports the season brings: last year's, due by 31 January."""
    return today.year - 1


def complete_columns(rows: Iterable[ListedReport], year: int) -> frozenset[str]:
    """Columns that list ``year``'s report of every body they have listed a report of.

    A body's ``year`` report counts wherever the site lists it (one report per body per year: once
    it is known, no column can bring another of that body), so a body's old column is complete when
    its new report is posted under a renamed one. A report of no known body is a body of its own, so
    a column listing one is complete only if that report is of ``year``. A column with no known
    report is never complete (its listing would bring the first one)."""
    bodies: dict[str, set[str]] = {}
    reported: set[str] = set()
    for row in rows:
        if not row.body:
            continue
        if row.year == year:
            reported.add(row.body)  # also from a row stored before columns were recorded
        if row.column_url:
            bodies.setdefault(row.column_url, set()).add(row.body)
    return frozenset(column for column, listed in bodies.items() if listed <= reported)


@dataclass(frozen=True, slots=True)
class Revisits:
    """The schedule of one run: which list pages it may take from the archive."""

    today: date
    list_days: int = LIST_DAYS
    season: frozenset[int] = frozenset({1, 2, 3, 4})
    #: columns (their first list page's URL) that already list every body's expected report
    complete: frozenset[str] = frozenset()

    def period(self, role: str | None, column_url: str | None = None) -> int | None:
        """Days between two reads of a URL of ``role`` (a list page of ``column_url``) today
        (None: not scheduled, always asked for)."""
        if role in LIST_ROLES:
            if in_season(self.today, self.season) and column_url not in self.complete:
                return 1
            return self.list_days
        return None

    def from_archive(self, role: str | None, url: str, captured: date, column_url: str | None = None) -> bool:
        """Whether a URL whose latest capture (``captured``) is good is served from the archive;
        ``column_url``: the column a list page belongs to (its own URL for a column's first page)."""
        period = self.period(role, column_url or url)
        return period is not None and period > 1 and not capture_due(url, captured, self.today, period)

    def with_complete(self, columns: frozenset[str]) -> Revisits:
        return replace(self, complete=columns)


def revisits(settings: Any, site: str | None = None) -> Revisits | None:
    """The run's schedule; None for ``--full`` (``XXGK_INCREMENTAL=False``): everything is fetched.
    With ``site``, in season, its complete columns from ``XXGK_DATA_DIR``'s database."""
    if not settings.getbool("XXGK_INCREMENTAL", True):
        return None
    reverify = settings.getint("XXGK_REVERIFY_DAYS", REVERIFY_DAYS)
    # a list read less often than report pages are re-verified would hide the pages' list entries
    list_days = min(settings.getint("XXGK_LIST_DAYS", LIST_DAYS), max(reverify, 1))
    season = season_months(settings.get("XXGK_SEASON_MONTHS", SEASON_MONTHS))
    schedule = Revisits(crawl_day(settings), list_days, season)
    data_dir = settings.get("XXGK_DATA_DIR")
    if site is None or not data_dir or not in_season(schedule.today, season) or list_days <= 1:
        return schedule
    path = db_path(data_dir)
    rows = read_listed(path, site) if path.exists() else []
    year = settings.getint("XXGK_SEASON_YEAR", 0) or expected_year(schedule.today)
    return schedule.with_complete(complete_columns(rows, year))
