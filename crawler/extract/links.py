"""A page's files: links to documents (PDF, Word, Excel …), flipbooks, and the pictures in its body."""

from __future__ import annotations

from urllib.parse import parse_qs, unquote

from crawler.extract.markup import Element, resolve, split_url, squash, text_of
from crawler.extract.model import Attachment

__all__ = ["file_extension", "image_name", "page_attachments"]

_FILE_EXTENSIONS = frozenset(
    ("pdf", "doc", "docx", "wps", "xls", "xlsx", "et", "zip", "rar", "7z", "ofd", "rtf")
)
_FLIPBOOK_WORDS = ("电子书", "电子版阅读", "翻页", "点击阅读")
_IGNORED_SCHEMES = ("javascript:", "mailto:", "tel:", "#", "data:")


def page_attachments(doc: Element, body: Element | None, base: str | None) -> list[Attachment]:
    found: dict[str, Attachment] = {}
    for link in doc.iter("a"):
        attachment = _link_attachment(link, base)
        if attachment and attachment.url not in found:
            found[attachment.url] = attachment
    for image in body.iter("img") if body is not None else ():
        src = _usable_href(image.get("src")) or _usable_href(image.get("oldsrc"))
        if src:
            url = resolve(base, src)
            found.setdefault(url, Attachment(url=url, name=image_name(image), kind="image"))
    return list(found.values())


def _link_attachment(link: Element, base: str | None) -> Attachment | None:
    href = _usable_href(link.get("href"))
    oldsrc = _usable_href(link.get("oldsrc"))
    text = squash(text_of(link))
    for candidate in (href, oldsrc):
        if candidate and _is_file_link(candidate):
            return Attachment(url=resolve(base, candidate), name=text or _file_name(candidate))
    if href and _is_flipbook(href, text):
        return Attachment(url=resolve(base, href), name=text or None, kind="flipbook")
    return None


def _usable_href(href: str | None) -> str | None:
    href = (href or "").strip()
    if not href or href.lower().startswith(_IGNORED_SCHEMES):
        return None
    return href


def _is_file_link(href: str) -> bool:
    parts = split_url(href)
    if file_extension(parts.path) in _FILE_EXTENSIONS:
        return True
    if "download" in parts.path.lower() or "downfile" in parts.path.lower():
        query = parse_qs(parts.query)
        names = [*query.get("filename", []), *query.get("showname", []), *query.get("fileName", [])]
        return any(file_extension(name) in _FILE_EXTENSIONS for name in names) or bool(names)
    return False


def _is_flipbook(href: str, text: str) -> bool:
    path = split_url(href).path.lower()
    return "/book/" in path or "basic-html" in path or any(word in text for word in _FLIPBOOK_WORDS)


def file_extension(path: str) -> str:
    """The lower-cased extension of a URL path's last segment ("" when it has none)."""
    name = path.rsplit("/", 1)[-1]
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def _file_name(href: str) -> str | None:
    parts = split_url(href)
    query = parse_qs(parts.query)
    for key in ("showname", "filename"):
        if query.get(key):
            return query[key][0]
    return unquote(parts.path.rsplit("/", 1)[-1]) or None


def image_name(image: Element) -> str:
    alt = (image.get("alt") or image.get("title") or "").strip()
    if alt:
        return alt
    src = image.get("oldsrc") or image.get("src") or ""
    name = unquote(split_url(src.strip()).path.rsplit("/", 1)[-1])
    return name.rsplit(".", 1)[0] or "image"
