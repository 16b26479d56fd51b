"""An article page (Hanweb, TRS or a similar CMS, or a bare fragment) → :class:`model.Page`.

This runs on every crawled page, so it is one lxml parse, one pass to pick the body
(crawler/extract/body.py), one walk to turn the body into text, and a few regexes over the raw HTML
for the chrome (date line, source). Decoding is in decoding.py, the page's files in links.py.
"""

from __future__ import annotations

import re

from lxml import etree

from crawler.extract.body import body_element, body_to_text
from crawler.extract.decoding import decode_html
from crawler.extract.links import file_extension, page_attachments
from crawler.extract.markup import Element, join_url, squash, text_of
from crawler.extract.model import Attachment, Page

# body_to_text, decode_html and file_extension are re-exported: callers import them from here
__all__ = ["body_to_text", "decode_html", "file_extension", "meta_value", "page_links", "parse_page"]

# ---------------------------------------------------------------------------------------------
# The page

_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")


def parse_page(html: str | bytes, url: str | None = None, encoding: str | None = None) -> Page:
    """What an article page says about itself: title, meta, date line, source, body, attachments."""
    text, doc = _parse_document(html, encoding)
    if doc is None:
        return Page()
    meta = _meta(doc)
    body = body_element(doc)
    base = _base_url(doc, url)
    return Page(
        title=_title(doc, meta),
        meta=meta,
        date_line=_date_line(text),
        source=_source(text, meta),
        body_html=etree.tostring(body, method="html", encoding="unicode", with_tail=False)
        if body is not None
        else None,
        body_text=body_to_text(body) if body is not None else "",
        attachments=page_attachments(doc, body, base),
    )


def page_links(
    html: str | bytes, url: str | None = None, encoding: str | None = None
) -> tuple[list[Attachment], Element | None]:
    """(attachments, body element): what :func:`parse_page` finds of a page's files, without reading
    its text — all a crawler needs to decide which files to fetch with the page."""
    _text, doc = _parse_document(html, encoding)
    if doc is None:
        return [], None
    body = body_element(doc)
    return page_attachments(doc, body, _base_url(doc, url)), body


def _parse_document(html: str | bytes, encoding: str | None) -> tuple[str, Element | None]:
    """The decoded page and its lxml tree (None for an empty or unparsable page)."""
    text = decode_html(html, encoding) if isinstance(html, bytes) else html
    text = _XML_DECLARATION.sub("", text)
    if not text.strip():
        return text, None
    try:
        # Plain etree elements, not lxml.html's: its per-element class lookup triples the walk time.
        return text, etree.fromstring(text, etree.HTMLParser())
    except (etree.ParserError, ValueError):
        return text, None


def _meta(doc: Element) -> dict[str, str]:
    meta: dict[str, str] = {}
    for element in doc.iter("meta"):
        name, content = element.get("name"), element.get("content")
        if name and content is not None:
            meta.setdefault(name.strip(), content.strip())
    return meta


def meta_value(meta: dict[str, str], name: str) -> str | None:
    """A meta value by name, exact case first, then case-insensitively (sites differ)."""
    if meta.get(name):
        return meta[name]
    lowered = name.lower()
    return next((value for key, value in meta.items() if key.lower() == lowered and value), None)


def _base_url(doc: Element, url: str | None) -> str | None:
    base = doc.find(".//base[@href]")
    if base is None:
        return url
    return join_url(url or "", base.get("href", "").strip()) or url


# ---------------------------------------------------------------------------------------------
# Title

# Whitespace separates the parts, except inside "2022 年" (PDF-style spacing around numbers).
_TITLE_SEPARATORS = re.compile(r"(?<!\d)\s+(?![\d年])|\s*[-_|—–]+\s*")


