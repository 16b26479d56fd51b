"""CDXJ indexes of the WARC files: one ``<warc name>.cdxj`` beside each ``.warc.gz``.

One index per WARC file means each file has exactly one writer, so several crawl workers can share a
data directory without locking. Lines follow pywb/cdxj-indexer (``<SURT key> <14-digit timestamp>
{json}``, numbers as strings) so the directory can be served by pywb later; the JSON carries a few
xxgk fields on top: ``record_id``, ``warc_date``, ``sha256`` (of the decoded payload) and ``method``
for non-GET captures. A writer appends lines in capture order while its file is open and sorts the
index when it closes the file (:func:`sort_index`), because pywb and WACZ readers binary-search a CDXJ
file and cannot serve one in capture order. Readers here do not depend on either order:
:func:`iter_index` yields each file's entries by offset, i.e. in capture order.
"""

from __future__ import annotations

import base64
import glob
import heapq
import json
import logging
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import surt

from crawler.archive.surtkey import fast_surt

logger = logging.getLogger(__name__)

INDEX_SUFFIX = ".cdxj"
WARC_GLOB = "*.warc.gz"
REVISIT_MIME = "warc/revisit"  # pywb's convention for revisit records in an index

# names are xxgk-{spider}-{14-digit UTC}-{serial:05d}-{worker}.warc.gz; the spider name may contain "-"
_NAME_ORDER = re.compile(r"-(\d{14})-(\d{5})-")


@dataclass(frozen=True, slots=True)
class CdxEntry:
    """One index line: where a response (or revisit) record lives and what it holds."""

    key: str
    timestamp: str
    url: str
    mime: str
    status: int | None
    digest: str
    length: int
    offset: int
    filename: str
    record_id: str | None = None
    warc_date: str | None = None
    method: str = "GET"
    sha256: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def is_revisit(self) -> bool:
        return self.mime == REVISIT_MIME


def surt_key(url: str, method: str = "GET", body: bytes | None = None) -> str:
    """The SURT sort key; non-GET captures get pywb's ``__wb_method`` query so each POST body is distinct."""
    if method.upper() != "GET":
        url = url + ("&" if urlsplit(url).query else "?") + _method_query(method, body or b"")
    # surt keeps spaces if a URL has them, and a space would split the CDXJ line
    return fast_surt(url).replace(" ", "%20")


def _method_query(method: str, body: bytes) -> str:
    query = f"__wb_method={method.lower()}"
    if not body:
        return query
    try:
        text = body.decode("ascii")
        if "=" in text and " " not in text:
            return f"{query}&{text}"  # already a form-urlencoded query, as pywb appends it
    except UnicodeDecodeError:
        pass
    return f"{query}&__wb_post_data={base64.b64encode(body).decode('ascii')}"


_LINE_JSON = json.JSONEncoder(ensure_ascii=False)  # what json.dumps(..., ensure_ascii=False) builds per call


def format_line(entry: CdxEntry) -> str:
    fields: dict[str, Any] = {
        "url": entry.url,
        "mime": entry.mime,
        "status": str(entry.status) if entry.status is not None else None,
        "digest": entry.digest,
        "length": str(entry.length),
        "offset": str(entry.offset),
        "filename": entry.filename,
        "record_id": entry.record_id,
        "warc_date": entry.warc_date,
        "sha256": entry.sha256,
        **entry.extra,
    }
    if entry.method != "GET":
        fields["method"] = entry.method
    present = {name: value for name, value in fields.items() if value is not None}
    return f"{entry.key} {entry.timestamp} {_LINE_JSON.encode(present)}\n"


_KNOWN = {"url", "mime", "status", "digest", "length", "offset", "filename"}
_KNOWN |= {"record_id", "warc_date", "sha256", "method"}


def parse_line(line: str) -> CdxEntry:
    key, timestamp, payload = line.rstrip("\n").split(" ", 2)
    fields = json.loads(payload)
    status = fields.get("status")
    return CdxEntry(
        key=key,
        timestamp=timestamp,
        url=fields["url"],
        mime=fields.get("mime", ""),
        status=int(status) if status not in (None, "", "-") else None,
        digest=fields.get("digest", ""),
        length=int(fields["length"]),
        offset=int(fields["offset"]),
        filename=fields["filename"],
        record_id=fields.get("record_id"),
        warc_date=fields.get("warc_date"),
        method=fields.get("method", "GET"),
        sha256=fields.get("sha256"),
        extra={name: value for name, value in fields.items() if name not in _KNOWN},
    )


def warc_sort_key(path: Path) -> tuple[str, str, str]:
    """Capture order across files: file-open timestamp, then the writer's serial, then the name."""
    match = _NAME_ORDER.search(path.name)
    if match is None:
        return ("", "", path.name)
    return (match.group(1), match.group(2), path.name)


