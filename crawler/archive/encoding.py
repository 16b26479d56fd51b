"""Content-Encoding decoding shared by the writer (for ``payload_sha256``) and the reader.

It mirrors Scrapy's ``HttpCompressionMiddleware``: codings are undone last-applied first and decoding
stops at the first coding it does not know, so the bytes we hash are the bytes a spider sees as
``response.body``.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterable

Decoder = Callable[[bytes], bytes]


class ContentDecodingError(ValueError):
    """The body does not decode with the Content-Encoding the server declared."""


def _gunzip(body: bytes) -> bytes:
    # wbits=MAX_WBITS|32 reads gzip or zlib headers; a loop handles multi-member gzip streams.
    out = bytearray()
    while body:
        decompressor = zlib.decompressobj(zlib.MAX_WBITS | 32)
        out += decompressor.decompress(body)
        out += decompressor.flush()
        body = decompressor.unused_data
    return bytes(out)


def _inflate(body: bytes) -> bytes:
    # "deflate" should be zlib-wrapped, but many servers send raw deflate; accept both like browsers.
    try:
        return zlib.decompress(body)
    except zlib.error:
        return zlib.decompress(body, -zlib.MAX_WBITS)


def _identity(body: bytes) -> bytes:
    return body


def _optional_decoders() -> dict[str, Decoder]:
    decoders: dict[str, Decoder] = {}
    try:
        import brotli

        decoders["br"] = brotli.decompress
    except ImportError:  # brotli is optional, as it is for Scrapy
        pass
    try:
        import zstandard

        decoders["zstd"] = lambda body: zstandard.ZstdDecompressor().decompressobj().decompress(body)
    except ImportError:
        pass
    return decoders


DECODERS: dict[str, Decoder] = {
    "gzip": _gunzip,
    "x-gzip": _gunzip,
    "deflate": _inflate,
    "identity": _identity,
    **_optional_decoders(),
}


def split_codings(content_encoding: str | bytes | Iterable[str | bytes] | None) -> list[str]:
    """``"gzip, br"`` or several header values → ``["gzip", "br"]`` (lower-case, in applied order)."""
    if content_encoding is None:
        return []
    values = [content_encoding] if isinstance(content_encoding, str | bytes) else list(content_encoding)
    codings: list[str] = []
    for value in values:
        text = value.decode("latin-1") if isinstance(value, bytes) else value
        codings.extend(part.strip().lower() for part in text.split(",") if part.strip())
    return codings


def decode_content(body: bytes, content_encoding: str | bytes | Iterable[str | bytes] | None) -> bytes:
    """Undo the Content-Encoding of ``body``; raise :class:`ContentDecodingError` on corrupt data."""
    for coding in reversed(split_codings(content_encoding)):
        decoder = DECODERS.get(coding)
        if decoder is None:
            break  # unknown coding: leave the rest encoded, as Scrapy does
        try:
            body = decoder(body)
        except Exception as error:  # zlib.error, brotli.error, … have no common base
            raise ContentDecodingError(f"cannot decode {coding!r} body: {error}") from error
    return body
