"""One WARC file being written and its CDXJ index (crawler/archive/writer.py rolls them)."""

from __future__ import annotations

import errno
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from crawler.archive.cdxj import sort_index


@dataclass(slots=True)
class OpenWarc:
    """A WARC file and its index, both unbuffered: what ``append`` returned is on disk (no buffer
    left to be flushed later, after a failure), and a failed write is cut off again (``rollback``)."""

    name: str
    warc: BinaryIO
    index: BinaryIO
    warcinfo_id: str = ""

    def append(self, record_bytes: bytes) -> tuple[int, int]:
        offset = self.warc.tell()
        write_all(self.warc, record_bytes)
        return offset, len(record_bytes)

    def mark(self) -> tuple[int, int]:
        return self.warc.tell(), self.index.tell()

    def rollback(self, mark: tuple[int, int]) -> None:
        """Cut both files back to ``mark``: a write that failed (disk full) leaves no partial record,
        and no index line for a record that is not whole."""
        for stream, size in zip((self.warc, self.index), mark, strict=True):
            stream.truncate(size)
            stream.seek(size)

    def close(self) -> None:
        self.warc.close()
        self.index.close()
        sort_index(Path(self.index.name))  # no more lines will come: sort it for pywb and WACZ


def write_all(stream: BinaryIO, data: bytes) -> None:
    """Unbuffered writes may be short (a disk filling up): loop until all is written or one fails."""
    view = memoryview(data)
    while view:
        written = stream.write(view)
        if not written:
            raise OSError(errno.ENOSPC, "short write", getattr(stream, "name", "?"))
        view = view[written:]
