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

from crawler.extract.titles import clean_text
from crawler.platforms.trs import page_url, parse_pager
from crawler.platforms.urls import join_url

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


def page_urls(links: list[PageLink], text: str, page_url_now: str, rules: PagingRules,
              column_url: str | None = None) -> list[str]:
    """Every page of this list that the page itself names or implies, in order, without ``page_url_now``.

    Explicit pager links first; then, when a page count (「共N页」) or a 尾页 link gives the last page
    and one pager link shows where the number sits in the URL, the pages between are filled in (a
    pager that shows 1 2 3 … 12 hides 4–11). The offset between a link's text (2) and the number in
    its URL (``index_1.html``) comes from the numbered links themselves. No page numbered below the
    current one is filled in (those were the way here)."""
    pager = pager_links(links, rules)
    urls = [link.url for link in pager]
    numbered = [(link, parts) for link in pager if (parts := split_number(link.url, rules)) is not None]
    numbered = _commonest_shape(numbered, column_url or page_url_now)
    template = next((parts for _, parts in numbered), None)
    if template is not None:
        last = last_number(pager, numbered, text, rules)
        if last is not None and last - template.number <= MAX_FILLED_PAGES:
            first = min(parts.number for _, parts in numbered)
            now = split_number(page_url_now, rules)
            if now is not None and (now.prefix, now.suffix) == (template.prefix, template.suffix):
                first = max(first, now.number)
            urls += [template.with_number(n) for n in range(first, last + 1)]
    seen = {page_url_now}
    ordered = []
    for url in urls:
        if url not in seen:
            seen.add(url)
            ordered.append(url)
    return ordered


def _commonest_shape(numbered: list[tuple[PageLink, Numbered]], column_url: str) -> list[tuple[PageLink, Numbered]]:
    """The numbered links that share the pager's commonest URL shape: page 1 is often the column's own
    URL (SiteServer ``/channels/206.html`` beside ``/channels/206_2.html``), whose digits are no page
    number. A shape whose only link is the column's URL is that case; a tie is no evidence either way
    (a 2-page list's select: one link of each shape), so it gives no template: [] ."""
    shapes: dict[tuple[str, str], list[str]] = {}
    for link, parts in numbered:
        shapes.setdefault((parts.prefix, parts.suffix), []).append(link.url)
    shapes = {shape: urls for shape, urls in shapes.items() if set(urls) != {column_url}}
    if not shapes:
        return []
    sizes = sorted((len(urls) for urls in shapes.values()), reverse=True)
    if len(sizes) > 1 and sizes[0] == sizes[1]:
        return []
    best = max(shapes, key=lambda shape: len(shapes[shape]))
    return [(link, parts) for link, parts in numbered if (parts.prefix, parts.suffix) == best]


def next_page(links: Iterable[PageLink], candidates: list[str], page_url_now: str, rules: PagingRules) -> str | None:
    """The candidate that is the page after this one: the 下一页 link's, else the link labelled with this
    page's number + 1 (this page's number is the label of a link to it, else the number in its URL, else
    1); else the first candidate. An incremental crawl walks a list one page at a time by it."""
    if not candidates:
        return None
    offered = set(candidates)
    links = list(links)
    for link in links:
        if link.url in offered and _matches(rules.next_texts, link.text):
            return link.url
    labelled = {link.url: int(match.group(1)) for link in links if (match := rules.numbered_text.match(link.text))}
    now = labelled.get(page_url_now, _number_in_own_shape(page_url_now, list(labelled), rules))
    after = sorted((number, url) for url, number in labelled.items() if url in offered and number > now)
    return after[0][1] if after else candidates[0]


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


def _number_in_own_shape(url: str, others: list[str], rules: PagingRules) -> int:
    """The page number in ``url`` when other page URLs share its shape; else 1 (page 1 is often the
    column's own URL, whose digits are the column's id)."""
    parts = split_number(url, rules)
    if parts is None:
        return 1
    shapes = {(other.prefix, other.suffix) for page in others if (other := split_number(page, rules)) is not None}
    return parts.number if (parts.prefix, parts.suffix) in shapes else 1


def created_pages(text: str, column_url: str) -> list[str]:
    """Pages 2..N a ``createPageHTML(N, …)`` / ``countPage`` pager builds (TRS, and its imitators)."""
    pager = parse_pager(text)
    if pager is None:
        return []
    return [page_url(column_url, pager, index) for index in range(1, pager.page_count)]


