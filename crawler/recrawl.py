"""Re-crawls without server help: a known report page whose list entry is unchanged is not fetched again.

Only a ``304`` saves a fetch (:mod:`crawler.archive.revalidate`), and many CMS pages carry no ETag
and no Last-Modified: a nightly re-crawl of such a site fetched every report page it listed again.
But a report's list entry — its URL, title and date — is already a validator the site gives for
free: a new report is a new URL, a correction a new title or URL, a re-dated posting a new date.
So on an incremental run a report page whose entry reads as it did when the page was last fetched
(``documents.list_title`` / ``list_date``) is not asked for; the spider yields a
:class:`~crawler.items.KnownReport` instead, which the store counts, so a run that skips everything
still shows that its reports reached the database.

What a list cannot show is a silent edit at the same URL under the same title. For those every
known page is re-verified (fetched: conditionally where the server has validators) at least once
every ``XXGK_REVERIFY_DAYS``, spread evenly over the days: page ``url`` is due on the days whose
number is ``hash(url) mod N`` (about 1/N of the pages a night, each at most once a day), or as soon
as its last fetch is N days old (runs that were skipped are caught up). Due pages a run's lists no
longer show (paging stops at known reports, :mod:`crawler.incremental`) are asked for by URL once
the lists are read. Found changed, they become versions as any fetched page does. The day is the
crawl's start (UTC), or ``XXGK_REVERIFY_DATE``. ``--full`` (``XXGK_INCREMENTAL=False``) fetches all.

List pages are how new reports are found. In the reports' season (January to April: they are due
by 31 January) a column still missing a body's report of last year is read every run (the others,
complete, keep the out-of-season period: ``documents.column_url``, :func:`read_listed`); out of
season each is read within ``XXGK_LIST_DAYS`` on a rolling schedule like the one above, and on the other nights the archive
hands the spider its copy without asking the server (:mod:`crawler.revisit`) — a bound, not
RFC 2616's heuristic freshness, so a report posted late is still found within a week. A page that is
fetched (new, re-listed or re-verified) fetches its files with it.
Read, a list page costs a conditional GET (a few hundred bytes for a 304) where the server has
validators, and otherwise the first list page of each column in full — paging stops there
(crawler/incremental.py). ``xxgk crawl --lists`` reads every list page this run.
"""

from __future__ import annotations

import hashlib
import re
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, NamedTuple

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider

from crawler.db import db_path
from crawler.items import REPORT_ROLES, KnownReport

#: default re-verification period (days): every known report page is fetched again at least this often
REVERIFY_DAYS = 30
SKIPPED_STAT = "xxgk/recrawl/known"  # listed as before and not due: not fetched
REVERIFIED_STAT = "xxgk/recrawl/reverified"  # known, listed as before, but due: fetched to re-verify
RELISTED_STAT = "xxgk/recrawl/relisted"  # known URL whose title or date changed: fetched


@dataclass(frozen=True, slots=True)
class ListEntry:
    """A known report page: its list entry when last fetched, and the day of that fetch."""

    url: str
    title: str | None
    list_date: str | None
    fetched: date
    year: int | None = None
    role: str = "page"


def _text(value: str | None) -> str:
    return re.sub(r"\s+", "", value or "")


def same_entry(entry: ListEntry, title: str | None, list_date: str | None) -> bool:
    """The list shows the page as before: same title (whitespace aside) and same date."""
    return _text(entry.title) == _text(title) and (entry.list_date or None) == (list_date or None)


