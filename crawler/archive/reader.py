"""Reads the archive back for ``xxgk reparse``: every archived response, payloads decoded.

Files are read in capture order (file-open timestamp, then serial: see ``cdxj.warc_sort_key``);
within a file, in write order. Revisit records come back with the payload of the capture they refer
to, so a reparse sees every fetch as if it had been stored in full.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from warcio.archiveiterator import ArchiveIterator
from warcio.recordloader import ArcWarcRecord

from crawler.archive.audit import (
    DIGEST,
    FOREIGN,
    TRUNCATED,
    ArchiveProblems,
    check_index,
    is_xxgk_warcinfo,
    warcinfo_software,
)
from crawler.archive.cdxj import CdxEntry, load_digest_map, warc_files
from crawler.archive.encoding import ContentDecodingError, decode_content

logger = logging.getLogger(__name__)

# the header names the middleware writes (defined here: the middleware imports Scrapy, this must not)
CONTEXT_HEADER = "XXGK-Context"
RETRY_HEADER = "XXGK-Retry-Times"


@dataclass(slots=True)
class ArchivedResponse:
    url: str
    status: int
    #: as archived; names as Scrapy wrote them, values decoded UTF-8 or else latin-1 (warcio's rule)
    headers: list[tuple[str, str]]
    #: the payload with its Content-Encoding undone (raw bytes if it would not decode: see decode_error)
    body: bytes
    content_type: str | None
    date: str  # WARC-Date, ISO 8601 UTC with microseconds
    warc_file: str
    offset: int
    record_id: str
    payload_sha256: str  # hex SHA-256 of ``body`` (= documents.sha256 and the middleware's pointer)
    payload_digest: str  # WARC-Payload-Digest, over the payload as archived
    method: str = "GET"
    request_body: bytes | None = None  # the POST body of the paired request record
    revisit_of: str | None = None  # record ID of the full capture, for revisit records
    decode_error: str | None = None
    #: what the spider knew about the request (``XXGK-Context``): site, role, list_title, …
    context: dict[str, Any] = field(default_factory=dict)
    #: RetryMiddleware's count for this attempt (``XXGK-Retry-Times``); 0 for a first attempt
    retry_times: int = 0
    #: a replayed 304 (:func:`replay_not_modified`): the file of the 304 record itself, i.e. the crawl
    #: run that saw this response — ``warc_file`` names the earlier capture holding the bytes
    seen_in: str | None = None

    @property
    def run_file(self) -> str:
        """The WARC file of the crawl run that delivered this response to its spider."""
        return self.seen_in or self.warc_file

    def header(self, name: str) -> str | None:
        wanted = name.lower()
        return next((value for key, value in self.headers if key.lower() == wanted), None)


class ArchiveReadError(LookupError):
    """A record is missing or is not what the caller asked for."""


def iter_responses(warc_dir: str | Path, problems: ArchiveProblems | None = None) -> Iterator[ArchivedResponse]:
    """Every response and revisit record under ``warc_dir``, in capture order.

    What cannot be trusted is skipped and, with ``problems``, recorded (crawler/archive/audit.py): a
    torn tail, a record whose digests do not match its bytes, a file another crawler wrote; each
    file's CDXJ index is checked against the records read.
    """
    payloads = _PayloadResolver(Path(warc_dir))
    for path in warc_files(warc_dir):
        yield from _responses_in(path, payloads, problems if problems is not None else ArchiveProblems())


@dataclass(frozen=True, slots=True)
class ArchivedRequest:
    method: str
    url: str
    body: bytes


def iter_requests(warc_dir: str | Path) -> Iterator[ArchivedRequest]:
    """Every request record under ``warc_dir``, in capture order: what a crawl asked for."""
    for path in warc_files(warc_dir):
        with path.open("rb") as stream:
            for record in ArchiveIterator(stream):
                if record.rec_type == "request":
                    method = record.http_headers.protocol if record.http_headers else "GET"
                    url = record.rec_headers.get_header("WARC-Target-URI")
                    yield ArchivedRequest(method, url, record.content_stream().read())


def read_record(warc_dir: str | Path, filename: str, offset: int, *, resolve_revisit: bool = True) -> bytes:
    """The payload of the record at ``offset``, byte-exact as archived (content-encoding kept).

    For a revisit record this is the payload of the original capture unless ``resolve_revisit`` is
    False, in which case it is the revisit's own (empty) payload.
    """
    record_bytes, digest, kind = _payload_at(_warc_path(warc_dir, filename), offset)
    if kind != "revisit" or not resolve_revisit:
        return record_bytes
    original = load_digest_map(warc_dir).get(digest)
    if original is None:
        raise ArchiveReadError(f"no full capture with payload {digest} under {warc_dir}")
    return read_record(warc_dir, original.filename, original.offset, resolve_revisit=False)


def _warc_path(warc_dir: str | Path, filename: str) -> Path:
    if Path(filename).name != filename:  # pointers are names inside DIR/warc, never paths
        raise ArchiveReadError(f"not a WARC file name: {filename!r}")
    return Path(warc_dir) / filename


def _payload_at(path: Path, offset: int) -> tuple[bytes, str, str]:
    with path.open("rb") as stream:
        stream.seek(offset)
        try:
            record = next(iter(ArchiveIterator(stream)), None)
            if record is None:
                raise ArchiveReadError(f"no record at {path.name}:{offset}")
            digest = record.rec_headers.get_header("WARC-Payload-Digest") or ""
            payload = record.raw_stream.read()
        except ArchiveReadError:
            raise
        except Exception as error:  # a record cut by a kill: say so, never return part of it
            raise ArchiveReadError(f"torn record at {path.name}:{offset}: {type(error).__name__}") from error
        if _cut_short(record):
            raise ArchiveReadError(f"record at {path.name}:{offset} is cut short")
        damaged = payload_digest_problem(record, payload)
        if damaged:  # its bytes changed since they were written
            raise ArchiveReadError(f"record at {path.name}:{offset}: {damaged}")
        return payload, digest, record.rec_type


class _PayloadResolver:
    """Finds the archived payload a revisit refers to: seen earlier in this pass, or via the index."""

    def __init__(self, warc_dir: Path) -> None:
        self.warc_dir = warc_dir
        self.seen: dict[str, tuple[str, int]] = {}
        self._index: dict[str, CdxEntry] | None = None

    def remember(self, digest: str, filename: str, offset: int) -> None:
        self.seen.setdefault(digest, (filename, offset))

    def payload(self, digest: str) -> bytes | None:
        location = self.seen.get(digest)
        if location is None:
            if self._index is None:
                self._index = load_digest_map(self.warc_dir)  # only when a revisit outruns its original
            entry = self._index.get(digest)
            if entry is None:
                return None
            location = (entry.filename, entry.offset)
        try:
            payload, found, _ = _payload_at(self.warc_dir / location[0], location[1])
        except (ArchiveReadError, OSError):
            return None  # an index pointing at nothing (audit.check_index reports it)
        return payload if found == digest else None  # never another record's payload


def _responses_in(path: Path, payloads: _PayloadResolver, problems: ArchiveProblems) -> Iterator[ArchivedResponse]:
    """The file's responses; a torn tail (the writer was killed mid-record) ends the file quietly:
    every complete record before it is returned, the partial one never."""
    scan = _FileScan(path, problems)
    with path.open("rb") as stream:
        records = ArchiveIterator(stream)
        for record, raw, offset in scan.records(records):
            if scan.foreign:
                continue
            kind = record.rec_type
            if kind == "request":
                response_id = record.rec_headers.get_header("WARC-Concurrent-To")
                if response_id and record.http_headers is not None:
                    scan.requests[response_id] = (record.http_headers.protocol, raw)
            elif kind in ("response", "revisit") and record.http_headers is not None:
                scan.responses[offset] = record.rec_headers.get_header("WARC-Record-ID")
                yield _archived(record, raw, path.name, offset, scan.requests, payloads, digest_checked=True)
    scan.finish()


@dataclass
class _FileScan:
    """One WARC file read record by record, with what is wrong with it noted in ``problems``."""

    path: Path
    problems: ArchiveProblems
    requests: dict[str, tuple[str, bytes]] = field(default_factory=dict)  # response ID → (method, body)
    responses: dict[int, str] = field(default_factory=dict)  # offset → record ID, for the index check
    foreign: bool = False
    foreign_responses: int = 0
    complete: bool = True
    software: str = ""

    def records(self, records: ArchiveIterator) -> Iterator[tuple[ArcWarcRecord, bytes, int]]:
        """(record, its block read whole, offset) for each whole record with matching digests."""
        first = True
        while True:
            offset = records.offset
            try:
                record = next(records, None)
                if record is None:
                    return
                raw = record.raw_stream.read()  # every kind: a record cut short shows only once read
            except Exception as error:  # warcio/zlib on a cut gzip member or cut headers
                self.cut(offset, f"{type(error).__name__}: {error}")
                return
            if record.rec_type is None:  # its WARC headers were cut: warcio gives an empty record
                self.cut(offset, "the last record's headers are cut")
                return
            if _cut_short(record):
                self.cut(offset, "the last record is shorter than its Content-Length")
                return
            offset = records.get_record_offset()  # only after reading: it reads to the record's end
            if first:
                first = False
                self.foreign = record.rec_type != "warcinfo" or not is_xxgk_warcinfo(raw)
                self.software = warcinfo_software(raw) if record.rec_type == "warcinfo" else "no warcinfo record"
            if self.foreign:
                self.foreign_responses += record.rec_type in ("response", "revisit")
                continue
            damaged = payload_digest_problem(record, raw)
            if damaged:
                record_id = record.rec_headers.get_header("WARC-Record-ID")
                self.responses[offset] = record_id  # indexed rightly: not a second, index problem
                logger.warning("%s@%d: %s; record skipped", self.path.name, offset, damaged)
                self.problems.add(DIGEST, self.path.name, offset, f"{record.rec_type} {record_id}: {damaged}: skipped")
                continue
            yield record, raw, offset

    def cut(self, offset: int, why: str) -> None:
        logger.warning("%s: torn record at %d (%s); read up to it", self.path.name, offset, why)
        self.complete = False
        self.problems.add(TRUNCATED, self.path.name, offset,
                          f"cut short ({why}): the {len(self.responses)} responses before it were read")

    def finish(self) -> None:
        if self.foreign:
            self.problems.add(FOREIGN, self.path.name, None,
                              f"not written by xxgk ({self.software}): its {self.foreign_responses} responses "
                              "carry no XXGK-Context and were not rebuilt")
            return
        check_index(self.path, self.responses, self.complete, self.problems)


def payload_digest_problem(record: ArcWarcRecord, payload: bytes) -> str | None:
    """Why ``payload`` is not what its ``WARC-Payload-Digest`` says, or None (also when there is no
    digest, or one of an algorithm hashlib lacks). One hash of bytes already read: warcio's own
    check (``check_digests``) hashes block and payload chunk by chunk and doubled the reading time."""
    declared = record.rec_headers.get_header("WARC-Payload-Digest")
    if not declared or record.rec_type == "revisit":  # a revisit's digest is of its original's payload
        return None
    algorithm, _, value = declared.partition(":")
    try:
        digest = hashlib.new(algorithm.strip().lower(), payload).digest()
    except ValueError:
        return None
    value = value.strip()
    if value.upper() in (base64.b32encode(digest).decode("ascii"), digest.hex().upper()):
        return None
    return f"payload digest mismatch (WARC-Payload-Digest {declared}, the bytes hash otherwise)"


def _cut_short(record: ArcWarcRecord) -> bool:
    """Whether the record's block ended before its Content-Length (a file cut by a kill)."""
    return getattr(record.raw_stream, "limit", 0) > 0


