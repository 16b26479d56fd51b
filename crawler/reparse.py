"""Rebuild the database from the WARC archive alone: ``xxgk reparse``.

The archive is the source of truth. Every response record carries what the spider knew about its
request (``XXGK-Context``: site, role, listing title and date, column, parent), so the items the
spider yielded can be rebuilt without the network: a :class:`ReportPage` for each response whose
role is ``page``/``alias``, a :class:`FetchedDocument` for the rest. They go, in capture order,
through the *same* stage code as the crawl (normalise → extract → dedupe → store) into a fresh DB.

Which responses reached the spider is decided as Scrapy's downloader middlewares decide it: a 3xx
with a Location, or an HTML meta refresh, was followed rather than delivered; a retryable status
answered by a later attempt (``XXGK-Retry-Times`` one higher) was retried. Responses without a
context (robots.txt, requests the spider did not annotate) never became items.
"""

from __future__ import annotations

import asyncio
import inspect
import os
import re
import sqlite3
import tempfile
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scrapy.http import Headers, HtmlResponse, Response
from scrapy.responsetypes import responsetypes
from scrapy.settings import BaseSettings, Settings
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.response import get_meta_refresh

from crawler import settings as crawl_settings
from crawler.archive.audit import ArchiveProblems
from crawler.archive.reader import ArchivedResponse, iter_responses, replay_not_modified
from crawler.db import db_path
from crawler.faults import challenge_kind
from crawler.items import FetchedDocument, ReportPage
from crawler.platforms.attachments import (
    AttachmentFetches,
    AttachmentLink,
    attachment_links,
    download_name,
    header_text,
)
from crawler.sites.catalog import load_profile, site_fields_by_name

REPORT_ROLES = frozenset({"page", "alias"})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
CHALLENGE_STATUSES = frozenset({412, 521, 512})  # as the spider's on_error (crawler.platforms.base)
#: the bodies FetchedDocument keeps (extraction reads them); list pages keep none, as in the crawl
BODY_ROLES = frozenset({"attachment", "image"})
SWAP_TIMEOUT = 10.0  # seconds to wait for another connection's transaction before giving up

Item = ReportPage | FetchedDocument


class ReparseStats(Counter[str]):
    """The part of Scrapy's StatsCollector the pipelines use."""

    def inc_value(self, key: str, count: int = 1, start: int = 0) -> None:
        self[key] += count

    def get_value(self, key: str, default: Any = None) -> Any:
        return self.get(key, default)

    def set_value(self, key: str, value: Any) -> None:
        self[key] = value

    def get_stats(self) -> dict[str, Any]:
        return dict(self)


@dataclass(slots=True)
class ReparseSummary:
    responses: int = 0  # response and revisit records read
    report_pages: int = 0  # ReportPage items rebuilt
    documents: int = 0  # FetchedDocument items rebuilt
    attachments: int = 0  # files and images of report pages read from the archive (each record once)
    skipped: int = 0  # records the spider never saw as items (redirects, retried attempts, robots.txt)
    reports: int = 0  # rows in ``reports`` afterwards
    versions: int = 0  # rows in ``report_versions`` afterwards
    seconds: float = 0.0
    stats: dict[str, Any] = field(default_factory=dict)
    #: what was wrong with the archive and skipped (crawler/archive/audit.py), one line each
    problems: list[str] = field(default_factory=list)

    @property
    def reports_per_second(self) -> float:
        return self.report_pages / self.seconds if self.seconds else 0.0


# --- which records were delivered to the spider --------------------------------------------------


def scrapy_response(archived: ArchivedResponse) -> Response:
    """The response as the spider got it: decoded body, no Content-Encoding, Scrapy's class."""
    headers = Headers()
    for name, value in archived.headers:
        if name.lower() == "content-encoding" and archived.decode_error is None:
            continue  # HttpCompressionMiddleware removes it once it has decoded the body
        headers.appendlist(name, value)
    cls = responsetypes.from_args(headers=headers, url=archived.url, body=archived.body)
    return cls(archived.url, status=archived.status, headers=headers, body=archived.body)


