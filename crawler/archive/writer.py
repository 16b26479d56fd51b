"""Writes HTTP exchanges as WARC 1.1 records, rolling files by size, indexing as it goes.

The request, response and revisit records are composed by :func:`~crawler.archive.records.http_record`
in warcio's exact bytes (warcio's builder and writer took most of the CPU per page); warcio still
writes the warcinfo and metadata records, and reads everything back.

This module knows nothing of Scrapy (the middleware adapts Scrapy objects to :class:`CapturedRequest`
and :class:`CapturedResponse`), so it can be driven by other fetchers or by tests directly.

Decisions, so that ``xxgk reparse`` can rely on them:

* Bodies are archived **as received**: still content-encoded if the server compressed them. The
  WARC payload is then the HTTP entity exactly as sent, which is what WARC readers (pywb, warcio)
  expect and keeps the archive faithful. Only ``Transfer-Encoding`` is dropped from the headers,
  because the transport already de-chunked the body and a stale ``chunked`` would make readers
  de-chunk it again.
* ``WARC-Payload-Digest`` (and the revisit map) is SHA-256 over the payload as archived;
  ``payload_sha256`` in the pointer and the index is SHA-256 over the *decoded* payload: it equals
  ``sha256(response.body)`` after Scrapy's HttpCompressionMiddleware, i.e. ``documents.sha256``.
* Every record is its own gzip member, composed in memory and written with one ``write``, so an
  offset/length pair always addresses a whole record.
"""

from __future__ import annotations

import hashlib
import logging
import os
import socket
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path
from typing import TypedDict

from crawler.archive.cdxj import (
    INDEX_SUFFIX,
    REVISIT_MIME,
    CdxEntry,
    format_line,
    load_digest_map,
    surt_key,
)
from crawler.archive.openwarc import OpenWarc, write_all
from crawler.archive.records import (
    EMPTY_PAYLOAD_DIGEST,
    REVISIT_PROFILE,
    WARC_VERSION,
    CapturedRequest,
    CapturedResponse,
    HeaderPairs,
    Original,
    Sha256RecordWriter,
    decoded_sha256,
    http_head,
    http_record,
    mime_of,
    new_record_id,
    payload_digest_label,
    request_target,
    response_head,
    warc_date_of,
)

# the names callers have always imported from here (the middleware, tests)
__all__ = [
    "DEFAULT_MAX_SIZE",
    "EMPTY_PAYLOAD_DIGEST",
    "CapturedRequest",
    "CapturedResponse",
    "HeaderPairs",
    "WarcArchiveWriter",
    "WarcPointer",
    "default_worker_name",
]

logger = logging.getLogger(__name__)

DEFAULT_MAX_SIZE = 1024**3


class WarcPointer(TypedDict):
    """Where a response landed; spiders copy it into items (``request.meta["xxgk_warc"]``)."""

    file: str  # relative to DIR/warc
    offset: int  # of the response (or revisit) record's gzip member
    length: int  # compressed length of that member
    record_id: str
    payload_sha256: str  # hex SHA-256 of the decoded payload (= documents.sha256)
    payload_digest: str  # WARC-Payload-Digest of the payload as archived ("sha256:<base32>")
    revisit: bool
    date: str  # the record's WARC-Date (ISO 8601 UTC, microseconds): the item's ``fetched_at``


def default_worker_name() -> str:
    return f"{socket.gethostname()}-{os.getpid()}"


