"""Format-level bounds, checked before anything big is inflated, decoded or rendered.

A hostile or broken attachment must end with a clear error in bounded time and memory, and the
crawl goes on; these limits are far above any real annual report (a few pages, three tables).
"""

from __future__ import annotations

import io
import zipfile

from crawler.extract.documents.errors import DocumentError

#: total uncompressed size of an OOXML package (DOCX / XLSX)
MAX_ZIP_UNCOMPRESSED = 200 * 1024 * 1024
#: uncompressed / compressed size of one member beyond which it is a zip bomb
MAX_ZIP_RATIO = 200
#: members of an OOXML package
MAX_ZIP_MEMBERS = 5000
#: cells of one sheet or Word table grid
MAX_CELLS = 200_000
#: pages of a PDF read (an annual report has 5–30)
MAX_PDF_PAGES = 200
#: pages of a PDF sent to OCR when its text is garbled (OCR costs ~1 s a page)
MAX_OCR_PAGES = 20
#: pixels of an image decoded for OCR (a 6000×6000 screenshot is 36 M)
MAX_IMAGE_PIXELS = 40_000_000


def check_zip(data: bytes) -> None:
    """Sizes from the central directory, before a single byte is inflated."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise DocumentError("truncated", f"not a complete zip package ({exc})") from exc
    members = archive.infolist()
    if len(members) > MAX_ZIP_MEMBERS:
        raise DocumentError("zip-bomb", f"{len(members)} members in the package")
    total = 0
    for member in members:
        total += member.file_size
        ratio = member.file_size / max(1, member.compress_size)
        if member.file_size > 1024 * 1024 and ratio > MAX_ZIP_RATIO:
            raise DocumentError(
                "zip-bomb",
                f"{member.filename} inflates {member.compress_size} bytes to {member.file_size} (×{ratio:.0f})",
            )
    if total > MAX_ZIP_UNCOMPRESSED:
        raise DocumentError("zip-bomb", f"the package inflates to {total} bytes")
