"""Dispatch by kind, and the guard that turns any reader failure into a clear error."""

from __future__ import annotations

from collections.abc import Callable

from crawler.extract.documents import DocumentExtraction
from crawler.extract.documents.errors import DocumentError
from crawler.extract.normalise import normalise_text


def read(data: bytes, kind: str) -> DocumentExtraction:
    reader = _READERS.get(kind)
    if reader is None:
        return DocumentExtraction(kind, None, "", None, f"unsupported: not a report document ({kind})")
    try:
        return reader(data, kind)
    except DocumentError as exc:
        return DocumentExtraction(kind, None, "", None, str(exc))
    except MemoryError:
        return DocumentExtraction(kind, None, "", None, "too-large: out of memory while reading")
    except RecursionError:
        return DocumentExtraction(kind, None, "", None, "unsupported: nesting too deep")
    except Exception as exc:  # a library's own error on a damaged file: report it, never raise
        return DocumentExtraction(kind, None, "", None, f"unreadable: {type(exc).__name__}: {exc}"[:300])


def _read_html(data: bytes, kind: str) -> DocumentExtraction:
    from crawler.extract.page import parse_page
    from crawler.extract.tables import extract_statistics

    page = parse_page(data)
    text = normalise_text(page.body_text)
    return DocumentExtraction(kind, "html", text, extract_statistics(text, page.body_html))


def _read_text(data: bytes, kind: str) -> DocumentExtraction:
    from crawler.extract.documents.textcodec import decode_text
    from crawler.extract.tables import extract_statistics

    text = normalise_text(decode_text(data))
    return DocumentExtraction(kind, "text", text, extract_statistics(text))


def _lazy(module: str, function: str) -> Callable[[bytes, str], DocumentExtraction]:
    def reader(data: bytes, kind: str) -> DocumentExtraction:
        import importlib

        read: Callable[[bytes, str], DocumentExtraction] = getattr(
            importlib.import_module(f"crawler.extract.documents.{module}"), function
        )
        return read(data, kind)

    return reader


_READERS: dict[str, Callable[[bytes, str], DocumentExtraction]] = {
    "html": _read_html,
    "text": _read_text,
    "pdf": _lazy("pdf", "read_pdf"),
    "docx": _lazy("word", "read_docx"),
    "doc": _lazy("legacy", "read_legacy_word"),
    "wps": _lazy("legacy", "read_legacy_word"),
    "xlsx": _lazy("sheets", "read_xlsx"),
    "xls": _lazy("sheets", "read_xls"),
    "et": _lazy("sheets", "read_xls"),
    "image": _lazy("images", "read_image"),
}
