"""The paging idioms of Chinese government CMSs, as pure functions over a list page's links and text.

「下一页」/「尾页」 links, numbered links (``2.html``, ``index_2.html``, ``list_2.html``, DedeCMS
``list_{typeid}_{n}.html``, ``?page=N``/``?pageNum=N``), 「共N页」 with any of those as a template, and
``createPageHTML`` / ``countPage`` (crawler/platforms/trs.py reads those). Link texts and URL shapes
are data (crawler/platforms/defaults.toml ``[paging]``, a profile may override them).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from crawler.platforms.trs import page_url, parse_pager

#: a 「共N页」 larger than this is a misread number, not a list to fill in
MAX_FILLED_PAGES = 2000


@dataclass(frozen=True, slots=True)
class PageLink:
    url: str
    text: str


@dataclass(frozen=True, slots=True)
class PagingRules:
    next_texts: tuple[re.Pattern[str], ...]
    last_texts: tuple[re.Pattern[str], ...]
    page_count: tuple[re.Pattern[str], ...]
    numbered_text: re.Pattern[str]
    number_in_url: tuple[re.Pattern[str], ...]

    @classmethod
    def from_dict(cls, table: Mapping[str, Any]) -> PagingRules:
        def many(key: str) -> tuple[re.Pattern[str], ...]:
            return tuple(re.compile(pattern) for pattern in table[key])

        return cls(many("next_texts"), many("last_texts"), many("page_count"), re.compile(table["numbered_text"]),
                   many("number_in_url"))


@dataclass(frozen=True, slots=True)
class Numbered:
    """A page URL split around its page number: ``prefix + str(n) + suffix``."""

    prefix: str
    number: int
    suffix: str

    def with_number(self, number: int) -> str:
        return f"{self.prefix}{number}{self.suffix}"


def split_number(url: str, rules: PagingRules) -> Numbered | None:
    for shape in rules.number_in_url:
        match = shape.match(url)
        if match:
            return Numbered(match.group(1), int(match.group(2)), match.group(3))
    return None


def page_count(text: str, rules: PagingRules) -> int | None:
    """「共12页」 / 「1/12页」 printed on the page, else None."""
    for pattern in rules.page_count:
        match = pattern.search(text)
        if match:
            return int(match.group(1))
    return None


def _matches(patterns: Iterable[re.Pattern[str]], text: str) -> bool:
    return any(pattern.search(text) for pattern in patterns)


def pager_links(links: Iterable[PageLink], rules: PagingRules) -> list[PageLink]:
    """The links of a page's pager: next, last and numbered links."""
    return [link for link in links
            if _matches(rules.next_texts, link.text) or _matches(rules.last_texts, link.text)
            or rules.numbered_text.match(link.text)]


def page_urls(links: list[PageLink], text: str, page_url_now: str, rules: PagingRules) -> list[str]:
    """Every page of this list that the page itself names or implies, in order, without ``page_url_now``.

    Explicit pager links first; then, when a page count (「共N页」) or a 尾页 link gives the last page
    and one pager link shows where the number sits in the URL, the pages between are filled in (a
    pager that shows 1 2 3 … 12 hides 4–11). The offset between a link's text (2) and the number in
    its URL (``index_1.html``) comes from the numbered links themselves."""
    pager = pager_links(links, rules)
    urls = [link.url for link in pager]
    numbered = [(link, parts) for link in pager if (parts := split_number(link.url, rules)) is not None]
    template = next((parts for _, parts in numbered), None)
    if template is not None:
        last = last_number(pager, numbered, text, rules)
        if last is not None and last - template.number <= MAX_FILLED_PAGES:
            first = min(parts.number for _, parts in numbered)
            urls += [template.with_number(n) for n in range(first, last + 1)]
    seen = {page_url_now}
    ordered = []
    for url in urls:
        if url not in seen:
            seen.add(url)
            ordered.append(url)
    return ordered


def last_number(pager: list[PageLink], numbered: list[tuple[PageLink, Numbered]], text: str,
                rules: PagingRules) -> int | None:
    """The URL number of the last page: the 尾页 link's, else 「共N页」 shifted by the links' offset."""
    for link, parts in numbered:
        if _matches(rules.last_texts, link.text):
            return parts.number
    count = page_count(text, rules)
    if count is None:
        return None
    offsets = [parts.number - int(match.group(1)) for link, parts in numbered
               if (match := rules.numbered_text.match(link.text))]
    return count + (offsets[0] if offsets else 0)


def created_pages(text: str, column_url: str) -> list[str]:
    """Pages 2..N a ``createPageHTML(N, …)`` / ``countPage`` pager builds (TRS, and its imitators)."""
    pager = parse_pager(text)
    if pager is None:
        return []
    return [page_url(column_url, pager, index) for index in range(1, pager.page_count)]