# -- pagers with no page URL in an href: a drop-down, or a script function --------------------------

_SELECT = re.compile(r"<select\b([^>]*)>(.*?)</select>", re.S | re.I)
_JUMPS = re.compile(r"onchange\s*=\s*[\"'][^\"']*(?:location|href|window\.open|\w+\s*\(\s*this)", re.I)
_OPTION = re.compile(r"<option\b[^>]*?value\s*=\s*[\"']([^\"']*)[\"'][^>]*>(.*?)(?=</option>|<option\b|$)", re.S | re.I)
_TAG = re.compile(r"<[^>]+>")
_ANCHOR = re.compile(r"<a\b([^>]*)>(.*?)</a>", re.S | re.I)
#: ``href="javascript:goPage(3)"`` / ``onclick="goPage(3)"``: the function and its page number
_CALL = re.compile(r"(?:javascript:|onclick\s*=\s*[\"'])\s*(?:return\s+)?([A-Za-z_$][\w$]*)\s*\(\s*[\"']?(\d{1,4})[\"']?\s*[,)]")
_FUNCTION = re.compile(r"function\s+([A-Za-z_$][\w$]*)\s*\(\s*([A-Za-z_$][\w$]*)[^)]*\)\s*\{")
_SCRIPT_END = re.compile(r"function\s+[A-Za-z_$][\w$]*\s*\(|</script>", re.I)
_SELF_CALL = re.compile(r"([A-Za-z_$][\w$]*)\s*\(\s*this(?:\.options\[this\.selectedIndex\])?\.value")


def _plain(markup: str) -> str:
    """A link's or an option's visible text: its markup without tags, as clean_text trims a link's."""
    return clean_text(_TAG.sub(" ", markup))


@dataclass(frozen=True, slots=True)
class ScriptTemplate:
    """The page URL a script function builds from its page number: ``prefix + n + suffix``."""

    prefix: str
    suffix: str
    #: the numbers the function builds apart (``if(page==1)``, ``if(n==0)``): the template is not their URL
    built_apart: frozenset[int] = frozenset()
    #: the smallest number the template builds (``if(n<=1) … else "_"+n``: 2)
    lowest: int = 0

    def url(self, number: int) -> str | None:
        if number in self.built_apart or number < self.lowest:
            return None
        return f"{self.prefix}{number}{self.suffix}"


#: ``n == 1`` / ``n<=0`` / ``0 === n`` inside a page function: the numbers it builds apart
_COMPARED = r"\b{p}\s*(===?|!==?|<=|>=|<|>)\s*(\d{{1,4}})\b|\b(\d{{1,4}})\s*(===?|!==?)\s*{p}\b"


def _template_bounds(body: str, parameter: str) -> tuple[frozenset[int], int]:
    """What a page function's comparisons of its parameter with a constant say the template does not build."""
    apart: set[int] = set()
    lowest = 0
    for match in re.finditer(_COMPARED.format(p=parameter), body):
        operator, number = (match.group(1), match.group(2)) if match.group(1) else (match.group(4), match.group(3))
        value = int(number)
        if operator in {"<", ">="}:
            lowest = max(lowest, value)  # one branch below the constant, the template from it on
        elif operator in {"<=", ">"}:
            lowest = max(lowest, value + 1)
        else:
            apart.add(value)
    return frozenset(apart), lowest


def script_page_templates(text: str) -> dict[str, ScriptTemplate]:
    """Page-URL templates of the page's script functions: ``function goPage(n){location.href="/c/45_"+n+".html"}``
    → ``{"goPage": ScriptTemplate("/c/45_", ".html")}`` (the first string built around the parameter)."""
    templates: dict[str, ScriptTemplate] = {}
    for match in _FUNCTION.finditer(text):
        name, parameter = match.group(1), re.escape(match.group(2))
        end = _SCRIPT_END.search(text, match.end())
        body = text[match.end() : end.start() if end else len(text)]
        built = re.search(rf"([\"'])([^\"'<>]*)\1\s*\+\s*{parameter}\s*\+\s*([\"'])([^\"'<>]*)\3", body)
        if built is not None and ("/" in built.group(2) or "." in built.group(4)):  # a URL, not a label
            apart, lowest = _template_bounds(body, parameter)
            templates.setdefault(name, ScriptTemplate(built.group(2), built.group(4), apart, lowest))
    return templates