@dataclass(frozen=True, slots=True)
class DeliveryRules:
    """The crawl's redirect and retry settings (Scrapy's defaults under the project's own)."""

    redirect: bool
    meta_refresh: bool
    meta_refresh_ignore_tags: tuple[str, ...]
    meta_refresh_maxdelay: float
    retry_statuses: frozenset[int]
    retry_times: int

    @classmethod
    def from_settings(cls, settings: BaseSettings | None = None) -> DeliveryRules:
        if settings is None:
            settings = Settings()
            settings.setmodule(crawl_settings, priority="project")
        return cls(
            redirect=settings.getbool("REDIRECT_ENABLED"),
            meta_refresh=settings.getbool("METAREFRESH_ENABLED"),
            meta_refresh_ignore_tags=tuple(settings.getlist("METAREFRESH_IGNORE_TAGS")),
            meta_refresh_maxdelay=settings.getfloat("METAREFRESH_MAXDELAY"),
            retry_statuses=frozenset(int(code) for code in settings.getlist("RETRY_HTTP_CODES"))
            if settings.getbool("RETRY_ENABLED")
            else frozenset(),
            retry_times=settings.getint("RETRY_TIMES"),
        )

    def was_redirected(self, archived: ArchivedResponse, response: Response) -> bool:
        if self.redirect and archived.status in REDIRECT_STATUSES and archived.header("Location"):
            return True
        if self.meta_refresh and isinstance(response, HtmlResponse) and archived.method != "HEAD":
            interval, url = get_meta_refresh(response, ignore_tags=self.meta_refresh_ignore_tags)
            return bool(url) and interval is not None and interval < self.meta_refresh_maxdelay
        return False

    def may_be_retried(self, archived: ArchivedResponse) -> bool:
        return archived.status in self.retry_statuses and archived.retry_times < self.retry_times


def request_key(archived: ArchivedResponse) -> tuple[str, str, bytes]:
    return archived.method, archived.url, archived.request_body or b""


def delivered(
    records: Iterable[ArchivedResponse], rules: DeliveryRules | None = None
) -> Iterator[tuple[ArchivedResponse, Response]]:
    """The annotated records the spider's callbacks or errbacks received, in capture order.

    A retryable failure is held back until the archive shows whether a retry followed it.
    """
    rules = rules or DeliveryRules.from_settings()
    held: dict[tuple[str, str, bytes], tuple[ArchivedResponse, Response]] = {}
    for archived in records:
        if not archived.context:
            continue
        key = request_key(archived)
        pending = held.pop(key, None)
        if pending is not None and archived.retry_times != pending[0].retry_times + 1:
            yield pending  # not a retry of it: the earlier answer was final
        response = scrapy_response(archived)
        if rules.was_redirected(archived, response):
            continue
        if rules.may_be_retried(archived):
            held[key] = (archived, response)
            continue
        yield archived, response
    yield from held.values()


# --- items as the spider built them --------------------------------------------------------------


def warc_fields(archived: ArchivedResponse) -> dict[str, Any]:
    return {
        "warc_file": archived.warc_file,
        "warc_offset": archived.offset,
        "warc_record_id": archived.record_id,
    }


def item_for(archived: ArchivedResponse, response: Response) -> Item:
    context = archived.context
    challenge = challenge_kind(archived.status, archived.headers, archived.body)
    if challenge is not None:  # as ChallengeMiddleware decided in the crawl: never a report
        document = fetched_document(archived, context)
        document.role, document.fault = "challenge", f"challenge/{challenge}"
        document.error = document.error or f"anti-bot challenge ({challenge})"
        return document
    if 200 <= archived.status < 300 and context.get("role") in REPORT_ROLES:
        return report_page(archived, response, context)
    return fetched_document(archived, context)


