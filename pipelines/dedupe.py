"""Stage 3: one report per reporting body and year.

A report reached through an alias or posted in a second column is the *same* report (same
normalised text): it becomes one row that records all its URLs. A report whose text changed is a
new *version*: the newer one is shown in ``reports``, the other kept in ``report_versions``.
The decisions are pure functions below; the pipeline only looks up what the database already holds.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from sqlite_utils import Database

from crawler.bodies import Scope, dedupe_key, item_scope

# Decision is defined with the item that carries it (crawler/items.py); imported from here too
from crawler.items import Decision, ReportPage
from pipelines.database import DatabaseStage

CORRECTION_MARK = re.compile(r"[（(]\s*(更正|修订|修正|修订版|更正版)\s*[)）]")


@dataclass(frozen=True, slots=True)
class Known:
    """What the database holds for a body and year."""

    report_id: int
    content_hash: str
    url: str
    title: str | None
    published: str | None
    last_seen: str | None


@dataclass(frozen=True, slots=True)
class Incoming:
    content_hash: str
    url: str
    title: str | None
    published: str | None
    fetched_at: str
    is_alias: bool = False


def agency_key(agency: str | None, url: str, site: str = "", scope: Scope | None = None) -> str:
    """The dedupe key of a report's body: the body within its county (``scope``, crawler/bodies.py:
    「大水泊镇」 and 「威海市文登区大水泊镇人民政府」 are one body), or the URL when the body could not be
    named (such reports are kept apart rather than merged by guesswork)."""
    return dedupe_key(agency, url, site, scope or Scope())


def content_hash(text: str) -> str:
    """The fingerprint of a report's content: its normalised body text. Page chrome (column names,
    click counters) is outside the body, so a double posting hashes the same. ``str.split()``
    splits on exactly the characters regex ``\\s`` matches (str.isspace), several times faster."""
    return hashlib.sha256("".join(text.split()).encode("utf-8")).hexdigest()


def is_correction(title: str | None) -> bool:
    return bool(title and CORRECTION_MARK.search(title))


def preferred_url(current: str, candidate: str, candidate_is_alias: bool) -> str:
    """The canonical URL of a report: an article URL beats an alias view; otherwise the smaller
    URL, so the choice does not depend on the order in which pages were fetched."""
    if candidate_is_alias:
        return current
    if "xxgkAnnualReport" in current:
        return candidate
    return min(current, candidate)


def is_newer(incoming: Incoming, known: Known) -> bool:
    """Whether differing content supersedes what is known: a correction beats the original, a
    later publication date beats an earlier one, and otherwise the later capture wins."""
    if is_correction(incoming.title) != is_correction(known.title):
        return is_correction(incoming.title)
    if incoming.published and known.published and incoming.published != known.published:
        return incoming.published > known.published
    return incoming.fetched_at >= (known.last_seen or "")


def decide(known: Known | None, incoming: Incoming) -> Decision:
    if known is None:
        return Decision("new", canonical_url=incoming.url, content_hash=incoming.content_hash)
    if known.content_hash == incoming.content_hash:
        canonical = preferred_url(known.url, incoming.url, incoming.is_alias)
        return Decision("same", known.report_id, content_hash=known.content_hash, canonical_url=canonical)
    kind = "newer_version" if is_newer(incoming, known) else "older_version"
    canonical = incoming.url if kind == "newer_version" else known.url
    return Decision(kind, known.report_id, content_hash=incoming.content_hash, canonical_url=canonical)


def lookup_known(db: Database, key: str, year: int | None) -> Known | None:
    rows = db.execute(
        "SELECT id, content_hash, url, title, published, last_seen FROM reports "
        "WHERE agency_key = ? AND year IS ?",
        [key, year],
    ).fetchall()
    return Known(*rows[0]) if rows else None


class DedupePipeline(DatabaseStage):
    def process_item(self, item: object) -> object:
        if not isinstance(item, ReportPage) or item.error or item.extracted is None:
            return item
        assert self.db is not None
        report = item.extracted
        key = agency_key(report.agency, item.final_url, item.site, item_scope(item))
        incoming = Incoming(
            content_hash=content_hash(item.text or ""),
            url=item.final_url,
            title=report.title or item.list_title,
            published=report.published,
            fetched_at=item.fetched_at,
            is_alias=item.role == "alias",
        )
        decision = decide(lookup_known(self.db, key, report.year), incoming)
        item.decision = Decision(
            decision.kind,
            decision.report_id,
            agency_key=key,
            year=report.year,
            content_hash=incoming.content_hash,
            canonical_url=decision.canonical_url,
        )
        self.stats.inc_value(f"xxgk/dedupe/{decision.kind}")
        return item
