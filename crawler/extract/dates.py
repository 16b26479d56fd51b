"""Dates and numbers as reports print them: 2023-01-16, 2023年1月16日, 二〇二三年一月十六日.

Regexes, not dateparser: the forms are few and fixed, and a parser that fills a missing year or
day from the clock would invent dates (the module is pure: no clock).
"""

from __future__ import annotations

import datetime as _dt
import re

__all__ = ["CN_YEAR", "DATE", "chinese_small_number", "chinese_year", "parse_date"]

_CN_DIGIT = {
    "〇": 0,
    "零": 0,
    "○": 0,
    "Ｏ": 0,
    "一": 1,
    "二": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_CN_YEAR = "[〇零○Ｏ一二三四五六七八九]"
_CN_SMALL = "[一二三四五六七八九十]"
_NUMERIC_DATE = re.compile(r"(?<!\d)(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})(?!\d)")
_CHINESE_DATE = re.compile(rf"({_CN_YEAR}{{4}})\s*年\s*({_CN_SMALL}{{1,3}})\s*月\s*({_CN_SMALL}{{1,3}})\s*日")
_DATE = rf"(?:\d{{4}}\s*[-/.年]\s*\d{{1,2}}\s*[-/.月]\s*\d{{1,2}}\s*日?|{_CN_YEAR}{{4}}\s*年\s*{_CN_SMALL}{{1,3}}\s*月\s*{_CN_SMALL}{{1,3}}\s*日)"


def chinese_year(text: str) -> int | None:
    """二〇二二 → 2022 (years are read digit by digit)."""
    digits = [_CN_DIGIT.get(char) for char in text]
    if len(digits) != 4 or None in digits:
        return None
    return int("".join(str(digit) for digit in digits))


def chinese_small_number(text: str) -> int | None:
    """一 … 九十九, as used for months and days: 十六 → 16, 二十一 → 21."""
    if not text:
        return None
    if "十" not in text:
        return _CN_DIGIT.get(text) if len(text) == 1 else None
    tens, _, units = text.partition("十")
    tens_value = _CN_DIGIT.get(tens, 0) if tens else 1
    units_value = _CN_DIGIT.get(units, 0) if units else 0
    return tens_value * 10 + units_value


def parse_date(text: str | None) -> str | None:
    """The first date in ``text`` as YYYY-MM-DD (2026-01-19 09:49 / 2023年1月16日 / 二〇二三年一月十六日)."""
    if not text:
        return None
    numeric = _NUMERIC_DATE.search(text)
    if numeric:
        return _iso(int(numeric.group(1)), int(numeric.group(2)), int(numeric.group(3)))
    chinese = _CHINESE_DATE.search(text)
    if chinese:
        year = chinese_year(chinese.group(1))
        month, day = chinese_small_number(chinese.group(2)), chinese_small_number(chinese.group(3))
        if year and month and day:
            return _iso(year, month, day)
    return None


def _iso(year: int, month: int, day: int) -> str | None:
    if not 1990 <= year <= 2100:
        return None
    try:
        return _dt.date(year, month, day).isoformat()
    except ValueError:
        return None


CN_YEAR = _CN_YEAR
DATE = _DATE
