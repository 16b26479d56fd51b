"""One printed table cell → :class:`Cell` (report-format.md §8.1, schema.json ``cell``).

A cell is read against the type of its column (schema ``columns[].type``): ``count``,
``signed_count``, ``decimal`` (万元) or ``amount_raw`` (采购总金额, unit kept in ``raw``). Nothing is
ever guessed: blank, marker and unreadable cells are ``None`` with a flag, only a printed 0 is 0.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation

from crawler.extract.model import Cell, Number
from crawler.extract.schema import null_markers

#: token kinds, used by the table grammar to tell labels from values
EMPTY, VALUE, TEXT = 0, 1, 2

_NULL_MARKERS = frozenset(unicodedata.normalize("NFKC", m) for m in null_markers()) | null_markers()
# minus signs NFKC keeps: U+2212 MINUS SIGN, figure, en and em dashes before the digits (「−417」)
_MINUS = re.compile(r"^[\u2212\u2012\u2013\u2014](?=\d)")
_NUMBER = r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
_PLAIN = re.compile(_NUMBER)
# a count may carry its unit (5件); the unit goes, the raw text keeps it
_COUNT_UNIT = re.compile(rf"(?P<num>{_NUMBER})[条件篇次份个项宗人]?")
_APPROX = re.compile(rf"(?P<pre>近|约)?(?P<num>{_NUMBER})(?P<post>余|多|左右)?[条件篇次份个项宗人]?")
# 本年增/减 written in words: 「增加2」, 「减少417」, 「减1」
_DELTA_WORDS = re.compile(r"(?P<sign>增加?|减少?)(?P<num>\d+)")
_AMOUNT = re.compile(rf"(?P<num>{_NUMBER})(?P<unit>[万亿]?元)?")
_FEE = re.compile(rf"(?P<num>{_NUMBER})(?:万元)?")


def normalise_cell(raw: str) -> str:
    """NFKC (full-width digits, signs) without spaces; ASCII cells skip the Unicode work."""
    text = raw.strip()
    if not text.isascii():
        text = _MINUS.sub("-", unicodedata.normalize("NFKC", text).strip())
    return text.replace(" ", "") if " " in text else text


def token_kind(raw: str) -> int:
    """EMPTY, VALUE (a number, an approximate or unit-bearing number, a null marker) or TEXT."""
    text = normalise_cell(raw)
    if not text:
        return EMPTY
    if text.isdigit() or text in _NULL_MARKERS:
        return VALUE
    if len(text) > 16 or not any(ch.isdigit() for ch in text):
        return TEXT
    if _APPROX.fullmatch(text) or _AMOUNT.fullmatch(text) or _DELTA_WORDS.fullmatch(text):
        return VALUE
    return TEXT


def parse_cell(raw: str, kind: str = "count") -> Cell:
    """The printed text of one cell, read as a value of the column type ``kind``."""
    text = normalise_cell(raw)
    if not text:
        return Cell(None, raw.strip(), "blank")
    if text in _NULL_MARKERS:
        return Cell(None, raw.strip(), "marker")
    if kind == "amount_raw":
        return _amount(raw, text)
    if kind == "decimal":
        return _fee(raw, text)
    if kind == "signed_count" and (words := _DELTA_WORDS.fullmatch(text)):
        number = int(words["num"])
        return Cell(-number if words["sign"].startswith("减") else number, raw.strip())
    return _count(raw, text)


def _count(raw: str, text: str) -> Cell:
    if text.isdigit():
        return Cell(int(text), raw.strip())
    match = _COUNT_UNIT.fullmatch(text)
    if match:
        value = _integral(match["num"])
        return Cell(value, raw.strip(), None if value is not None else "unparsed")
    match = _APPROX.fullmatch(text)
    if match and (match["pre"] or match["post"]):
        value = _integral(match["num"])
        return Cell(value, raw.strip(), "approx" if value is not None else "unparsed")
    return Cell(None, raw.strip(), "unparsed")


def _fee(raw: str, text: str) -> Cell:
    match = _FEE.fullmatch(text)
    if not match:
        return Cell(None, raw.strip(), "unparsed")
    return Cell(_decimal(match["num"]), raw.strip())


def _amount(raw: str, text: str) -> Cell:
    """采购总金额 has no fixed unit: the number as printed, flagged, the unit left in ``raw``."""
    match = _AMOUNT.fullmatch(text)
    if not match:
        return Cell(None, raw.strip(), "unparsed")
    number = _decimal(match["num"])
    value: Number = int(number) if number == number.to_integral_value() and "." not in text else number
    return Cell(value, raw.strip(), "raw_amount")


def _decimal(number: str) -> Decimal:
    try:
        return Decimal(number.replace(",", ""))
    except InvalidOperation:  # pragma: no cover - the regexes only let numbers through
        return Decimal(0)


def _integral(number: str) -> int | None:
    """Counts are whole numbers; "1.5件" is unreadable as a count, "3.0" is 3."""
    value = _decimal(number)
    return int(value) if value == value.to_integral_value() else None
