"""SURT of a plain crawl URL with the host's part computed once per host: ``surt.surt`` for less CPU.

``surt.surt`` parses the URL, canonicalises host, path and query, and joins them; for a URL of the
form ``http(s)://host/path[?query]`` (letters in the host, no port, user or fragment, printable
ASCII) the host's part of the result depends on the scheme and host alone, so it is taken from
``surt.surt`` of ``scheme://host/`` once per host, and the path and query go through the same
surt functions in the same order as in ``surt.surt``'s default canonicaliser. Any other URL goes to
``surt.surt`` itself. tests/test_archive_surtkey.py compares both on many thousand URLs.
"""

from __future__ import annotations

import functools
import re

import surt
from surt.GoogleURLCanonicalizer import escapeOnce, minimalEscape, normalizePath, unescapeRepeatedly
from surt.IAURLCanonicalizer import alphaReorderQuery
from surt.URLRegexTransformer import stripPathSessionID, stripQuerySessionID

# the split handyurl.parse makes of such a URL: what is not matched here, surt.surt handles
_PLAIN = re.compile(
    r"(https?)://([A-Za-z0-9.-]*[A-Za-z][A-Za-z0-9.-]*)"  # a letter: never read as an IP address
    r"(/[\x21\x22\x24-\x3e\x40-\x7e]*)"  # printable ASCII but "#" and "?"
    r"(?:\?([\x21\x22\x24-\x7e]+))?"  # a query (not an empty one), no fragment
)


def fast_surt(url: str) -> str:
    """Equal to ``surt.surt(url)`` for every ``url``."""
    match = _PLAIN.fullmatch(url)
    host = match and _host_part(match.group(1), match.group(2))
    if match is None or host is None:
        return surt.surt(url)
    return host + _path_and_query(match.group(3).encode("ascii"), match.group(4)).decode("ascii")


@functools.lru_cache(maxsize=4096)
def _host_part(scheme: str, netloc: str) -> str | None:
    """``surt.surt``'s output up to the path, e.g. ``cn,gov,xxgk)``; None if it has no host part."""
    probe = surt.surt(f"{scheme}://{netloc}/")
    return probe[:-1] if probe.endswith(")/") else None  # the probe's path "/" stays "/"


def _path_and_query(path: bytes, text_query: str | None) -> bytes:
    query = text_query.encode("ascii") if text_query else None
    # GoogleURLCanonicalizer.canonicalize (the host is not empty: paths are normalised)
    if query:
        query = minimalEscape(query)
    path = escapeOnce(normalizePath(unescapeRepeatedly(path)))
    # IAURLCanonicalizer.canonicalize with its defaults
    if path:
        path = stripPathSessionID(path.lower())
    if path and path.endswith(b"/") and len(path) > 1:
        path = path[:-1]
    if query:
        query = alphaReorderQuery(stripQuerySessionID(query).lower())
        if query == b"":
            query = None
    # handyurl.geturl_bytes after the host part
    out = path if path else (b"/" if query is not None else b"")
    return out + b"?" + query if query is not None else out