def _archived(record: ArcWarcRecord, raw: bytes, filename: str, offset: int, requests: dict[str, tuple[str, bytes]],
              payloads: _PayloadResolver, *, digest_checked: bool = False) -> ArchivedResponse:  # fmt: skip
    """``digest_checked``: ``raw`` (a revisit's: the original's) matched its WARC-Payload-Digest."""
    warc = record.rec_headers
    record_id = warc.get_header("WARC-Record-ID")
    digest = warc.get_header("WARC-Payload-Digest") or ""
    decode_error = None
    if record.rec_type == "revisit":
        original = payloads.payload(digest)
        raw, decode_error = (original, None) if original is not None else (b"", "original capture not found")
    else:
        payloads.remember(digest, filename, offset)
    http = record.http_headers
    codings = [value for name, value in http.headers if name.lower() == "content-encoding"]
    body, error = _decoded(raw, codings)
    known = _checked_sha256(digest) if digest_checked and not codings and not decode_error else None
    method, request_body = requests.pop(record_id, ("GET", None))
    return ArchivedResponse(
        url=warc.get_header("WARC-Target-URI"),
        status=int(http.get_statuscode() or 0),
        headers=list(http.headers),
        body=body,
        content_type=http.get_header("Content-Type"),
        date=warc.get_header("WARC-Date"),
        warc_file=filename,
        offset=offset,
        record_id=record_id,
        payload_sha256=known or hashlib.sha256(body).hexdigest(),
        payload_digest=digest,
        method=method,
        request_body=request_body,
        revisit_of=warc.get_header("WARC-Refers-To") if record.rec_type == "revisit" else None,
        decode_error=decode_error or error,
        context=_context(warc.get_header(CONTEXT_HEADER)),
        retry_times=int(warc.get_header(RETRY_HEADER) or 0),
    )


