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

from warcio.statusandheaders import StatusAndHeaders, StatusAndHeadersParser
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


class RawHttpHead(StatusAndHeaders):
    """An HTTP head kept byte-exact.

    warcio re-serialises headers and %-encodes non-ASCII values, but Chinese servers put raw GBK or
    UTF-8 bytes in headers such as Content-Disposition; keeping our own buffer preserves them. The
    latin-1 strings (lossless) only serve warcio's header lookups.
    """

    def __init__(self, first_line: bytes, headers: HeaderPairs) -> None:
        super().__init__(
            first_line.decode("latin-1"),
            [(name.decode("latin-1"), value.decode("latin-1")) for name, value in headers],
        )
        lines = [first_line, *(name + b": " + value for name, value in headers)]
        self.headers_buff = b"\r\n".join(lines) + b"\r\n\r\n"

    def compute_headers_buffer(self, header_filter: object = None) -> None:
        """Keep the buffer built from the bytes as received."""


class Sha256RecordWriter(BufferWARCWriter):
    """warcio's writer with SHA-256 block digests (warcio defaults to SHA-1)."""

    @staticmethod
    def _create_digester() -> Digester:
        return Digester("sha256")


def payload_digest_label(digest: bytes) -> str:
    """The WARC form of a SHA-256 digest, as warcio writes and checks it."""
    return "sha256:" + base64.b32encode(digest).decode("ascii")


EMPTY_PAYLOAD_DIGEST = payload_digest_label(hashlib.sha256(b"").digest())


def new_record_id() -> str:
    return StatusAndHeadersParser.make_warc_id()


def warc_date_of(captured_at: datetime | None) -> str:
    # always six digits (warcio drops ".000000"): items use this as fetched_at and compare it as text
    moment = (captured_at or datetime.now(UTC)).astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def request_target(url: str) -> str:
    parts = urlsplit(url)
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


def response_head(response: CapturedResponse) -> RawHttpHead:
    reason = response.reason if response.reason is not None else _reason_phrase(response.status)
    version = "HTTP/1.0" if response.protocol.upper() == "HTTP/1.0" else "HTTP/1.1"
    first_line = f"{version} {response.status} {reason}".rstrip().encode("latin-1")
    return RawHttpHead(first_line, response.headers)


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
