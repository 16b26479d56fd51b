"""An article page (Hanweb, TRS or a similar CMS, or a bare fragment) → :class:`model.Page`.

This runs on every crawled page, so it is one lxml parse, one pass to pick the body, one walk to
turn the body into text, and a few regexes over the raw HTML for the chrome (date line, source).
"""

from __future__ import annotations

import codecs
import copy
import re
from urllib.parse import SplitResult, parse_qs, unquote, urljoin, urlsplit

from lxml import etree

from crawler.extract.model import Attachment, Page

__all__ = ["body_to_text", "decode_html", "file_extension", "meta_value", "page_links", "parse_page"]

_Element = etree._Element

# ---------------------------------------------------------------------------------------------
# Decoding

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
    codec = _codec(declared.group(1).decode("ascii")) if declared else None
    if codec:
        return data.decode(codec, errors="replace")
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


# ---------------------------------------------------------------------------------------------
# The page

_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")


def parse_page(html: str | bytes, url: str | None = None, encoding: str | None = None) -> Page:
    """What an article page says about itself: title, meta, date line, source, body, attachments."""
    text, doc = _parse_document(html, encoding)
    if doc is None:
        return Page()
    meta = _meta(doc)
    body = _body_element(doc)
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
        attachments=_attachments(doc, body, base),
    )


def page_links(
    html: str | bytes, url: str | None = None, encoding: str | None = None
) -> tuple[list[Attachment], _Element | None]:
    """(attachments, body element): what :func:`parse_page` finds of a page's files, without reading
    its text — all a crawler needs to decide which files to fetch with the page."""
    _text, doc = _parse_document(html, encoding)
    if doc is None:
        return [], None
    body = _body_element(doc)
    return _attachments(doc, body, _base_url(doc, url)), body


def _parse_document(html: str | bytes, encoding: str | None) -> tuple[str, _Element | None]:
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


def _meta(doc: _Element) -> dict[str, str]:
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


def _base_url(doc: _Element, url: str | None) -> str | None:
    base = doc.find(".//base[@href]")
    if base is None:
        return url
    return _join(url or "", base.get("href", "").strip()) or url


# ---------------------------------------------------------------------------------------------
# Title

_SPACES = re.compile(r"\s+")
# Whitespace separates the parts, except inside "2022 年" (PDF-style spacing around numbers).
_TITLE_SEPARATORS = re.compile(r"(?<!\d)\s+(?![\d年])|\s*[-_|—–]+\s*")


def _title(doc: _Element, meta: dict[str, str]) -> str | None:
    article_title = meta_value(meta, "ArticleTitle")
    if article_title:
        return _squash(article_title)
    heading = _heading(doc)
    if heading:
        return heading
    title = doc.find(".//title")
    return _title_tag_part(_text_of(title)) if title is not None else None


def _heading(doc: _Element) -> str | None:
    """The article heading: .art_tit, else an h1 (preferring one naming a report; logos use h1 too)."""
    candidates = [
        *doc.xpath('//*[contains(concat(" ", normalize-space(@class), " "), " art_tit ")]'),
        *doc.iter("h1"),
    ]
    texts = [text for text in (_squash(_text_of(el)) for el in candidates) if text]
    reports = [text for text in texts if "报告" in text or "年报" in text]
    return (reports or texts or [None])[0]


def _title_tag_part(title: str) -> str | None:
    """<title> is "站名 栏目 标题" on Hanweb, "标题-站名" elsewhere: take the part naming the report."""
    parts = [part for part in _TITLE_SEPARATORS.split(title.strip()) if part]
    if not parts:
        return None
    reports = [part for part in parts if "报告" in part or "年报" in part]
    return (reports or parts)[-1]