def _checked_sha256(digest: str) -> str | None:
    """The hex of a checked ``sha256:<base32>`` digest of an undecoded body: no second hash of it."""
    algorithm, _, value = digest.partition(":")
    try:
        found = base64.b32decode(value.strip().upper()) if algorithm.strip().lower() == "sha256" else b""
    except ValueError:
        return None
    return found.hex() if len(found) == 32 else None


def _context(value: str | None) -> dict[str, Any]:
    if not value:
        return {}
    try:
        context = json.loads(value)
    except json.JSONDecodeError:
        return {}  # a damaged header must not stop a reparse; the record reads as unannotated
    return context if isinstance(context, dict) else {}


def _decoded(raw: bytes, codings: list[str]) -> tuple[bytes, str | None]:
    try:
        return decode_content(raw, codings), None
    except ContentDecodingError as error:
        return raw, str(error)


class PayloadResolver(_PayloadResolver):
    """Share one across many :func:`read_response` calls: the digest index is then read once."""


def read_response(
    warc_dir: str | Path, filename: str, offset: int, resolver: PayloadResolver | None = None
) -> ArchivedResponse:
    """The response (or revisit, resolved to its original payload) record at ``offset``, decoded."""
    warc_dir = Path(warc_dir)
    with _warc_path(warc_dir, filename).open("rb") as stream:
        stream.seek(offset)
        record = next(iter(ArchiveIterator(stream)), None)
        if record is None or record.rec_type not in ("response", "revisit") or record.http_headers is None:
            raise ArchiveReadError(f"no response record at {filename}:{offset}")
        raw = record.raw_stream.read()
        return _archived(record, raw, filename, offset, {}, resolver or PayloadResolver(warc_dir))


