"""Damaged and foreign WARC files made on purpose (tests/test_hostile_archives.py, tests/test_e2e_infrastructure.py)."""

from __future__ import annotations

import gzip
import io
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter


def rewrite_member(path: Path, offset: int, length: int, old: bytes, new: bytes) -> None:
    """Change bytes inside one record's gzip member, keeping its headers (and so its digests)."""
    data = path.read_bytes()
    member = gzip.decompress(data[offset:offset + length])
    assert old in member and len(old) == len(new)
    at = member.rindex(old)  # the last occurrence: in the payload, not the headers
    recompressed = gzip.compress(member[:at] + new + member[at + len(old):])
    path.write_bytes(data[:offset] + recompressed + data[offset + length:])


def foreign_warc(path: Path) -> None:
    with path.open("wb") as stream:
        writer = WARCWriter(stream, gzip=True)
        writer.write_record(writer.create_warcinfo_record(path.name, {"software": "Heritrix/3.4.0"}))
        http = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
        record = writer.create_warc_record("http://elsewhere.example/", "response",
                                           payload=io.BytesIO(b"<html>not ours</html>"), http_headers=http)
        writer.write_record(record)