def report_page(archived: ArchivedResponse, response: Response, context: dict[str, Any]) -> ReportPage:
    return ReportPage(
        site=context.get("site", ""),
        url=context.get("url") or archived.url,
        final_url=archived.url,
        status=archived.status,
        content_type=archived.content_type,
        body=archived.body,
        encoding=getattr(response, "encoding", None) or "",
        sha256=archived.payload_sha256,
        fetched_at=archived.date,
        role=context["role"],
        list_title=context.get("list_title"),
        list_date=context.get("list_date"),
        column=context.get("column"),
        column_url=context.get("column_url"),
        **site_fields_by_name(context.get("site", "")),  # as the spider put them (crawler/sites/profile.py)
        **warc_fields(archived),
    )


def fetched_document(archived: ArchivedResponse, context: dict[str, Any]) -> FetchedDocument:
    role, error = context.get("role") or "document", None
    if role in BODY_ROLES:
        return attachment_document(archived, context)
    if not 200 <= archived.status < 300:  # HttpErrorMiddleware sent it to the spider's errback
        role = "challenge" if archived.status in CHALLENGE_STATUSES else "error"
        error = repr(HttpError(None, "Ignoring non-200 response"))
    return FetchedDocument(
        site=context.get("site", ""),
        url=context.get("url") or archived.url,
        final_url=archived.url,
        status=archived.status,
        content_type=archived.content_type,
        sha256=archived.payload_sha256,
        fetched_at=archived.date,
        role=role,
        size=len(archived.body),
        parent_url=context.get("parent_url"),
        error=error,
        body=archived.body if role in BODY_ROLES else None,
        **warc_fields(archived),
    )


def attachment_document(archived: ArchivedResponse, context: dict[str, Any]) -> FetchedDocument:
    """A report page's file or image, as the spider's ``parse_attachment`` (or, for an HTTP error,
    ``attachment_failed``) built it."""
    linked = context.get("url") or archived.url
    ok = 200 <= archived.status < 300
    return FetchedDocument(
        site=context.get("site", ""),
        url=linked,
        final_url=archived.url,
        status=archived.status,
        content_type=archived.content_type,
        sha256=archived.payload_sha256 if ok else EMPTY_SHA256,
        fetched_at=archived.date,
        role=context["role"],
        size=len(archived.body) if ok else 0,
        parent_url=context.get("parent_url"),
        error=None if ok else f"http {archived.status}",
        body=archived.body if ok else None,
        filename=download_name(linked, _raw_header(archived.header("Content-Disposition")) if ok else None,
                               context.get("name")),
        **warc_fields(archived),
    )


EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


def _raw_header(value: str | None) -> str | None:
    """The header as the spider decoded it from the raw bytes (the archive reader decoded them
    UTF-8, else latin-1: undo the latin-1 so GBK names read the same)."""
    if value is None:
        return None
    try:
        return header_text(value.encode("latin-1"))
    except UnicodeEncodeError:
        return value


class _Archived:
    """``AttachmentFetches``' requester during a reparse: the request was made in the crawl, its
    answer is further on in the archive."""

    def attachment_request(self, link: AttachmentLink, parent_url: str) -> None:
        return None


#: the archive writer's file names: xxgk-{spider}-{stamp}-{serial}-{worker}.warc.gz (crawler.archive.writer)
_WARC_NAME = re.compile(r"^xxgk-(?P<spider>.+)-(?P<stamp>\d{14})-(?P<serial>\d{5})-(?P<worker>.+)\.warc\.gz$")


def spider_run(warc_file: str) -> tuple[tuple[str, str], bool]:
    """(spider, worker) that wrote ``warc_file``, and whether the file starts a run (serial 00000):
    each spider run had its own files and its own bookkeeping of fetched attachments."""
    match = _WARC_NAME.match(warc_file)
    if match is None:
        return (warc_file, ""), True
    return (match["spider"], match["worker"]), match["serial"] == "00000"


