"""The WARC archive: the source of truth from which ``xxgk reparse`` rebuilds the database.

* :mod:`crawler.archive.middleware` — Scrapy downloader middleware writing every exchange
* :mod:`crawler.archive.writer` — WARC 1.1 writing (warcio's bytes), rolling, revisits, CDXJ indexing
* :mod:`crawler.archive.cdxj` — the per-file CDXJ indexes: ``lookup``, ``iter_index``
* :mod:`crawler.archive.reader` — ``iter_responses`` and ``read_record`` for reparse
* :mod:`crawler.archive.responses` — a record back as the Scrapy response the spider received
"""

from crawler.archive.cdxj import CdxEntry, iter_index, lookup
from crawler.archive.reader import ArchivedResponse, iter_responses, read_record
from crawler.archive.writer import CapturedRequest, CapturedResponse, WarcArchiveWriter, WarcPointer

__all__ = [
    "ArchivedResponse",
    "CapturedRequest",
    "CapturedResponse",
    "CdxEntry",
    "WarcArchiveWriter",
    "WarcPointer",
    "iter_index",
    "iter_responses",
    "lookup",
    "read_record",
]
