"""Report pages wait for their files as the spider's items did, rebuilt from the archive."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from scrapy.http import Response

from crawler.archive.reader import ArchivedResponse
from crawler.builders import BODY_ROLES, REPORT_ROLES, item_for, missing_attachment
from crawler.items import FetchedDocument, Item, ReportPage
from crawler.platforms.attachments import AttachmentFetches, AttachmentLink, attachment_links
from crawler.sites.catalog import load_profile


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

    def page(self, item: ReportPage, archived: ArchivedResponse, response: Response,
             links: list[AttachmentLink] | None = None) -> Iterator[Item]:  # fmt: skip
        """The items a report page releases; ``links``: its attachment links, if found elsewhere."""
        fetches, released = self.fetches(archived)
        yield from released
        if links is None:
            links = self.links(archived, response)
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
            yield from fetches.arrived(missing_attachment(first.site, url, link.role, link.name, first.fetched_at))

    def links(self, archived: ArchivedResponse, response: Response) -> list[AttachmentLink]:
        """What the spider found to fetch on a report page (the record as it was delivered)."""
        site = archived.context.get("site", "")
        return attachment_links(
            archived.body, archived.url, getattr(response, "encoding", None), self.allowed_domains(site)
        )

    def allowed_domains(self, site: str) -> tuple[str, ...] | None:
        if site not in self.domains:
            try:
                self.domains[site] = load_profile(site).allowed_domains
            except FileNotFoundError:  # a site crawled by URL is named after its host, its only domain
                self.domains[site] = (site,) if "." in site else ()
        return self.domains[site] or None


Delivered = tuple[ArchivedResponse, Response]
#: a delivered record with its report page's attachment links, or None to find them here
WithLinks = tuple[ArchivedResponse, Response, "Callable[[], list[AttachmentLink]] | None"]


def items_from(delivered_records: Iterable[Delivered | WithLinks],
               attachments: AttachmentsFromArchive | None = None) -> Iterator[Item]:  # fmt: skip
    """The items the spider yielded, in the order it yielded them."""
    attachments = attachments or AttachmentsFromArchive()
    for archived, response, *found in delivered_records:
        item = item_for(archived, response)
        if isinstance(item, ReportPage):
            links = found[0]() if found and found[0] is not None else None
            yield from attachments.page(item, archived, response, links)
        elif item.role in BODY_ROLES:
            yield from attachments.file(item, archived)
        else:
            yield item
    yield from attachments.finish()


def may_be_report(archived: ArchivedResponse) -> bool:
    """Whether ``item_for`` may make a report page of the record (it decides; this only looks ahead)."""
    return 200 <= archived.status < 300 and archived.context.get("role") in REPORT_ROLES