@dataclass
class AttachmentsFromArchive:
    """Report pages wait for their files as the spider's items did: a page is released when the
    last of its files is read from the archive. A file the crawl could not download left no record;
    the pages still waiting for one when their spider's run ends go on with it marked missing.

    Every spider run kept its own bookkeeping (a file fetched in an earlier crawl was fetched again),
    so there is one :class:`AttachmentFetches` per run: per (spider, worker), renewed by a run's first file.
    """

    runs: dict[tuple[str, str], AttachmentFetches] = field(default_factory=dict)
    files_seen: set[str] = field(default_factory=set)
    domains: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def fetches(self, archived: ArchivedResponse) -> tuple[AttachmentFetches, list[Item]]:
        """The bookkeeping of the run that wrote ``archived``, and the items a finished run released."""
        # a replayed 304 belongs to the run that received it, not to the one that captured its bytes
        run, starts = spider_run(archived.run_file)
        released: list[Item] = []
        if archived.run_file not in self.files_seen:
            self.files_seen.add(archived.run_file)
            if starts and run in self.runs:
                released = list(self.missing(self.runs.pop(run)))
        if run not in self.runs:
            self.runs[run] = AttachmentFetches(_Archived())
        return self.runs[run], released

    def page(self, item: ReportPage, archived: ArchivedResponse, response: Response) -> Iterator[Item]:
        fetches, released = self.fetches(archived)
        yield from released
        links = attachment_links(
            archived.body, archived.url, getattr(response, "encoding", None), self.allowed_domains(item.site)
        )
        yield from (found for found in fetches.request(item, links) if found is not None)

    def file(self, document: FetchedDocument, archived: ArchivedResponse) -> Iterator[Item]:
        fetches, released = self.fetches(archived)
        yield from released
        if document.url not in fetches.in_flight:
            yield document  # no page waits for it: keep it, as nothing fetched is lost
            return
        yield from fetches.arrived(document)

    def finish(self) -> Iterator[Item]:
        for fetches in self.runs.values():
            yield from self.missing(fetches)
        self.runs.clear()

    @staticmethod
    def missing(fetches: AttachmentFetches) -> Iterator[Item]:
        for url, waiters in list(fetches.in_flight.items()):
            link, first = fetches.links[url], waiters[0][0].item
            yield from fetches.arrived(
                FetchedDocument(
                    site=first.site, url=url, final_url=url, status=0, content_type=None, sha256=EMPTY_SHA256,
                    fetched_at=first.fetched_at, role=link.role,
                    error="missing: not in the archive (the download failed or was cancelled)",
                    filename=download_name(url, None, link.name),
                )
            )

    def allowed_domains(self, site: str) -> tuple[str, ...] | None:
        if site not in self.domains:
            try:
                self.domains[site] = load_profile(site).allowed_domains
            except FileNotFoundError:  # a site crawled by URL is named after its host, its only domain
                self.domains[site] = (site,) if "." in site else ()
        return self.domains[site] or None


def items_from(delivered_records: Iterable[tuple[ArchivedResponse, Response]]) -> Iterator[Item]:
    """The items the spider yielded, in the order it yielded them."""
    attachments = AttachmentsFromArchive()
    for archived, response in delivered_records:
        item = item_for(archived, response)
        if isinstance(item, ReportPage):
            yield from attachments.page(item, archived, response)
        elif item.role in BODY_ROLES:
            yield from attachments.file(item, archived)
        else:
            yield item
    yield from attachments.finish()


# --- the crawl's stages --------------------------------------------------------------------------


def run_sync(result: Any) -> Any:
    """A stage's result, awaited if the stage is async (Scrapy pipelines may be)."""
    return asyncio.run(_await(result)) if inspect.isawaitable(result) else result


async def _await(awaitable: Any) -> Any:
    return await awaitable


def cpu_stages(stats: ReparseStats) -> list[Callable[[Item], Item]]:
    """Normalise and extract: the module-level sync functions when the stages offer them."""
    from pipelines import extract, normalise

    stages = []
    for module, name, cls in (
        (normalise, "normalise_item", "NormalisePipeline"),
        (extract, "extract_item", "ExtractPipeline"),
    ):
        func = getattr(module, name, None)
        if func is None:  # an older stage: drive its Scrapy pipeline class
            pipeline = getattr(module, cls)(stats)
            stages.append(lambda item, p=pipeline: run_sync(p.process_item(item)))
        else:
            wants = getattr(module, "wants", None) or (
                lambda item: isinstance(item, ReportPage) and not item.error
            )
            stages.append(lambda item, f=func, w=wants: f(item) if w(item) else item)
    return stages


