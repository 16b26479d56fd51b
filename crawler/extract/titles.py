"""Title and listing grammar: whether a link or page title names an annual report, the year it
prints, the date a listing prints beside it. Pure functions of text, shared by every platform spider
(crawler/platforms/) and readable without one."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from crawler.extract.normalise import simplified_line

# "信息公开" followed closely by a report noun covers 政府信息公开工作年度报告, 政府信息公开年度报告,
# 政府信息公开年报 and the pre-2010 「…政府信息公开工作报告」.
_REPORT_NOUN = re.compile(r"信息公开.{0,6}?(年度报告|年报|工作报告)")
# Titles about reports rather than reports: circulars, templates, work plans, interpretations.
_NOT_A_REPORT = re.compile(
    r"通知|要点|指南|制度|预算|决算|格式|编制|报送|模板|范本|解读|图解|一图|图说|评估|考核|督查|培训|会议|公告|意见|办法|方案"
)
_CN_DIGITS = str.maketrans("〇零一二三四五六七八九", "00123456789")
_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")
_DATE = re.compile(r"((?:19|20)\d{2})[-/.年](\d{1,2})[-/.月](\d{1,2})")


def normalise_title(title: str) -> str:
    """Collapse whitespace (titles sometimes carry the body name on its own line), read traditional
    script as simplified (「…年度報告」 is 「…年度报告」), and unify brackets."""
    title = simplified(re.sub(r"\s+", "", title))  # before the brackets: a mirror's pinyin is in ASCII ones
    return title.replace("(", "（").replace(")", "）")


@lru_cache(maxsize=65536)
def simplified(text: str) -> str:
    """Link texts and titles in simplified script: traditional portals and mirrors (「…縣…辦公室…」)
    match the same patterns. The report's own title rule (normalise.simplified_line), cached: link
    texts repeat on every page of a column."""
    return simplified_line(text) or text


def is_annual_report_title(title: str | None) -> bool:
    """True for 「…2022年政府信息公开工作年度报告」, 「…政府信息公开年报」, 「…年度报告（更正）」 and the like."""
    if not title:
        return False
    text = normalise_title(title)
    return bool(_REPORT_NOUN.search(text)) and not _NOT_A_REPORT.search(text)


def report_year_from_title(title: str | None) -> int | None:
    """The reporting year printed in a title (「2023年度…」 → 2023; 「二〇二二年…」 → 2022), else None."""
    if not title:
        return None
    match = _YEAR.search(normalise_title(title).translate(_CN_DIGITS))
    return int(match.group(1)) if match else None


def find_date(texts: Iterable[str]) -> str | None:
    """The first date in ``texts`` as YYYY-MM-DD (listings print 2023-01-16, 2023/1/16 or 2023年1月16日)."""
    for text in texts:
        match = _DATE.search(text)
        if match:
            year, month, day = (int(part) for part in match.groups())
            return f"{year:04d}-{month:02d}-{day:02d}"
    return None


def clean_text(text: str | None) -> str:
    """Runs of whitespace (newlines, tabs) as one space, trimmed: a link's visible text."""
    return re.sub(r"\s+", " ", text or "").strip()
