"""Archived records as the spider received them: Scrapy responses rebuilt from the WARC archive.

Beside the reader (:mod:`crawler.archive.reader`), which decodes records into
:class:`~crawler.archive.reader.ArchivedResponse`; used by ``xxgk reparse`` and by the revalidation
middleware, which hands the spider the archived copy a ``304`` vouches for. (Not to be confused with
:mod:`crawler.archive.replay`, which serves the archive to a browser through pywb.)
"""

from __future__ import annotations

import hashlib
from typing import Any

from scrapy.http import Headers, Response
from scrapy.responsetypes import responsetypes

from crawler.archive.reader import ArchivedResponse

#: the digest of an empty body: what a document the crawl could not download records
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()
#: statuses of anti-bot challenges (瑞数 412, 加速乐 521, 512): such a failure is a "challenge", not an "error"
CHALLENGE_STATUSES = frozenset({412, 521, 512})


def scrapy_response(archived: ArchivedResponse) -> Response:
    """The response as the spider got it: decoded body, no Content-Encoding, Scrapy's class."""
    headers = Headers()
    for name, value in archived.headers:
        if name.lower() == "content-encoding" and archived.decode_error is None:
            continue  # HttpCompressionMiddleware removes it once it has decoded the body
        headers.appendlist(name, value)
    cls = responsetypes.from_args(headers=headers, url=archived.url, body=archived.body)
    return cls(archived.url, status=archived.status, headers=headers, body=archived.body)


def record_warc_fields(archived: ArchivedResponse) -> dict[str, Any]:
    """The item fields that point at the record (as the archive middleware's ``meta`` does in a crawl)."""
    return {
        "warc_file": archived.warc_file,
        "warc_offset": archived.offset,
        "warc_record_id": archived.record_id,
    }