def warc_files(warc_dir: str | Path, spider: str | None = None) -> list[Path]:
    """The WARC files under ``warc_dir`` in capture order (only those ``spider`` wrote, if given)."""
    # the spider's own name prefix in the glob: a writer opening among 1,000 sites' files lists its own
    pattern = WARC_GLOB if spider is None else f"xxgk-{glob.escape(spider)}-{WARC_GLOB}"
    paths = Path(warc_dir).glob(pattern)
    # the prefix also matches a spider named "<spider>-more": the exact name is checked once more
    mine = paths if spider is None else (path for path in paths if spider_of(path) == spider)
    return sorted(mine, key=warc_sort_key)


def spider_of(path: Path) -> str | None:
    """The spider that wrote a WARC file, from its name (``xxgk-<spider>-<stamp>-<serial>-<worker>``)."""
    match = _NAME_ORDER.search(path.name)
    if match is None or not path.name.startswith("xxgk-"):
        return None
    return path.name[len("xxgk-"):match.start()]


def iter_index(warc_dir: str | Path, spider: str | None = None) -> Iterator[CdxEntry]:
    """Every index entry under ``warc_dir`` (only the files ``spider`` wrote, if given), file by file
    in capture order."""
    for warc_path in warc_files(warc_dir, spider):
        index_path = warc_path.with_name(warc_path.name + INDEX_SUFFIX)
        if index_path.exists():
            yield from _read_index(index_path)


def _read_index(index_path: Path) -> Iterator[CdxEntry]:
    # sorted indexes (closed files) are in key order: put them back in capture (offset) order
    yield from sorted(_index_entries(index_path), key=lambda entry: entry.offset)


def _index_lines(index_path: Path) -> Iterator[str]:
    with index_path.open(encoding="utf-8") as lines:
        for line in lines:
            # a writer may be mid-line (live crawl) or may have died mid-line: skip the torn tail
            if not line.endswith("\n"):
                return
            if line.strip() and not line.startswith("!"):
                yield line


def _index_entries(index_path: Path) -> Iterator[CdxEntry]:
    return (parse_line(line) for line in _index_lines(index_path))


def sort_index(index_path: Path) -> None:
    """Rewrite one index in CDXJ order (byte order of the lines = SURT key, then timestamp).

    The file is replaced atomically, so a reader sees either the old or the new one; code-point
    order of ``str`` is the byte order of their UTF-8, which is what ``LC_ALL=C sort`` and pywb use.
    """
    lines = list(_index_lines(index_path))
    ordered = sorted(lines)  # linear on lines already in order
    if lines == ordered:
        return
    temporary = index_path.with_name(index_path.name + ".sorting")
    try:
        with temporary.open("w", encoding="utf-8") as out:
            out.writelines(ordered)
            out.flush()
            os.fsync(out.fileno())
        temporary.replace(index_path)
    except OSError as error:
        # a full disk at close: the index stays whole in capture order (readers sort it themselves:
        # sorted_lines, the collection builder), and no half-written copy is left beside it
        temporary.unlink(missing_ok=True)
        logger.warning("%s left in capture order: %s", index_path, error)


def sorted_lines(warc_dir: str | Path, names: set[str] | None = None) -> Iterator[str]:
    """Every index line under ``warc_dir`` (or of the WARC files in ``names``) merged in CDXJ order.

    Closed files' indexes are already sorted and are streamed; an index still in capture order (a
    live writer, or one killed before closing) is sorted in memory first.
    """
    streams = []
    for warc_path in warc_files(warc_dir):
        index_path = warc_path.with_name(warc_path.name + INDEX_SUFFIX)
        if index_path.exists() and (names is None or warc_path.name in names):
            lines = list(_index_lines(index_path))
            streams.append(lines if lines == sorted(lines) else sorted(lines))
    return heapq.merge(*streams)


def lookup(warc_dir: str | Path, url: str, *, method: str | None = None) -> list[CdxEntry]:
    """Captures of ``url`` (SURT-canonical match), oldest first; ``method`` filters e.g. POST answers."""
    get_key = surt_key(url)
    wanted = surt.surt(url)
    found = []
    for entry in iter_index(warc_dir):
        if method is not None and entry.method != method.upper():
            continue
        # POST keys carry their body in the query, so compare their bare URL instead of the key
        same_url = entry.key == get_key if entry.method == "GET" else surt.surt(entry.url) == wanted
        if same_url:
            found.append(entry)
    return sorted(found, key=lambda entry: (entry.timestamp, entry.warc_date or ""))


def load_digest_map(warc_dir: str | Path, spider: str | None = None) -> dict[str, CdxEntry]:
    """Payload digest → the first full (non-revisit) capture holding that payload (among the files
    ``spider`` wrote, if given)."""
    originals: dict[str, CdxEntry] = {}
    for entry in iter_index(warc_dir, spider):
        if entry.digest and not entry.is_revisit:
            originals.setdefault(entry.digest, entry)
    return originals