def _title(doc: Element, meta: dict[str, str]) -> str | None:
    article_title = meta_value(meta, "ArticleTitle")
    if article_title:
        return squash(article_title)
    heading = _heading(doc)
    if heading:
        return heading
    title = doc.find(".//title")
    return _title_tag_part(text_of(title)) if title is not None else None


# the elements whose class list holds art_tit: compiled once, the test on the attributes alone (a
# sixth of the time of 「//*[contains(…@class…)]」, which builds every element first); the same order
_ART_TIT = etree.XPath('//@class[contains(concat(" ", normalize-space(.), " "), " art_tit ")]/..')


def _heading(doc: Element) -> str | None:
    """The article heading: .art_tit, else an h1 (preferring one naming a report; logos use h1 too)."""
    candidates = [
        *_ART_TIT(doc),
        *doc.iter("h1"),
    ]
    texts = [text for text in (squash(text_of(el)) for el in candidates) if text]
    reports = [text for text in texts if "报告" in text or "年报" in text]
    return (reports or texts)[0] if texts else None


def _title_tag_part(title: str) -> str | None:
    """<title> is "站名 栏目 标题" on Hanweb, "标题-站名" elsewhere: take the part naming the report."""
    parts = [part for part in _TITLE_SEPARATORS.split(title.strip()) if part]
    if not parts:
        return None
    reports = [part for part in parts if "报告" in part or "年报" in part]
    return (reports or parts)[-1]



# ---------------------------------------------------------------------------------------------
# Date line and source (searched in the raw HTML: they sit in the chrome, before the body)

_TAGS = r"(?:\s|&nbsp;|<[^>]+>)*"
_DATE_VALUE = r"\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?(?:\s*\d{1,2}:\d{2}(?::\d{2})?)?"
# 「日期」 and 「时间」 alone only after a non-CJK character. The test follows the word
# (「日期(?<![CJK]日期)」, the same matches as 「(?<![CJK])日期」): a lookbehind leading an
# alternative is tried at every position of the page, after its word only where the word is.
_DATE_LINE = re.compile(
    r"(发布日期|发布时间|发表时间|发文日期|日期(?<![\u4e00-\u9fff]日期)|时间(?<![\u4e00-\u9fff]时间)|成文日期|生成日期)"
    rf"\s*[:：]?{_TAGS}({_DATE_VALUE})"
)
_DATE_LABEL_RANK = {"发布日期": 0, "发布时间": 0, "发表时间": 0, "发文日期": 1, "日期": 2, "时间": 2}

_SOURCE_MARKED = re.compile(r"<!--<\$\[信息来源\]>begin-->(.*?)<!--<\$\[信息来源\]>end-->", re.DOTALL)
_CELL_BREAK = r"\s*</t[dh]>\s*<t[dh][^>]*>"
_SOURCE_LABELLED = re.compile(
    rf"(信息来源|文章来源|来源(?<![\u4e00-\u9fff]来源)|发布机构|发布单位)(?:\s*[:：]|{_CELL_BREAK}){_TAGS}"
    r"([^<>\s:：|•·\d][^<>\s:：|•·]{1,39})"
)


def _date_line(html: str) -> str | None:
    best: tuple[int, str] | None = None
    for match in _DATE_LINE.finditer(html):
        rank = _DATE_LABEL_RANK.get(match.group(1), 3)
        if best is None or rank < best[0]:
            best = (rank, f"{match.group(1)}：{squash(match.group(2))}")
        if rank == 0:
            break
    return best[1] if best else None


def _source(html: str, meta: dict[str, str]) -> str | None:
    content_source = meta_value(meta, "ContentSource")
    if content_source:
        return squash(content_source)
    marked = _SOURCE_MARKED.search(html)
    if marked:
        value = squash(re.sub(r"<[^>]+>", "", marked.group(1)))
        if value:
            return value
    labelled = sorted(_SOURCE_LABELLED.finditer(html), key=lambda m: m.group(1).startswith("发布"))
    return labelled[0].group(2).strip() if labelled else None