@dataclass
class WarcArchiveWriter:
    """Appends request/response pairs to size-rolled ``.warc.gz`` files with a CDXJ index each."""

    warc_dir: Path
    spider_name: str
    worker: str = field(default_factory=default_worker_name)
    max_size: int = DEFAULT_MAX_SIZE
    gzip_level: int = 6  # warcio's 9 took 2.6x the CPU for 0.2% smaller files (bench.py)
    info: dict[str, str] = field(default_factory=dict)
    revisits: bool = True
    _current: OpenWarc | None = field(default=None, init=False)
    _serial: int = field(default=0, init=False)
    _originals: dict[str, Original] = field(default_factory=dict, init=False)
    _records: Sha256RecordWriter = field(init=False)

    def __post_init__(self) -> None:
        self.warc_dir = Path(self.warc_dir)
        self.warc_dir.mkdir(parents=True, exist_ok=True)
        self._records = Sha256RecordWriter(gzip=False, warc_version=WARC_VERSION)
        if self.revisits:
            self._originals = self._originals_from_index()

    def _originals_from_index(self) -> dict[str, Original]:
        # this site's files only: reading every site's index made each crawler's start cost grow with
        # the sites archived before it (1,000 sites in one run); a revisit now always points into
        # the site's own files
        originals = {}
        for digest, entry in load_digest_map(self.warc_dir, self.spider_name).items():
            if entry.record_id and entry.warc_date:
                originals[digest] = Original(entry.url, entry.warc_date, entry.record_id)
        return originals

    # --- public API ---------------------------------------------------------------------------

    def write_exchange(
        self,
        request: CapturedRequest,
        response: CapturedResponse,
        captured_at: datetime | None = None,
        *,
        extra_headers: dict[str, str] | None = None,
    ) -> WarcPointer:
        """Archive one request and its response (or a revisit); return where the response went.

        ``extra_headers`` are added to the response (or revisit) record's WARC headers, e.g. the
        ``XXGK-Context`` the middleware writes so that reparse knows what the spider knew.
        """
        warc_date = warc_date_of(captured_at)
        request_id, response_id = new_record_id(), new_record_id()
        archived_hash = hashlib.sha256(response.body)
        digest = payload_digest_label(archived_hash.digest())
        original = self._originals.get(digest) if self.revisits and response.body else None

        warc = self._writable_file()  # first: a roll changes the WARC-Warcinfo-ID the records cite
        request_bytes = self._request_record(request, warc_date, request_id, response_id)
        if original is None:
            response_bytes = self._response_record(
                request.url, response, warc_date, response_id, digest, request_id, extra_headers
            )
        else:
            response_bytes = self._revisit_record(
                request.url, response, warc_date, response_id, digest, original, request_id, extra_headers
            )
        mark = warc.mark()
        try:
            warc.append(request_bytes)
            offset, length = warc.append(response_bytes)
            pointer = WarcPointer(
                file=warc.name,
                offset=offset,
                length=length,
                record_id=response_id,
                payload_sha256=decoded_sha256(response, archived_hash),
                payload_digest=digest,
                revisit=original is not None,
                date=warc_date,
            )
            self._index(warc, request, response, pointer, warc_date)  # after the data: never points past it
        except OSError:
            warc.rollback(mark)  # a full disk: the exchange is not archived at all, nor indexed
            raise
        if original is None and response.body:
            self._originals.setdefault(digest, Original(request.url, warc_date, response_id))
        return pointer

    def write_failure(
        self, request: CapturedRequest, error: str, captured_at: datetime | None = None
    ) -> None:
        """Archive a request that got no response (DNS, timeout, reset) with a metadata note on why."""
        warc_date = warc_date_of(captured_at)
        request_id, note_id = new_record_id(), new_record_id()
        warc = self._writable_file()
        request_bytes = self._request_record(request, warc_date, request_id, None)
        fields = f"fetch-error: {error}\r\n".encode()
        note = self._records.create_warc_record(
            request.url,
            "metadata",
            payload=BytesIO(fields),
            length=len(fields),
            warc_headers_dict=self._common_headers(warc_date, note_id, {"WARC-Concurrent-To": request_id}),
        )
        mark = warc.mark()
        try:
            warc.append(request_bytes)
            warc.append(self._serialise(note))
        except OSError:
            warc.rollback(mark)
            raise

    def close(self) -> None:
        if self._current is not None:
            self._current.close()
            self._current = None

    # --- records ------------------------------------------------------------------------------

    def _request_record(
        self, request: CapturedRequest, warc_date: str, record_id: str, response_id: str | None
    ) -> bytes:
        target = request_target(request.url)
        head = http_head(f"{request.method} {target} HTTP/1.1".encode("latin-1"), request.headers)
        extra = {"WARC-Concurrent-To": response_id} if response_id else {}
        fields = self._common_headers(warc_date, record_id, extra)
        return self._compress(http_record("request", request.url, fields, head, request.body))

    def _response_record(
        self,
        url: str,
        response: CapturedResponse,
        warc_date: str,
        record_id: str,
        digest: str,
        request_id: str,
        extra_headers: dict[str, str] | None = None,
    ) -> bytes:
        headers = self._response_headers(response, warc_date, record_id, digest)
        headers["WARC-Concurrent-To"] = request_id  # both directions: readers may meet either first
        headers.update(extra_headers or {})
        return self._compress(http_record("response", url, headers, response_head(response), response.body))

    def _revisit_record(
        self,
        url: str,
        response: CapturedResponse,
        warc_date: str,
        record_id: str,
        digest: str,
        original: Original,
        request_id: str,
        extra_headers: dict[str, str] | None = None,
    ) -> bytes:
        headers = self._response_headers(response, warc_date, record_id, None)
        headers["WARC-Concurrent-To"] = request_id
        headers["WARC-Refers-To"] = original.record_id
        headers.update(extra_headers or {})
        revisit_of = {
            "WARC-Profile": REVISIT_PROFILE,
            "WARC-Refers-To-Target-URI": original.url,
            "WARC-Refers-To-Date": original.warc_date,
            "WARC-Payload-Digest": digest,
        }
        head = response_head(response)
        return self._compress(http_record("revisit", url, headers, head, b"", revisit_of))

    def _response_headers(
        self, response: CapturedResponse, warc_date: str, record_id: str, digest: str | None
    ) -> dict[str, str]:
        extra = {}
        if digest is not None:
            extra["WARC-Payload-Digest"] = digest
        if response.ip_address:
            extra["WARC-IP-Address"] = response.ip_address
        if not response.protocol.upper().startswith("HTTP/1"):
            extra["WARC-Protocol"] = response.protocol.lower()  # e.g. h2; the head still reads HTTP/1.1
        return self._common_headers(warc_date, record_id, extra)

    def _common_headers(self, warc_date: str, record_id: str, extra: dict[str, str]) -> dict[str, str]:
        headers = {"WARC-Record-ID": record_id, "WARC-Date": warc_date}
        if self._current is not None:
            headers["WARC-Warcinfo-ID"] = self._current.warcinfo_id
        headers.update(extra)
        return headers

    def _serialise(self, record: object) -> bytes:
        buffer = BytesIO()
        self._records.out = buffer
        self._records.write_record(record)
        return self._compress(buffer.getvalue())

    def _compress(self, record_bytes: bytes) -> bytes:
        # one call, the same deflate stream as compressobj().compress() + flush() (tested), less CPU
        return zlib.compress(record_bytes, self.gzip_level, zlib.MAX_WBITS | 16)

    # --- files --------------------------------------------------------------------------------

    def _writable_file(self) -> OpenWarc:
        if self._current is not None and self._current.warc.tell() >= self.max_size:
            self.close()
        if self._current is None:
            self._current = self._open_next_file()
        return self._current

    def _open_next_file(self) -> OpenWarc:
        stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
        while True:
            name = f"xxgk-{self.spider_name}-{stamp}-{self._serial:05d}-{self.worker}.warc.gz"
            self._serial += 1
            try:
                # exclusive create: two writers with the same worker name must never share a file
                warc_file = (self.warc_dir / name).open("xb", buffering=0)
            except FileExistsError:
                continue
            break
        index_file = (self.warc_dir / (name + INDEX_SUFFIX)).open("xb", buffering=0)
        opened = OpenWarc(name, warc_file, index_file)
        info_record = self._records.create_warcinfo_record(name, self._warcinfo_fields())
        opened.warcinfo_id = info_record.rec_headers.get_header("WARC-Record-ID")
        try:
            opened.append(self._serialise(info_record))
        except OSError:  # no room even for the warcinfo record: leave no empty file behind
            opened.close()
            for path in (self.warc_dir / name, self.warc_dir / (name + INDEX_SUFFIX)):
                path.unlink(missing_ok=True)
            raise
        logger.info("archiving to %s", self.warc_dir / name)
        return opened

    def _warcinfo_fields(self) -> dict[str, str]:
        return {
            "format": "WARC File Format 1.1",
            "conformsTo": "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/",
            "hostname": socket.gethostname(),
            "isPartOf": self.spider_name,
            "xxgk-worker": self.worker,
            **self.info,
        }

    def _index(
        self,
        warc: OpenWarc,
        request: CapturedRequest,
        response: CapturedResponse,
        pointer: WarcPointer,
        warc_date: str,
    ) -> None:
        entry = CdxEntry(
            key=surt_key(request.url, request.method, request.body),
            timestamp=warc_date[:19].replace("-", "").replace("T", "").replace(":", ""),
            url=request.url,
            mime=REVISIT_MIME if pointer["revisit"] else mime_of(response.headers),
            status=response.status,
            digest=pointer["payload_digest"],
            length=pointer["length"],
            offset=pointer["offset"],
            filename=pointer["file"],
            record_id=pointer["record_id"],
            warc_date=warc_date,
            method=request.method.upper(),
            sha256=pointer["payload_sha256"],
        )
        write_all(warc.index, format_line(entry).encode("utf-8"))
