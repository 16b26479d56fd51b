"""What a file is, from its magic bytes first, then its name, then its Content-Type.

Portals serve ``.pdf`` files that are HTML error pages, ``.doc`` files that are really DOCX, WPS
files named ``.doc`` and spreadsheets with upper-case or missing extensions, so the bytes decide
whenever they can.
"""

from __future__ import annotations

import io
import os
import zipfile

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_IMAGE_MAGIC = (
    b"\x89PNG\r\n\x1a\n",
    b"\xff\xd8\xff",
    b"GIF87a",
    b"GIF89a",
    b"BM",
    b"II*\x00",
    b"MM\x00*",
)
_EXTENSIONS = {
    "pdf": "pdf",
    "docx": "docx",
    "doc": "doc",
    "wps": "wps",
    "xlsx": "xlsx",
    "xlsm": "xlsx",
    "xls": "xls",
    "et": "et",
    "png": "image",
    "jpg": "image",
    "jpeg": "image",
    "gif": "image",
    "bmp": "image",
    "tif": "image",
    "tiff": "image",
    "webp": "image",
    "html": "html",
    "htm": "html",
    "shtml": "html",
    "txt": "text",
    "text": "text",
    "md": "text",
}
_CONTENT_TYPES = {
    "application/pdf": "pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/msword": "doc",
    "application/vnd.ms-works": "wps",
    "application/kswps": "wps",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/vnd.ms-excel": "xls",
    "application/kset": "et",
    "text/html": "html",
    "text/plain": "text",
}


def sniff_kind(data: bytes, *, filename: str = "", content_type: str = "") -> str:
    """pdf / docx / doc / wps / xlsx / xls / et / image / html / text / unknown."""
    by_name = kind_from_name(filename)
    by_type = _CONTENT_TYPES.get(content_type.split(";")[0].strip().lower())
    head = data[:8]
    if data[:1024].lstrip()[:5] == b"%PDF-" or b"%PDF-" in data[:1024]:
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return _zip_kind(data, by_name or by_type)
    if head.startswith(_OLE):
        return _ole_kind(data, by_name or by_type)
    if data.startswith(b"RIFF") and data[8:12] == b"WEBP":
        return "image"
    if any(head.startswith(magic) for magic in _IMAGE_MAGIC):
        return "image"
    if by_name in ("pdf", "docx", "doc", "wps", "xlsx", "xls", "et", "image"):
        # a binary name on bytes that are none of those: an HTML error page or a text file
        return _text_kind(data)
    if by_name or by_type:
        return by_name or by_type or "unknown"
    return _text_kind(data)


def kind_from_name(filename: str) -> str | None:
    """The kind a file name's extension promises (None without a known extension)."""
    name = filename.rsplit("/", 1)[-1].split("?", 1)[0]
    if "." not in name:
        return None
    return _EXTENSIONS.get(name.rsplit(".", 1)[-1].strip().lower())


#: extensions of files whose bytes are a page or plain text: everything else is sniffed
_SOURCE_KINDS = {"html": "html", "htm": "html", "shtml": "html", "xhtml": "html", "txt": "text", "text": "text",
                 "md": "text"}


def source_kind(filename: str | os.PathLike[str]) -> str | None:
    """The ``kind`` to hand ``extract_report`` for a local file: "html" or "text" by its extension,
    None for anything else (pdf, docx, doc, wps, xlsx, xls, et, png, jpg…: sniffed from its bytes)."""
    suffix = os.path.splitext(os.fspath(filename))[1]
    return _SOURCE_KINDS.get(suffix.lower().removeprefix("."))


def _zip_kind(data: bytes, hint: str | None) -> str:
    try:
        names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        # a truncated zip has no central directory: trust the name, the reader reports the damage
        return hint if hint in ("docx", "xlsx") else "docx"
    if any(name.startswith("word/") for name in names):
        return "docx"
    if any(name.startswith("xl/") for name in names):
        return "xlsx"
    return hint if hint in ("docx", "xlsx") else "unknown"


def _ole_kind(data: bytes, hint: str | None) -> str:
    """An OLE2 compound file: Word (doc/wps) or Excel (xls/et), told apart by its stream names."""
    window = data[: 1 << 20]
    # stream names in the directory are UTF-16; a Word file always has "WordDocument"
    if "WordDocument".encode("utf-16-le") in window:
        return hint if hint in ("doc", "wps") else "doc"
    if "Workbook".encode("utf-16-le") in window or "Book".encode("utf-16-le") in window:
        return hint if hint in ("xls", "et") else "xls"
    return hint if hint in ("doc", "wps", "xls", "et") else "unknown"


def _text_kind(data: bytes) -> str:
    if not data.strip():
        return "unknown"
    head = data[:4096].lower()
    if b"<html" in head or b"<body" in head or b"<table" in head or b"<!doctype" in head:
        return "html"
    if b"\x00" in data[:4096]:
        return "unknown"
    return "text"