_worker_stages: list[Callable[[Item], Item]] = []


def run_cpu_stages(item: Item) -> Item:
    """Normalise and extract one item (in a worker process: the stages are pure functions)."""
    if not _worker_stages:
        _worker_stages.extend(cpu_stages(ReparseStats()))
    for stage in _worker_stages:
        item = stage(item)
    return item


def cpu_in_order(items: Iterable[Item], workers: int) -> Iterator[Item]:
    """``run_cpu_stages`` over ``items`` on ``workers`` processes, results in input order.

    A bounded window of pending items keeps memory flat however large the archive; order matters
    because dedupe and store see the items as the crawl saw them, capture by capture.
    """
    if workers <= 0:
        yield from map(run_cpu_stages, items)
        return
    # the crawl's pool (pipelines/offload.py): the same deadline and memory bound per document
    from pipelines.offload import WorkerPool, record_fault

    settings = Settings()
    settings.setmodule(crawl_settings, priority="project")
    pool = WorkerPool(
        workers,
        timeout=settings.getfloat("XXGK_EXTRACT_TIMEOUT"),
        memory_mb=settings.getint("XXGK_EXTRACT_MEMORY_MB"),
    )
    window: deque[tuple[Item, Future[Item]]] = deque()

    def finished(item: Item, future: Future[Item]) -> Item:
        try:
            return pool.result(future)
        except Exception as exc:  # this document's failure: recorded on it, the reparse goes on
            if isinstance(item, ReportPage):
                item.error = f"extract: {type(exc).__name__}: {exc}"
            record_fault(ReparseStats(), item, exc)
            return item

    try:
        for item in items:
            units = 1 + len(item.attachments) if isinstance(item, ReportPage) else 1
            window.append((item, pool.submit(run_cpu_stages, item, units=units)))
            if len(window) >= 4 * workers:
                yield finished(*window.popleft())
        while window:
            yield finished(*window.popleft())
    finally:
        pool.close()


class Stages:
    """normalise → extract → dedupe → store into ``path``, as in ``crawler.settings.ITEM_PIPELINES``."""

    def __init__(self, path: Path, stats: ReparseStats) -> None:
        from pipelines.dedupe import DedupePipeline
        from pipelines.store import StorePipeline

        self.cpu = cpu_stages(stats)
        self.dedupe = DedupePipeline(path, stats)
        self.store = StorePipeline(path, stats)

    def __enter__(self) -> Stages:
        # the store first: opening the database applies the migrations the dedupe lookups need
        self.store.open_spider()
        self.dedupe.open_spider()
        return self

    def __exit__(self, *exc: object) -> None:
        self.dedupe.close_spider()
        self.store.close_spider()

    def process(self, item: Item) -> Item:
        for stage in self.cpu:
            item = stage(item)
        return self.record(item)

    def record(self, item: Item) -> Item:
        """Dedupe and store an item whose CPU stages have run."""
        item = run_sync(self.dedupe.process_item(item))
        return run_sync(self.store.process_item(item))


# --- the command's core --------------------------------------------------------------------------