def read_http_headers(warc_dir: str | Path, filename: str, offset: int) -> list[tuple[str, str]]:
    """Only the HTTP headers of the response or revisit record at ``offset`` (the body stays unread)."""
    with _warc_path(warc_dir, filename).open("rb") as stream:
        stream.seek(offset)
        record = next(iter(ArchiveIterator(stream)), None)
        if record is None or record.http_headers is None:
            raise ArchiveReadError(f"no HTTP record at {filename}:{offset}")
        return list(record.http_headers.headers)


def replay_not_modified(records: Iterable[ArchivedResponse], warc_dir: str | Path) -> Iterator[ArchivedResponse]:
    """The records as the spider saw them: a ``304 Not Modified`` answer to a conditional GET comes back
    as the latest earlier 200 capture of its URL (the copy the crawl's revalidation replayed), with the
    304's capture time, context and retry count. Every other record passes through unchanged.
    """
    latest_ok: dict[str, tuple[str, int]] = {}  # URL → (file, offset) of its latest 200 GET capture
    resolver = PayloadResolver(Path(warc_dir))
    for archived in records:
        if archived.method == "GET" and archived.status == 200:
            latest_ok[archived.url] = (archived.warc_file, archived.offset)
        elif archived.method == "GET" and archived.status == 304 and archived.url in latest_ok:
            earlier = read_response(warc_dir, *latest_ok[archived.url], resolver)
            archived = replace(
                earlier, date=archived.date, context=archived.context, retry_times=archived.retry_times,
                seen_in=archived.warc_file,
            )
        yield archived
