"""The report year from the text when no title gives it (report-format.md §9.3).

First the statistics period (「统计时限自2022年1月1日起至…」, also damaged as 「自20251月1日起」);
then the year the overview talks about (「2019年，XX共主动公开…」): the most cited year outside
quoted titles, circular numbers and dates, before the sections on the next year's plans.
"""

from __future__ import annotations

import re
from collections import Counter

from crawler.extract.dates import CN_YEAR, chinese_year

__all__ = ["DAMAGED_DATE", "period_year", "text_year"]

_PERIOD = re.compile(
    rf"(?:统计|数据)[^。\n]{{0,24}}?(?:自|从|为|是|[:：])?\s*(?P<start>\d{{4,8}}|{CN_YEAR}{{4}})"
    r"\s*(?:年\s*(?:0?1|一)\s*月\s*(?:0?1|一)\s*日|日)"
    r"\s*(?:起)?\s*(?:至|到|—|－|-|~|～)\s*(?P<end>[\d\s年月]{0,20}日)?"
)
# 「自20251月1日起」: the 年 lost between the year and the month
_PERIOD_NO_NIAN = re.compile(
    r"(?:统计|数据)[^。\n]{0,24}?(?:自|从|为|是|[:：])?\s*(?P<start>(?:19|20)\d{2})(?:0?1)\s*月\s*(?:0?1|一)\s*日"
)
# a year run into its month or day (「20251月」, 「自20250101日」): the OCR or the typist lost a 年
DAMAGED_DATE = re.compile(r"(?<!\d)\d{5,6}\s*年|自\s*\d{5,8}\s*日")
_PERIOD_WINDOW = 4000
_QUOTED = re.compile(r"《[^《》]{0,80}》|〔[^〔〕]{0,12}〕|\[[^\[\]]{0,12}\]|【[^【】]{0,12}】")
_YEAR_MENTION = re.compile(r"(?<![\d.])((?:19|20)\d{2})\s*年(?:度)?(?!\s*\d{1,2}\s*月)")
_YEAR_END = re.compile(r"(?:截至|截止)\s*((?:19|20)\d{2})\s*年\s*12\s*月")
_PLANS = re.compile(r"\n\s*(?:五|六)\s*[、,.]|\n\s*(?:存在的主要问题|其他需要报告)")


def period_year(text: str, warnings: list[str]) -> int | None:
    """The year of 统计时限自2022年1月1日起至… / 统计期限从2023年1月1日到12月31日止."""
    match = _PERIOD.search(text[:_PERIOD_WINDOW])
    if not match:
        lost = _PERIOD_NO_NIAN.search(text[:_PERIOD_WINDOW])
        if lost:
            warnings.append(f"damaged date in statistics period: {lost.group(0).strip()}")
            return int(lost.group("start"))
        return None
    statement = match.group(0)
    if DAMAGED_DATE.search(statement):
        warnings.append(f"damaged date in statistics period: {statement.strip()}")
    start = match.group("start")
    if (start.isdigit() and len(start) != 4) or not statement[
        match.end("start") - match.start() :
    ].lstrip().startswith("年"):
        return None
    year = int(start) if start.isdigit() else chinese_year(start)
    return year if year and 1990 <= year <= 2100 else None


def text_year(text: str, warnings: list[str]) -> int | None:
    """The most cited year of the report's own sections (None when two years tie)."""
    plans = _PLANS.search(text)
    body = _QUOTED.sub("", text[: plans.start()] if plans else text)
    counts = Counter(int(year) for year in _YEAR_MENTION.findall(body))
    counts.update(int(year) for year in _YEAR_END.findall(body))
    ranked = counts.most_common(2)
    if not ranked or (len(ranked) == 2 and ranked[0][1] == ranked[1][1]):
        return None
    year = ranked[0][0]
    warnings.append(f"year: no title or statistics period; {year} is the year the text cites most")
    return year