def _squash(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


# ---------------------------------------------------------------------------------------------
# Date line and source (searched in the raw HTML: they sit in the chrome, before the body)

_TAGS = r"(?:\s|&nbsp;|<[^>]+>)*"
_DATE_VALUE = r"\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?(?:\s*\d{1,2}:\d{2}(?::\d{2})?)?"
_DATE_LINE = re.compile(
    rf"(发布日期|发布时间|发表时间|发文日期|(?<![\u4e00-\u9fff])日期|(?<![\u4e00-\u9fff])时间|成文日期|生成日期)"
    rf"\s*[:：]?{_TAGS}({_DATE_VALUE})"
)
_DATE_LABEL_RANK = {"发布日期": 0, "发布时间": 0, "发表时间": 0, "发文日期": 1, "日期": 2, "时间": 2}

_SOURCE_MARKED = re.compile(r"<!--<\$\[信息来源\]>begin-->(.*?)<!--<\$\[信息来源\]>end-->", re.DOTALL)
_CELL_BREAK = r"\s*</t[dh]>\s*<t[dh][^>]*>"
_SOURCE_LABELLED = re.compile(
    rf"(信息来源|文章来源|(?<![\u4e00-\u9fff])来源|发布机构|发布单位)(?:\s*[:：]|{_CELL_BREAK}){_TAGS}"
    r"([^<>\s:：|•·\d][^<>\s:：|•·]{1,39})"
)


def _date_line(html: str) -> str | None:
    best: tuple[int, str] | None = None
    for match in _DATE_LINE.finditer(html):
        rank = _DATE_LABEL_RANK.get(match.group(1), 3)
        if best is None or rank < best[0]:
            best = (rank, f"{match.group(1)}：{_squash(match.group(2))}")
        if rank == 0:
            break
    return best[1] if best else None


def _source(html: str, meta: dict[str, str]) -> str | None:
    content_source = meta_value(meta, "ContentSource")
    if content_source:
        return _squash(content_source)
    marked = _SOURCE_MARKED.search(html)
    if marked:
        value = _squash(re.sub(r"<[^>]+>", "", marked.group(1)))
        if value:
            return value
    labelled = sorted(_SOURCE_LABELLED.finditer(html), key=lambda m: m.group(1).startswith("发布"))
    return labelled[0].group(2).strip() if labelled else None


# ---------------------------------------------------------------------------------------------
# The body element

# In order of trust. Several matches of one selector (two div.zz-xl-ct) → the one with most text.
# The CMS-specific ones are taken even when short (an attachment-only report says just 详见附件);
# the generic ones must carry some text, or a layout wrapper of the same name would win.
_BODY_IDS = ("zoom",)
_BODY_CLASSES = (
    ("art_con",),
    ("trs_editor_view", "trs_editor", "trs_ueditor"),
    ("zz-xl-ct",),
    ("content", "view", "article-content", "article_content", "pages_content", "wzcon"),
)
_GENERIC_GROUP = len(_BODY_CLASSES)  # index in [ids, *classes] of the generic class names
_MIN_GENERIC_CHARS = 20


def _body_element(doc: _Element) -> _Element | None:
    marked = _between_markers(doc)
    if marked is not None:
        return marked
    by_id = [el for name in _BODY_IDS for el in doc.xpath(f'//*[@id="{name}"]')]
    for index, group in enumerate([by_id, *_elements_by_class(doc)]):
        best = _best_candidate(group)
        if best is None:
            continue
        if index < _GENERIC_GROUP or _text_length(best) >= _MIN_GENERIC_CHARS:
            return best
    return _largest_text_block(doc)


def _best_candidate(group: list[_Element]) -> _Element | None:
    """The one with most text; a nested one holding most of that text beats its wrapper."""
    if not group:
        return None
    lengths = {element: _text_length(element) for element in group}
    best = max(group, key=lengths.__getitem__)
    for element in sorted(group, key=lengths.__getitem__, reverse=True):
        if element is not best and lengths[element] >= 0.6 * lengths[best] and _is_inside(element, best):
            best = element
    return best


def _is_inside(element: _Element, ancestor: _Element) -> bool:
    return any(parent is ancestor for parent in element.iterancestors())


def _elements_by_class(doc: _Element) -> list[list[_Element]]:
    groups: list[list[_Element]] = [[] for _ in _BODY_CLASSES]
    for element in doc.xpath("//*[@class]"):
        classes = set(element.get("class", "").lower().split())
        for index, names in enumerate(_BODY_CLASSES):
            if classes.intersection(names):
                groups[index].append(element)
    return groups


def _text_length(element: _Element) -> int:
    return len(_SPACES.sub("", _text_of(element)))


def _text_of(element: _Element) -> str:
    return etree.tostring(element, method="text", encoding="unicode", with_tail=False)


def _between_markers(doc: _Element) -> _Element | None:
    """Hanweb's <!--ZJEG_RSS.content.begin--> … <!--ZJEG_RSS.content.end--> as one element."""
    begin = end = None
    for comment in doc.iter(etree.Comment):
        text = comment.text or ""
        if "ZJEG_RSS.content.begin" in text:
            begin = comment
        elif "ZJEG_RSS.content.end" in text and begin is not None:
            end = comment
            break
    if begin is None or end is None or begin.getparent() is not end.getparent():
        return None
    parent = begin.getparent()
    siblings = list(parent)
    inner = siblings[siblings.index(begin) + 1 : siblings.index(end)]
    if len(inner) == len(siblings) - 2 and not (parent.text or "").strip():
        return parent  # the markers wrap the whole element (the usual div#zoom)
    wrapper = etree.Element("div")
    wrapper.text = begin.tail
    for node in inner:
        wrapper.append(copy.deepcopy(node))
    return wrapper


def _largest_text_block(doc: _Element) -> _Element | None:
    """The element whose direct paragraphs carry the most text; the whole body if none has any."""
    scores: dict[_Element, int] = {}
    for paragraph in doc.iter("p", "table"):
        parent = paragraph.getparent()
        if parent is not None:
            scores[parent] = scores.get(parent, 0) + _text_length(paragraph)
    if scores:
        return max(scores, key=scores.__getitem__)
    return doc.find("body") if doc.find("body") is not None else doc


# ---------------------------------------------------------------------------------------------
# Body → text

_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
_LISTS = ("li", "ul", "ol", "dl", "dt", "dd")
_TABLE_PARTS = ("table", "thead", "tbody", "tfoot", "caption")
_SECTIONS = ("p", "div", "section", "article", "main", "blockquote", "pre", "center", "form", "address")
_CHROME = ("header", "footer", "nav", "aside", "hr", "figure", "figcaption")
_BLOCK_TAGS = frozenset((*_HEADINGS, *_LISTS, *_TABLE_PARTS, *_SECTIONS, *_CHROME))
_SKIPPED_TAGS = frozenset(
    ("style", "script", "noscript", "template", "head", "title", "select", "option", "button")
)
_HTML_SPACE = re.compile(r"[ \t\n\r\f]+")


class _Lines:
    """Collects inline text into lines; block boundaries and <br> end a line."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self._buffer: list[str] = []

    def add(self, text: str | None) -> None:
        if text:
            self._buffer.append(text)

    def end_line(self) -> None:
        if self._buffer:
            line = _HTML_SPACE.sub(" ", "".join(self._buffer)).strip()
            self._buffer.clear()
            if line:
                self.lines.append(line)

    def add_line(self, line: str) -> None:
        self.end_line()
        self.lines.append(line)


def body_to_text(element: _Element) -> str:
    """One paragraph per line, <br> → newline, a table row → one line of tab-separated cells."""
    out = _Lines()
    _walk_children(element, out)
    out.end_line()
    return "\n".join(out.lines)


def _walk_children(element: _Element, out: _Lines) -> None:
    out.add(element.text)
    for child in element:
        _walk(child, out)


def _walk(element: _Element, out: _Lines) -> None:
    tag = element.tag.lower() if isinstance(element.tag, str) else None
    if tag is None or tag in _SKIPPED_TAGS:  # comments, processing instructions, leaked CSS/JS
        out.add(element.tail)
        return
    if tag == "br":
        out.end_line()
    elif tag == "img":
        out.add_line(f"[image: {_image_name(element)}]")
    elif tag == "tr" and element.find(".//table") is None:
        cells = [
            _cell_text(cell) for cell in element if isinstance(cell.tag, str) and cell.tag in ("td", "th")
        ]
        out.end_line()
        if any(cells):
            out.lines.append("\t".join(cells))
    else:
        block = tag in _BLOCK_TAGS or tag in ("tr", "td", "th")
        if block:
            out.end_line()
        _walk_children(element, out)
        if block:
            out.end_line()
    out.add(element.tail)


def _cell_text(cell: _Element) -> str:
    if len(cell) == 0:  # the common plain cell: no need to walk
        return _HTML_SPACE.sub(" ", cell.text or "").strip()
    out = _Lines()
    _walk_children(cell, out)
    out.end_line()
    return " ".join(out.lines).strip()


def _image_name(image: _Element) -> str:
    alt = (image.get("alt") or image.get("title") or "").strip()
    if alt:
        return alt
    src = image.get("oldsrc") or image.get("src") or ""
    name = unquote(_split(src.strip()).path.rsplit("/", 1)[-1])
    return name.rsplit(".", 1)[0] or "image"


# ---------------------------------------------------------------------------------------------
# Attachments

_FILE_EXTENSIONS = frozenset(
    ("pdf", "doc", "docx", "wps", "xls", "xlsx", "et", "zip", "rar", "7z", "ofd", "rtf")
)
_FLIPBOOK_WORDS = ("电子书", "电子版阅读", "翻页", "点击阅读")
_IGNORED_SCHEMES = ("javascript:", "mailto:", "tel:", "#", "data:")


def _attachments(doc: _Element, body: _Element | None, base: str | None) -> list[Attachment]:
    found: dict[str, Attachment] = {}
    for link in doc.iter("a"):
        attachment = _link_attachment(link, base)
        if attachment and attachment.url not in found:
            found[attachment.url] = attachment
    for image in body.iter("img") if body is not None else ():
        src = _usable_href(image.get("src")) or _usable_href(image.get("oldsrc"))
        if src:
            url = _resolve(base, src)
            found.setdefault(url, Attachment(url=url, name=_image_name(image), kind="image"))
    return list(found.values())


def _link_attachment(link: _Element, base: str | None) -> Attachment | None:
    href = _usable_href(link.get("href"))
    oldsrc = _usable_href(link.get("oldsrc"))
    text = _squash(_text_of(link))
    for candidate in (href, oldsrc):
        if candidate and _is_file_link(candidate):
            return Attachment(url=_resolve(base, candidate), name=text or _file_name(candidate))
    if href and _is_flipbook(href, text):
        return Attachment(url=_resolve(base, href), name=text or None, kind="flipbook")
    return None


def _usable_href(href: str | None) -> str | None:
    href = (href or "").strip()
    if not href or href.lower().startswith(_IGNORED_SCHEMES):
        return None
    return href


def _is_file_link(href: str) -> bool:
    parts = _split(href)
    if file_extension(parts.path) in _FILE_EXTENSIONS:
        return True
    if "download" in parts.path.lower() or "downfile" in parts.path.lower():
        query = parse_qs(parts.query)
        names = [*query.get("filename", []), *query.get("showname", []), *query.get("fileName", [])]
        return any(file_extension(name) in _FILE_EXTENSIONS for name in names) or bool(names)
    return False


def _is_flipbook(href: str, text: str) -> bool:
    path = _split(href).path.lower()
    return "/book/" in path or "basic-html" in path or any(word in text for word in _FLIPBOOK_WORDS)


def file_extension(path: str) -> str:
    """The lower-cased extension of a URL path's last segment ("" when it has none)."""
    name = path.rsplit("/", 1)[-1]
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def _file_name(href: str) -> str | None:
    parts = _split(href)
    query = parse_qs(parts.query)
    for key in ("showname", "filename"):
        if query.get(key):
            return query[key][0]
    return unquote(parts.path.rsplit("/", 1)[-1]) or None


def _resolve(base: str | None, href: str) -> str:
    return _join(base, href) if base else href


# hrefs come from the wild: "http://[信息来源]…" makes urllib raise (an invalid IPv6 host); such a link
# is kept as written rather than failing the page


def _split(url: str) -> SplitResult:
    try:
        return urlsplit(url)
    except ValueError:
        return SplitResult("", "", "", "", "")


def _join(base: str, href: str) -> str:
    try:
        return urljoin(base, href)
    except ValueError:
        return href
