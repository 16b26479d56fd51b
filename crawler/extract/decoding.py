"""Page bytes → text: the declared encoding checked against the bytes, then the page's own evidence."""

from __future__ import annotations

import codecs
import re

__all__ = ["decode_html"]

# Also matches the malformed <meta httpequiv="ContentType" content="text/html; charset=gbk"> that
# w3lib misses (sites.md §5.2), since only "charset=" matters here.
_META_CHARSET = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_.:\-]+)""", re.IGNORECASE)
# GB2312 is declared where GBK is served; GB18030 is a superset of both.
_GB_FAMILY = {"gb2312", "gbk", "gb_2312", "gb_2312-80", "x-gbk", "cp936", "euc-cn", "hz-gb-2312", "gb18030"}


# Labels that decode any bytes without an error, so a wrong one is never noticed: error pages come
# labelled iso-8859-1 (sites.md §5.2); no report is really in a Western single-byte code page.
_SILENT_CODECS = {"latin-1", "iso8859-1", "cp1252"}


def decode_html(data: bytes, encoding: str | None = None) -> str:
    """Bytes → text: the given encoding if the bytes are valid in it, else a BOM, else the meta
    charset, else UTF-8 or GB18030.

    The given encoding (the HTTP header's, as Scrapy decided it) is checked, not trusted: a
    ``charset=utf-8`` header over GBK bytes (sites.md §5.2) would otherwise turn every character
    into U+FFFD; then the page's own evidence decides.
    """
    if encoding:
        codec = _codec(encoding) or "utf-8"
        if codec not in _SILENT_CODECS:
            try:
                return data.decode(codec)
            except UnicodeDecodeError:
                pass
    if data.startswith(codecs.BOM_UTF8):
        return data[3:].decode("utf-8", errors="replace")
    declared = _META_CHARSET.search(data[:4096])
    meta_codec = _codec(declared.group(1).decode("ascii")) if declared else None
    if meta_codec:
        return data.decode(meta_codec, errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("gb18030", errors="replace")


def _codec(label: str) -> str | None:
    label = label.strip().lower()
    if label in _GB_FAMILY:
        return "gb18030"
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None

