"""The body of an article page: which element holds it, and its text (one paragraph per line).

One pass picks the body element, one walk turns it into text; both run on every crawled page.
"""

from __future__ import annotations

import copy
import re
from functools import lru_cache

from lxml import etree

from crawler.extract.links import image_name
from crawler.extract.markup import Element, text_length

__all__ = ["body_element", "body_to_text"]

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
# Compiled once, and stepping to the attribute then its element: libxml2 tests the attributes only,
# where 「//*[@id="zoom"]」 builds every element of the page first (a third to a quarter of the time).
# The same elements in the same (document) order.
_BY_ID = tuple(etree.XPath(f'//@id[.="{name}"]/..') for name in _BODY_IDS)
_WITH_CLASS = etree.XPath("//@class/..")


def body_element(doc: Element) -> Element | None:
    marked = _between_markers(doc)
    if marked is not None:
        return marked
    by_id = [el for with_id in _BY_ID for el in with_id(doc)]
    for index, group in enumerate([by_id, *_elements_by_class(doc)]):
        best = _best_candidate(group)
        if best is None:
            continue
        if index < _GENERIC_GROUP or text_length(best) >= _MIN_GENERIC_CHARS:
            return best
    return _largest_text_block(doc)


def _best_candidate(group: list[Element]) -> Element | None:
    """The one with most text; a nested one holding most of that text beats its wrapper."""
    if not group:
        return None
    lengths = {element: text_length(element) for element in group}
    best = max(group, key=lengths.__getitem__)
    for element in sorted(group, key=lengths.__getitem__, reverse=True):
        if element is not best and lengths[element] >= 0.6 * lengths[best] and _is_inside(element, best):
            best = element
    return best


def _is_inside(element: Element, ancestor: Element) -> bool:
    return any(parent is ancestor for parent in element.iterancestors())


def _elements_by_class(doc: Element) -> list[list[Element]]:
    groups: list[list[Element]] = [[] for _ in _BODY_CLASSES]
    for element in _WITH_CLASS(doc):
        classes = set(element.get("class", "").lower().split())
        for index, names in enumerate(_BODY_CLASSES):
            if classes.intersection(names):
                groups[index].append(element)
    return groups


def _between_markers(doc: Element) -> Element | None:
    """Hanweb's <!--ZJEG_RSS.content.begin--> … <!--ZJEG_RSS.content.end--> as one element."""
    begin = end = None
    for comment in doc.iter(etree.Comment):
        text = comment.text or ""
        if "ZJEG_RSS.content.begin" in text:
            begin = comment
        elif "ZJEG_RSS.content.end" in text and begin is not None:
            end = comment
            break
    parent = begin.getparent() if begin is not None and end is not None else None
    if begin is None or end is None or parent is None or parent is not end.getparent():
        return None
    siblings = list(parent)
    inner = siblings[siblings.index(begin) + 1 : siblings.index(end)]
    if len(inner) == len(siblings) - 2 and not (parent.text or "").strip():
        return parent  # the markers wrap the whole element (the usual div#zoom)
    wrapper = etree.Element("div")
    wrapper.text = begin.tail
    for node in inner:
        wrapper.append(copy.deepcopy(node))
    return wrapper


def _largest_text_block(doc: Element) -> Element | None:
    """The element whose direct paragraphs carry the most text; the whole body if none has any."""
    scores: dict[Element, int] = {}
    for paragraph in doc.iter("p", "table"):
        parent = paragraph.getparent()
        if parent is not None:
            scores[parent] = scores.get(parent, 0) + text_length(paragraph)
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


def body_to_text(element: Element) -> str:
    """One paragraph per line, <br> → newline, a table row → one line of tab-separated cells."""
    out = _Lines()
    _walk_children(element, out)
    out.end_line()
    return "\n".join(out.lines)


def _walk_children(element: Element, out: _Lines) -> None:
    out.add(element.text)
    for child in element:
        _walk(child, out)


def _walk(element: Element, out: _Lines) -> None:
    name = element.tag  # (read once: lxml builds the string on every read)
    tag = name.lower() if isinstance(name, str) else None
    if tag is None or tag in _SKIPPED_TAGS:  # comments, processing instructions, leaked CSS/JS
        out.add(element.tail)
        return
    if tag == "br":
        out.end_line()
    elif tag == "img":
        out.add_line(f"[image: {image_name(element)}]")
    elif tag == "tr" and next(element.iter("table"), None) is None:  # (an iterator: no XPath compiled)
        # (the tag filter in C: comments and other children never reach Python)
        cells = [_cell_text(cell) for cell in element.iterchildren("td", "th")]
        out.end_line()
        if any(cells):
            out.lines.append("\t".join(cells))
    else:
        block = tag in _WALK_BLOCK_TAGS
        if block:
            out.end_line()
        out.add(element.text)  # (_walk_children, inline: this runs for every element of the body)
        for child in element:
            _walk(child, out)
        if block:
            out.end_line()
    out.add(element.tail)


_WALK_BLOCK_TAGS = _BLOCK_TAGS | {"tr", "td", "th"}  # (a tr holding a table is walked as a block)


# what the walk does with a lone childless element inside a cell: a block ends the line before and
# after its text (so its text is a line of its own), an inline element's text runs into the cell's
_CELL_BLOCK_TAGS = _BLOCK_TAGS | {"td", "th"}
_CELL_SPECIAL_TAGS = _SKIPPED_TAGS | {"br", "img", "tr"}


def _cell_text(cell: Element) -> str:
    if len(cell) == 0:  # the common plain cell: no need to walk
        return _collapsed(cell.text or "")
    if len(cell) == 1:  # the next most common: one childless <p> or <span> (the walk's lines, unwalked)
        child = cell[0]
        tag = child.tag
        if isinstance(tag, str) and len(child) == 0:
            tag = tag.lower()
            if tag in _CELL_BLOCK_TAGS:
                head, tail = cell.text, child.tail
                if (not head or head.isspace()) and (not tail or tail.isspace()):
                    return _collapsed(child.text or "")  # (blank text makes no line)
                lines = (_collapsed(head or ""), _collapsed(child.text or ""), _collapsed(tail or ""))
                return " ".join(line for line in lines if line)
            if tag not in _CELL_SPECIAL_TAGS:
                return _collapsed((cell.text or "") + (child.text or "") + (child.tail or ""))
    out = _Lines()
    _walk_children(cell, out)
    out.end_line()
    return " ".join(out.lines).strip()


@lru_cache(maxsize=4096)
def _collapsed(text: str) -> str:
    """HTML whitespace runs as one space, the ends stripped. Cached: tables repeat their cell texts
    (0, 无, the template's labels) on every page."""
    return _HTML_SPACE.sub(" ", text).strip()