def slot(url: str, days: int) -> int:
    """The page's day in the cycle: a stable hash of the URL (not Python's salted ``hash``)."""
    digest = hashlib.blake2b(url.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big") % days


def due(entry: ListEntry, today: date, days: int) -> bool:
    """Re-verify today: on the page's slot day (once: not again the day it was fetched), or when
    its last fetch is ``days`` old — so every page at least once per ``days``, ~1/days a night."""
    if days <= 1:
        return entry.fetched < today or days <= 0
    age = (today - entry.fetched).days
    return age >= days or (age > 0 and slot(entry.url, days) == today.toordinal() % days)


def crawl_day(settings: Any, started: datetime | None = None) -> date:
    """The day the schedule counts this crawl as: ``XXGK_REVERIFY_DATE`` or the crawl's start (UTC)."""
    fixed = settings.get("XXGK_REVERIFY_DATE")
    if fixed:
        return date.fromisoformat(str(fixed))
    return (started or datetime.now(UTC)).astimezone(UTC).date()


def fetched_day(fetched_at: str) -> date:
    return datetime.fromisoformat(fetched_at.replace("Z", "+00:00")).astimezone(UTC).date()


def read_entries(path: Path, site: str) -> dict[str, ListEntry]:
    """URL → its entry, from each report page's latest documents row; only pages whose latest fetch
    was good (200, no error) and recorded its list entry are known."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)  # read-only: the stages write
    conn.row_factory = sqlite3.Row
    try:
        columns = {row["name"] for row in conn.execute("PRAGMA table_info(documents)")}
        if "list_title" not in columns:
            return {}
        # a failed fetch is a page's latest too: a page gone (404) after being known is asked for once,
        # then no longer known, so it is not asked for by URL every night (only if a list shows it again)
        roles = (*REPORT_ROLES, "error", "challenge")
        marks = ", ".join("?" for _ in roles)
        rows = conn.execute(
            "SELECT d.url, d.list_title, d.list_date, d.fetched_at, d.status, d.error, d.role, r.year "
            f"FROM documents d LEFT JOIN reports r ON r.id = d.report_id "
            f"WHERE d.site = ? AND d.role IN ({marks}) ORDER BY d.id",
            [site, *roles],
        )
        return dict(_known(rows))
    finally:
        conn.close()


class ListedReport(NamedTuple):
    """A report page as its latest documents row shows it: the column it was listed in, its report's
    body (``reports.body_id``, else ``agency_key``: the URL when the body cannot be named) and year."""

    column_url: str | None
    body: str | None
    year: int | None


def read_listed(path: Path, site: str) -> list[ListedReport]:
    """Each report page's latest good documents row with its report's body and year (read-only),
    for :func:`crawler.revisit.complete_columns`; none before ``documents.column_url`` exists."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    try:
        columns = {row["name"] for row in conn.execute("PRAGMA table_info(documents)")}
        if "column_url" not in columns:
            return []
        rows = conn.execute(
            "SELECT d.url, d.column_url, d.status, d.error, r.body_id, r.agency_key, r.year "
            "FROM documents d LEFT JOIN reports r ON r.id = d.report_id "
            "WHERE d.site = ? AND d.role = 'page' ORDER BY d.id",
            [site],
        )
        latest = {row["url"]: row for row in rows}  # in id order: the last row is the latest fetch
        return [ListedReport(row["column_url"], _body(row), row["year"]) for row in latest.values()
                if row["status"] == 200 and not row["error"]]
    finally:
        conn.close()


def _body(row: sqlite3.Row) -> str | None:
    if row["body_id"] is not None:
        return f"body:{row['body_id']}"
    return f"key:{row['agency_key']}" if row["agency_key"] else None


def _known(rows: Any) -> Iterator[tuple[str, ListEntry]]:
    latest: dict[str, sqlite3.Row] = {}
    for row in rows:
        latest[row["url"]] = row  # in id order: the last row is the latest fetch
    for url, row in latest.items():
        if row["status"] == 200 and not row["error"] and row["list_title"] is not None and row["fetched_at"]:
            yield url, ListEntry(url, row["list_title"], row["list_date"], fetched_day(row["fetched_at"]),
                                 row["year"], row["role"])


@dataclass
class KnownPages:
    """What a run knows of a site's report pages, and what it decided for each URL it met."""

    entries: dict[str, ListEntry] = field(default_factory=dict)
    today: date = field(default_factory=lambda: datetime.now(UTC).date())
    days: int = REVERIFY_DAYS
    #: counts a stat (the spider's ``inc_stat``: the crawler's stats exist only once the crawl starts)
    count: Callable[[str], Any] | None = None
    #: URL → True (skipped as known) / False (asked for) — the first decision holds for the run
    decided: dict[str, bool] = field(default_factory=dict)
    #: skipped URLs already yielded as a KnownReport (a second column listing one yields nothing)
    itemised: set[str] = field(default_factory=set)
    idle_done: bool = False

    def skips(self, url: str, title: str | None, list_date: str | None) -> bool:
        """Whether a report link is left unfetched: known, listed as before, and not due."""
        entry = self.entries.get(url)
        if entry is None:
            return False  # a new page (nothing recorded: a spider without a database shares no state)
        if url in self.decided:
            return self.decided[url]
        skip = False
        if not same_entry(entry, title, list_date):
            self._count(RELISTED_STAT)
        elif due(entry, self.today, self.days):
            self._count(REVERIFIED_STAT)
        else:
            skip = True
            self._count(SKIPPED_STAT)
        self.decided[url] = skip
        return skip

    def known_item(self, site: str, url: str, title: str | None, list_date: str | None,
                   column: str | None, column_url: str | None) -> KnownReport | None:
        """The item standing for a skipped page (None when the URL was met before in this run)."""
        if url in self.itemised:
            return None
        self.itemised.add(url)
        return KnownReport(site=site, url=url, list_title=title, list_date=list_date, column=column,
                           column_url=column_url)

    def unlisted_due(self, year: int | None = None) -> list[ListEntry]:
        """Known pages due today that no list of this run showed (in a stable order)."""
        return sorted(
            (entry for url, entry in self.entries.items()
             if url not in self.decided and entry.role == "page" and (year is None or entry.year == year)
             and due(entry, self.today, self.days)),
            key=lambda entry: entry.url,
        )

    def on_idle(self, spider: Any) -> None:
        """Once the lists are read: ask for the due pages no list showed (``spider_idle``)."""
        if self.idle_done or getattr(spider, "close_reason", None):
            return  # a failing crawl ends as it is
        self.idle_done = True
        listed = [spider.report_request(entry.url, entry.title, entry.list_date, None, None)
                  for entry in self.unlisted_due(getattr(spider, "year", None))]
        requests = [request for request in listed if isinstance(request, Request)]
        for request in requests:
            spider.crawler.engine.crawl(request)
        if requests:
            raise DontCloseSpider

    def _count(self, key: str) -> None:
        if self.count is not None:
            self.count(key)


def attach(crawler: Crawler, spider: Any) -> KnownPages:
    """The spider's known pages, re-verifying the unlisted due ones when the spider goes idle."""
    known = load_known_pages(crawler.settings, spider.profile.name, spider.inc_stat)
    if known.entries:
        crawler.signals.connect(known.on_idle, signal=signals.spider_idle)  # after the spider's own
    return known


def load_known_pages(settings: Any, site: str, count: Callable[[str], Any] | None = None) -> KnownPages:
    """The known pages of ``site`` in ``XXGK_DATA_DIR``'s database; none for ``--full`` or a first crawl."""
    days = settings.getint("XXGK_REVERIFY_DAYS", REVERIFY_DAYS)
    today = crawl_day(settings)
    if not settings.getbool("XXGK_INCREMENTAL", True) or not settings.get("XXGK_DATA_DIR"):
        return KnownPages(today=today, days=days, count=count)
    path = db_path(settings.get("XXGK_DATA_DIR"))
    entries = read_entries(path, site) if path.exists() else {}
    return KnownPages(entries, today, days, count)
