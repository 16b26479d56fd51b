"""The six section headings, and which of sections 二–四 are images or empty (report-format.md §3, §9.1).

Tables are found by their own labels (``tables.py``), never by section number; headings are only
needed to tell, for a table that was not found, whether its section holds an image placeholder
(``image_only``) or nothing (``missing``), and whether a report is template-era at all.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache

from crawler.extract.schema import match_key, schema

#: section codes whose tables this module cares about, by statistics table
TABLE_SECTIONS = {"sec2": "proactive", "sec3": "requests", "sec4": "review_litigation"}

_ENUMERATOR = re.compile(r"^(?:[一二三四五六七八九十]+[,.]|\([一二三四五六七八九十\d]+\)|\d+[,.])")
_IMAGE = re.compile(r"\[image:[^\]]*\]|<img\b", re.IGNORECASE)
# the notices that define the template era (a hint only: they are sometimes mis-cited)
_TEMPLATE_NOTICES = ("国办公开办函〔2019〕60号", "国办公开办函〔2021〕30号", "年度报告格式")
_MAX_HEADING = 48


@cache
def _heading_keys() -> list[tuple[str, str]]:
    """(section code, label key) for every label and variant, longest first."""
    pairs = [
        (section["code"], match_key(label))
        for section in schema()["sections"]
        for label in (section["label"], *section["variants"])
    ]
    return sorted(pairs, key=lambda pair: -len(pair[1]))


def heading_of(line: str) -> str | None:
    """The section code of a heading line such as "5、 存在的主要问题及改进情况", else None."""
    text = line.strip()
    if not text or len(text) > _MAX_HEADING or "。" in text or "\t" in text:
        return None
    return _heading_code(text)


@lru_cache(maxsize=8192)
def _heading_code(text: str) -> str | None:
    """Cached: every report prints the template's headings and table labels (pure per line)."""
    key = _ENUMERATOR.sub("", match_key(text))
    for code, label in _heading_keys():
        if key.startswith(label) or (label in key and len(key) <= len(label) + 6):
            return code
    return None


def heading_spans(lines: list[str]) -> dict[str, tuple[int, int]]:
    """{section code: (heading line, next heading line)}; the first heading of each code wins."""
    found: list[tuple[int, str]] = []
    seen: set[str] = set()
    for index, line in enumerate(lines):
        code = heading_of(line)
        if code and code not in seen:
            seen.add(code)
            found.append((index, code))
    spans = {}
    for position, (index, code) in enumerate(found):
        end = found[position + 1][0] if position + 1 < len(found) else len(lines)
        spans[code] = (index, end)
    return spans


def image_sections(lines: list[str], spans: dict[str, tuple[int, int]]) -> set[str]:
    """The statistics tables ("sec2"…) whose section holds an image placeholder."""
    found = set()
    for table, section in TABLE_SECTIONS.items():
        if section in spans:
            start, end = spans[section]
            if any(_IMAGE.search(lines[i]) for i in range(start + 1, end)):
                found.add(table)
    return found


def is_template_era(text: str, spans: dict[str, tuple[int, int]]) -> bool:
    """A 2019+ template report: the 收到和处理…申请 heading, or a cited template notice."""
    return "requests" in spans or any(notice in text for notice in _TEMPLATE_NOTICES)
