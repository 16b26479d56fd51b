"""records.http_record writes the bytes warcio's writer would, for the same headers, head and payload.

The writer composes request, response and revisit records itself (warcio's builder and writer cost
most of the archive's CPU per page); these pin it to warcio's output, including warcio's handling of
header names it looks up or replaces when the caller already gave them.
"""

from __future__ import annotations

import hashlib
import random
import uuid
import zlib
from io import BytesIO

import pytest
from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders

from crawler.archive.records import (
    REVISIT_PROFILE,
    WARC_VERSION,
    HeaderPairs,
    Sha256RecordWriter,
    http_head,
    http_record,
    new_record_id,
    payload_digest_label,
)

URL = "http://xxgk.example.gov.cn/art/2024/1/报告.html?id=7"
BODY = "<html><body>2023年政府信息公开工作年度报告</body></html>".encode()
HEAD_PAIRS: HeaderPairs = [
    (b"Content-Type", b"text/html; charset=utf-8"),
    (b"Content-Disposition", 'attachment; filename="报告.doc"'.encode("gbk")),  # raw bytes, kept
]
FIELDS = {
    "WARC-Record-ID": "<urn:uuid:00000000-0000-0000-0000-000000000001>",
    "WARC-Date": "2026-01-19T08:00:00.000000Z",
    "WARC-Warcinfo-ID": "<urn:uuid:00000000-0000-0000-0000-000000000002>",
    "XXGK-Context": '{"list_title":"年报","site":"s"}',
}


class _Head(StatusAndHeaders):
    """An HTTP head warcio writes as the given bytes (what the writer did before http_record)."""

    def __init__(self, buffer: bytes) -> None:
        super().__init__(buffer.split(b"\r\n", 1)[0].decode("latin-1"), [])
        self.headers_buff = buffer

    def compute_headers_buffer(self, header_filter: object = None) -> None:
        """Keep the given bytes."""


def by_warcio(kind: str, fields: dict[str, str], head: bytes, payload: bytes, digest: str = "") -> bytes:
    writer = Sha256RecordWriter(gzip=False, warc_version=WARC_VERSION)
    writer.out = BytesIO()
    if kind == "revisit":
        record = writer.create_revisit_record(
            URL, digest, "http://x/orig", "2025-01-01T00:00:00.000000Z", _Head(head), dict(fields)
        )
    else:
        record = writer.create_warc_record(
            URL, kind, BytesIO(payload), len(payload), warc_headers_dict=dict(fields), http_headers=_Head(head)
        )
    writer.write_record(record)
    return writer.out.getvalue()


def revisit_of(digest: str) -> dict[str, str]:
    return {
        "WARC-Profile": REVISIT_PROFILE,
        "WARC-Refers-To-Target-URI": "http://x/orig",
        "WARC-Refers-To-Date": "2025-01-01T00:00:00.000000Z",
        "WARC-Payload-Digest": digest,
    }


COLLIDING = [
    {},  # the writer's own fields: nothing warcio looks up is there
    {"warc-type": "other", "Content-Type": "application/http"},  # replaced in place, spelling kept
    {"WARC-Block-Digest": "sha256:GIVEN", "content-length": "1"},  # a given block digest is kept
    {"WARC-Payload-Digest": ""},  # an empty digest counts as none
    {"WARC-Target-URI": "http://elsewhere/"},
]


@pytest.mark.parametrize("extra", COLLIDING)
@pytest.mark.parametrize("payload", [b"", b"q=1&page=2"])
def test_a_request_record_is_warcios(extra: dict[str, str], payload: bytes) -> None:
    head = http_head(b"POST /search.do HTTP/1.1", [(b"Host", b"xxgk.example.gov.cn")])
    fields = FIELDS | extra
    assert http_record("request", URL, fields, head, payload) == by_warcio("request", fields, head, payload)


@pytest.mark.parametrize("extra", COLLIDING)
def test_a_response_record_is_warcios(extra: dict[str, str]) -> None:
    head = http_head(b"HTTP/1.1 200 OK", HEAD_PAIRS)
    fields = FIELDS | {"WARC-Payload-Digest": "sha256:ARCHIVED", "WARC-IP-Address": "10.0.0.7"} | extra
    assert http_record("response", URL, fields, head, BODY) == by_warcio("response", fields, head, BODY)


@pytest.mark.parametrize("extra", COLLIDING)
def test_a_revisit_record_is_warcios(extra: dict[str, str]) -> None:
    head = http_head(b"HTTP/1.1 200 OK", HEAD_PAIRS)
    digest = "sha256:ORIGINAL"
    fields = FIELDS | {"WARC-Refers-To": "<urn:uuid:3>"} | extra
    expected = by_warcio("revisit", fields, head, b"", digest)
    assert http_record("revisit", URL, fields, head, b"", revisit_of(digest)) == expected


def test_warcio_reads_the_record_and_its_digests_check() -> None:
    head = http_head(b"HTTP/1.1 200 OK", HEAD_PAIRS)
    digest = payload_digest_label(hashlib.sha256(BODY).digest())
    data = http_record("response", URL, FIELDS | {"WARC-Payload-Digest": digest}, head, BODY)
    records = ArchiveIterator(BytesIO(data), check_digests="raise")
    record = next(records)  # read before the iterator moves on
    assert record.rec_headers.get_header("WARC-Target-URI") == URL
    assert record.http_headers.get_header("Content-Type") == "text/html; charset=utf-8"
    assert record.content_stream().read() == BODY
    assert next(records, None) is None


@pytest.mark.parametrize("level", [1, 6, 9])
def test_one_call_gzip_is_the_stream_compressobj_wrote(level: int) -> None:
    """The writer compresses each record with zlib.compress; the records it wrote before came from
    compressobj().compress() + flush(): the bytes, and so every index length and offset, are equal."""
    rng = random.Random(level)
    text = "".join(rng.choices("政府信息公开年度报告abc<>/ 0123", k=60_000)).encode()
    samples = [b"", b"x", BODY, text[:1_500], text, rng.randbytes(100_000), text + rng.randbytes(40_000)]
    for data in samples:
        compressor = zlib.compressobj(level, zlib.DEFLATED, zlib.MAX_WBITS | 16)
        streamed = compressor.compress(data) + compressor.flush()
        assert zlib.compress(data, level, zlib.MAX_WBITS | 16) == streamed


def test_record_ids_are_random_version_4_uuids_as_warcio_writes_them() -> None:
    ids = [new_record_id() for _ in range(1_000)]
    assert len(set(ids)) == len(ids)
    for record_id in ids:
        assert record_id.startswith("<urn:uuid:") and record_id.endswith(">")
        parsed = uuid.UUID(record_id[len("<urn:uuid:") : -1])
        assert parsed.version == 4 and parsed.variant == uuid.RFC_4122
        assert record_id == f"<urn:uuid:{parsed}>"