#: the text of a numbered pager link: 「3」 / 「[3]」
_NUMBER_TEXT = re.compile(r"^\[?\d{1,4}\]?$")


def script_pager_links(text: str, base_url: str, templates: dict[str, ScriptTemplate] | None = None) -> list[PageLink]:
    """The page links of a pager that calls a script (``javascript:goPage(3)``), as URLs from the
    function's own template; [] when the page has no such function. A call numbered below every
    numbered link's (首页 → ``goPage(0)`` beside 1 2 3) is no page the template builds."""
    if "javascript:" not in text and "onclick" not in text.lower():
        return []
    templates = script_page_templates(text) if templates is None else templates
    if not templates:
        return []
    calls = []
    for anchor in _ANCHOR.finditer(text):
        call = _CALL.search(anchor.group(1))
        if call and call.group(1) in templates:
            calls.append((templates[call.group(1)], int(call.group(2)), _plain(anchor.group(2))))
    numbers = [number for _, number, label in calls if _NUMBER_TEXT.match(label)]
    smallest = min(numbers, default=0)
    links = []
    for template, number, label in calls:
        url = template.url(number) if number >= smallest else None
        if url is not None:
            links.append(PageLink(join_url(base_url, url), label))
    return links


#: an option label of a page drop-down: 「第3页」 / 「3」
_PAGE_LABEL = re.compile(r"^第?\s*(\d{1,4})\s*页?$")
#: the documents a directory URL serves: /col/ and /col/index.html are one page
_DIRECTORY_INDEX = re.compile(r"/(?:index|default)\.[A-Za-z]+$")


def same_page_key(url: str) -> str:
    """A URL without what does not change the list page it names: scheme, host case, query, fragment,
    and a directory's index document (/col/ is /col/index.html)."""
    rest = url.partition("://")[2] or url
    rest = rest.partition("#")[0].partition("?")[0]
    host, slash, path = rest.partition("/")
    return host.lower() + _DIRECTORY_INDEX.sub("/", slash + path)


def _labels_are_page_numbers(labels: list[str]) -> bool:
    """Every label a page number, counting from the start (0 or 1): a drop-down of years (2023, 2022)
    or of sites is no pager even when it lists this page."""
    numbers = [int(match.group(1)) for label in labels if (match := _PAGE_LABEL.match(label))]
    return bool(labels) and len(numbers) == len(labels) and min(numbers) <= 1


def select_pager_links(text: str, base_url: str, page_url: str | None = None,
                       templates: dict[str, ScriptTemplate] | None = None) -> list[PageLink]:
    """The pages of a jump drop-down (``<select onchange="location.href=this.value">``): each option's
    value is a page URL — a pager lists the page it is on (``page_url``, default ``base_url``; option
    values are joined against ``base_url``, the page's <base href>) and labels its options with page
    numbers, a drop-down of years or of other sites does not — or a page number for the script
    function the select calls. ``templates``: the page's script_page_templates, if already computed."""
    if "<select" not in text and "<SELECT" not in text:
        return []
    here = {same_page_key(base_url), same_page_key(page_url or base_url)}
    links = []
    for select in _SELECT.finditer(text):
        attributes = select.group(1)
        if not _JUMPS.search(attributes):
            continue
        called = _SELF_CALL.search(attributes)
        if called is not None and templates is None:
            templates = script_page_templates(text)  # once per page, not once per select
        template = templates.get(called.group(1)) if called is not None and templates is not None else None
        options = [(value.strip(), _plain(label)) for value, label in _OPTION.findall(select.group(2))]
        if template is not None:
            numbered = [(template.url(int(value)), label) for value, label in options if value.isdigit()]
            links += [PageLink(join_url(base_url, url), label) for url, label in numbered if url is not None]
            continue
        pages = [PageLink(join_url(base_url, value), label) for value, label in options
                 if value and not value.isdigit() and not value.startswith(("javascript:", "#"))]
        if any(same_page_key(link.url) in here for link in pages) and _labels_are_page_numbers(
                [link.text for link in pages]):
            links += pages
    return links
