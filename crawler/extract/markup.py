"""Small lxml and URL helpers the page modules share (page, body, links).

hrefs come from the wild: "http://[信息来源]…" makes urllib raise (an invalid IPv6 host); such a link
is kept as written rather than failing the page.
"""

from __future__ import annotations

import re
from urllib.parse import SplitResult, urljoin, urlsplit

from lxml import etree

Element = etree._Element

SPACES = re.compile(r"\s+")


# str.split() splits on exactly the characters \s matches (str.isspace), without a regex pass:
# 「" ".join(text.split())」 is 「SPACES.sub(" ", text).strip()」, the lengths of its words the length
# of 「SPACES.sub("", text)」 (a fifth of the time on a page's text)
def squash(text: str) -> str:
    return " ".join(text.split())


def text_of(element: Element) -> str:
    return etree.tostring(element, method="text", encoding="unicode", with_tail=False)


def text_length(element: Element) -> int:
    return sum(map(len, text_of(element).split()))


def split_url(url: str) -> SplitResult:
    try:
        return urlsplit(url)
    except ValueError:
        return SplitResult("", "", "", "", "")


def join_url(base: str, href: str) -> str:
    try:
        return urljoin(base, href)
    except ValueError:
        return href


def resolve(base: str | None, href: str) -> str:
    return join_url(base, href) if base else href