def reparse(
    warc_dir: Path, into: Path, *, stats: ReparseStats | None = None, workers: int = 0,
    tick: Callable[[int], None] | None = None,
) -> ReparseSummary:
    """Rebuild every derived table from the archive under ``warc_dir`` into a new DB at ``into``.

    ``workers`` > 0 runs normalise and extract on that many processes (dedupe and store stay in
    this one, in capture order), so the result is the same as with ``workers=0``. ``tick(1)`` is
    called for each archived response read (a progress bar).
    """
    into = Path(into)
    if into.exists() and into.stat().st_size > 0:
        raise FileExistsError(f"{into} exists: reparse builds a fresh database")
    if not Path(warc_dir).is_dir():
        raise FileNotFoundError(f"no archive at {warc_dir}")
    stats = stats if stats is not None else ReparseStats()
    summary = ReparseSummary()
    started = time.perf_counter()
    # a 304 answer to a revalidation is read as the capture the crawl replayed (crawler/archive/revalidate.py)
    problems = ArchiveProblems()
    records = _counted(replay_not_modified(iter_responses(warc_dir, problems), warc_dir), summary, tick)
    items = items_from(delivered(records))
    attachment_records: set[str] = set()
    with Stages(into, stats) as stages:
        for item in cpu_in_order(items, workers):
            if isinstance(item, ReportPage):
                summary.report_pages += 1
                attachment_records.update(a.warc_record_id for a in item.attachments if a.warc_record_id)
                summary.attachments = len(attachment_records)
            else:
                summary.documents += 1
            stages.record(item)
        db = stages.store.db
        assert db is not None
        summary.reports = db["reports"].count
        summary.versions = db["report_versions"].count
    summary.seconds = time.perf_counter() - started
    summary.skipped = summary.responses - summary.report_pages - summary.documents - summary.attachments
    summary.stats = stats.get_stats()
    summary.problems = [str(problem) for problem in problems.found]
    return summary


def _counted(
    records: Iterator[ArchivedResponse], summary: ReparseSummary, tick: Callable[[int], None] | None = None
) -> Iterator[ArchivedResponse]:
    for record in records:
        summary.responses += 1
        if tick is not None:
            tick(1)
        yield record


def reparse_in_place(
    data_dir: Path, *, stats: ReparseStats | None = None, workers: int = 0,
    tick: Callable[[int], None] | None = None,
) -> ReparseSummary:
    """Rebuild ``DIR/xxgk.db`` from ``DIR/warc/``: build beside it, then swap it in atomically.

    Readers see the old database or the new one, never a half-built one; if the build fails the
    old database is untouched.
    """
    target = db_path(data_dir)
    remove_leftovers(Path(data_dir))
    fd, name = tempfile.mkstemp(prefix=f"{TEMP_PREFIX}{os.getpid()}-", suffix=".db", dir=data_dir)
    os.close(fd)
    temp = Path(name)
    try:
        temp.unlink()  # reparse wants to create it
        summary = reparse(Path(data_dir) / "warc", temp, stats=stats, workers=workers, tick=tick)
        single_file(temp)
        if target.exists():
            single_file(target)
        os.replace(temp, target)
    finally:
        for leftover in (temp, *sidecars(temp)):
            leftover.unlink(missing_ok=True)
    return summary


TEMP_PREFIX = ".xxgk-reparse-"


def remove_leftovers(data_dir: Path) -> None:
    """Delete what a reparse killed before its swap left: its half-built database (and WAL). The old
    database was never touched, so this is all there is to undo; a reparse still running (its pid
    alive) keeps its file."""
    for leftover in data_dir.glob(f"{TEMP_PREFIX}*"):
        pid = leftover.name.removeprefix(TEMP_PREFIX).split("-", 1)[0]
        if not pid.isdigit() or not _alive(int(pid)):
            leftover.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def sidecars(path: Path) -> tuple[Path, Path]:
    return path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")


def single_file(path: Path) -> None:
    """Fold the WAL into ``path`` and leave WAL mode, so the file alone is the whole database.

    Needed on both sides of the swap: a stale ``xxgk.db-wal`` left beside the new file would be
    replayed into it. Leaving WAL mode needs exclusive access, so a database still open elsewhere
    (a crawl writing to it) fails here instead of being replaced under its writer.
    """
    connection = sqlite3.connect(path, timeout=SWAP_TIMEOUT)
    try:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        mode = connection.execute("PRAGMA journal_mode = DELETE").fetchone()[0]
    finally:
        connection.close()
    if str(mode).lower() != "delete":
        raise RuntimeError(f"{path} is in use by another process: stop it, then reparse again")
