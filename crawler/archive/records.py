"""The pieces of a WARC record the writer composes (crawler/archive/writer.py): the exchange as
captured, its HTTP heads kept byte-exact, the digests and dates in the forms readers expect.

Knows nothing of files or Scrapy; see the writer's docstring for what is archived and hashed how.
"""

from __future__ import annotations

import base64
import hashlib
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from http import HTTPStatus
from urllib.parse import urlsplit

from warcio.recordbuilder import RecordBuilder
from warcio.statusandheaders import StatusAndHeadersParser
from warcio.utils import Digester
from warcio.warcwriter import BufferWARCWriter

from crawler.archive.encoding import ContentDecodingError, decode_content

logger = logging.getLogger(__name__)

WARC_VERSION = "WARC/1.1"
HeaderPairs = list[tuple[bytes, bytes]]


@dataclass(slots=True)
class CapturedRequest:
    url: str
    method: str
    headers: HeaderPairs  # as sent, including Host
    body: bytes = b""


@dataclass(slots=True)
class CapturedResponse:
    status: int
    headers: HeaderPairs  # as received
    body: bytes  # as received: still content-encoded
    protocol: str = "HTTP/1.1"
    reason: str | None = None
    ip_address: str | None = None


@dataclass(frozen=True, slots=True)
class Original:
    """The first full capture of a payload, which later revisits point at."""

    url: str
    warc_date: str
    record_id: str


def http_head(first_line: bytes, headers: HeaderPairs) -> bytes:
    """An HTTP head kept byte-exact.

    warcio re-serialises headers and %-encodes non-ASCII values, but Chinese servers put raw GBK or
    UTF-8 bytes in headers such as Content-Disposition; the head is written from the bytes as received.
    """
    return b"\r\n".join([first_line, *(name + b": " + value for name, value in headers)]) + b"\r\n\r\n"


REVISIT_PROFILE = RecordBuilder.REVISIT_PROFILE_1_1

_HTTP_CONTENT_TYPES = {
    "request": "application/http; msgtype=request",
    "response": "application/http; msgtype=response",
    "revisit": "application/http; msgtype=response",
}


def http_record(
    record_type: str,
    uri: str,
    fields: dict[str, str],
    head: bytes,
    payload: bytes,
    revisit_of: dict[str, str] | None = None,
) -> bytes:
    """A request, response or revisit record (uncompressed), byte for byte as warcio's writer composes
    it from the same ``warc_headers_dict``, HTTP head and payload, at a fraction of the CPU.

    warcio's header order is kept: ``fields`` as given, then WARC-Type and WARC-Target-URI, a revisit's
    ``revisit_of`` (profile, refers-to, payload digest: what create_revisit_record adds), the payload
    digest (if ``fields`` has none; never on a revisit), the block digest (head + payload), the
    Content-Type and the Content-Length. A revisit's payload is not written (``payload`` is empty).
    """
    headers = list(fields.items())
    # the names warcio would look up or replace: only those present need a search (they rarely are)
    known = {name.lower() for name in fields}
    _set(headers, known, "WARC-Type", record_type)
    if uri:
        _set(headers, known, "WARC-Target-URI", uri)
    if revisit_of:
        headers += revisit_of.items()
        known.update(name.lower() for name in revisit_of)
    content_type = _get(headers, known, "Content-Type") or _HTTP_CONTENT_TYPES[record_type]
    if record_type != "revisit" and not _get(headers, known, "WARC-Payload-Digest"):
        # warcio looks again when writing and finds the first one: an empty given digest gets two more
        twice = "warc-payload-digest" in known
        headers += [("WARC-Payload-Digest", sha256_label(payload))] * (2 if twice else 1)
    if not _get(headers, known, "WARC-Block-Digest"):
        block = hashlib.sha256(head)
        block.update(payload)
        headers.append(("WARC-Block-Digest", payload_digest_label(block.digest())))
    _set(headers, known, "Content-Type", content_type)
    _set(headers, known, "Content-Length", str(len(head) + len(payload)))
    text = "".join([f"{name}: {value}\r\n" for name, value in headers])
    return b"".join([f"{WARC_VERSION}\r\n{text}\r\n".encode(), head, payload, b"\r\n\r\n"])


def _get(headers: list[tuple[str, str]], known: set[str], name: str) -> str | None:
    return _first(headers, name) if name.lower() in known else None


def _set(headers: list[tuple[str, str]], known: set[str], name: str, value: str) -> None:
    if name.lower() in known:
        _put(headers, name, value)
    else:
        headers.append((name, value))


def _first(headers: list[tuple[str, str]], name: str) -> str | None:
    """warcio's get_header: the first value under ``name``, any case."""
    lower = name.lower()
    return next((value for key, value in headers if key.lower() == lower), None)


def _put(headers: list[tuple[str, str]], name: str, value: str) -> None:
    """warcio's replace_header: the last header under ``name`` (any case, its spelling kept) gets
    ``value``; without one, it is appended."""
    lower = name.lower()
    for index in range(len(headers) - 1, -1, -1):
        if headers[index][0].lower() == lower:
            headers[index] = (headers[index][0], value)
            return
    headers.append((name, value))


class Sha256RecordWriter(BufferWARCWriter):
    """warcio's writer with SHA-256 block digests (warcio defaults to SHA-1), for the rare warcinfo and
    metadata records; the exchanges' records go through :func:`http_record`."""

    @staticmethod
    def _create_digester() -> Digester:
        return Digester("sha256")


def payload_digest_label(digest: bytes) -> str:
    """The WARC form of a SHA-256 digest, as warcio writes and checks it."""
    return "sha256:" + base64.b32encode(digest).decode("ascii")


EMPTY_PAYLOAD_DIGEST = payload_digest_label(hashlib.sha256(b"").digest())


def sha256_label(payload: bytes) -> str:
    # most requests have no body: their digest is the same label every time
    return payload_digest_label(hashlib.sha256(payload).digest()) if payload else EMPTY_PAYLOAD_DIGEST


def new_record_id() -> str:
    return StatusAndHeadersParser.make_warc_id()


def warc_date_of(captured_at: datetime | None) -> str:
    # always six digits (warcio drops ".000000"): items use this as fetched_at and compare it as text
    moment = (captured_at or datetime.now(UTC)).astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def request_target(url: str) -> str:
    parts = urlsplit(url)
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


def response_head(response: CapturedResponse) -> bytes:
    reason = response.reason if response.reason is not None else _reason_phrase(response.status)
    version = "HTTP/1.0" if response.protocol.upper() == "HTTP/1.0" else "HTTP/1.1"
    first_line = f"{version} {response.status} {reason}".rstrip().encode("latin-1")
    return http_head(first_line, response.headers)


def _reason_phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


def _header(headers: HeaderPairs, name: bytes) -> list[bytes]:
    return [value for key, value in headers if key.lower() == name]


def mime_of(headers: HeaderPairs) -> str:
    values = _header(headers, b"content-type")
    if not values:
        return "unk"  # pywb's placeholder
    return values[0].split(b";", 1)[0].strip().lower().decode("latin-1")


def decoded_sha256(response: CapturedResponse, archived_hash: hashlib._Hash) -> str:
    codings = _header(response.headers, b"content-encoding")
    if not codings:
        return archived_hash.hexdigest()
    try:
        return hashlib.sha256(decode_content(response.body, codings)).hexdigest()
    except ContentDecodingError as error:
        # Scrapy will fail on this body too; hash what we have so the field is never empty
        logger.warning("payload_sha256 of the archived bytes: %s", error)
        return archived_hash.hexdigest()
