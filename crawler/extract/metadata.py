"""Who reports on which year, and when it was published (report-format.md §9.2, §9.3).

Everything is read from the page and the normalised text with regexes: the formats are few and
fixed, and dateparser would fill a missing year from the clock. URLs and image names are never
read for dates; the URL is accepted for the caller's convenience only.
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass

from crawler.extract.model import Metadata, Page
from crawler.extract.page import meta_value

__all__ = ["agency_level", "extract_metadata", "normalise_agency", "parse_date"]

# ---------------------------------------------------------------------------------------------
# Numbers and dates

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


# ---------------------------------------------------------------------------------------------
# Agency names

_GOV_SUFFIX = re.compile(r"(?:人民政府|政府)$")
_SHORT_TOWNSHIP = re.compile(r"(?:镇|乡|苏木)$")
_SHORT_REGION = re.compile(r"(?:省|市|县|区|旗|盟|州)$")
# Zones run by a 管委会, not a 人民政府: their short names stay as printed.
_ZONE = re.compile(r"(?:开发区|高新区|新区|园区|试验区|示范区|产业区|景区|社区|小区|片区|功能区|保税区)$")
_NOISE = re.compile(r"[\s\"'“”‘’《》【】\[\]]|[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.(?:com|cn|net|org|cc|top)")
_CORRECTION = re.compile(r"[(（](?:更正|修订版?|修改|重发)[)）]")
_AGENCY_LINE = re.compile(
    r"^[\u4e00-\u9fff()（）]{2,40}?(?:人民政府|政府|办公室|办公厅|局|委员会|委|办|中心|镇|乡|苏木|街道|办事处|"
    r"所|院|厅|署|队|站|处|会|馆|社|管委会|公司)$"
)
_LEVEL_TOWNSHIP = re.compile(r"(?:镇|乡|苏木|街道)(?:人民政府|政府|办事处|党政办公室|党政办)?$|街道办事处$")
_LEVEL_GOVERNMENT = re.compile(r"(?:人民政府|政府)(?:办公室|办公厅)?$")
_LEVEL_DEPARTMENT = re.compile(r"(?:局|委员会|委|办公室|办|中心|厅|所|院|署|队|站|处|会|馆|部|社)$")
_PLAIN_GOV = re.compile(r"(?<=[省市县区旗镇乡])政府")
_GOV_WELL_FORMED = re.compile(r"(?:省|市|县|区|旗|镇|乡|州|盟|苏木|街道)人民政府")


def normalise_agency(name: str | None) -> str | None:
    """The full official name: no spaces or quotes, no correction tag, short forms completed.

    A bare township (泾源县黄花乡) or region (上海市) names its 人民政府: a region-wide report is the
    government's, not its office's.
    """
    if not name:
        return None
    name = _CORRECTION.sub("", _NOISE.sub("", name))
    name = re.sub(r"^关于|关于$", "", name).rstrip("的之,，:：、")
    name = _PLAIN_GOV.sub("人民政府", name)  # 上海市政府 → 上海市人民政府
    if not name:
        return None
    if _SHORT_TOWNSHIP.search(name) or (_SHORT_REGION.search(name) and not _ZONE.search(name)):
        return name + "人民政府"
    if name.endswith("街道"):
        return name + "办事处"
    return name


def agency_level(name: str | None) -> str | None:
    """government / department / township, from the shape of the name."""
    if not name:
        return None
    if _LEVEL_TOWNSHIP.search(name):
        return "township"
    if _LEVEL_GOVERNMENT.search(name):
        return "government"
    if _LEVEL_DEPARTMENT.search(name):
        return "department"
    return None


def _well_formed(name: str) -> bool:
    """A "…人民政府" must follow an administrative unit (文登人民政府 lacks its 区)."""
    return name.count("人民政府") == len(_GOV_WELL_FORMED.findall(name))


def _completes(full: str, short: str) -> bool:
    """``full`` is ``short`` with the higher units in front (侯家镇人民政府 → 威海市文登区侯家镇人民政府)."""
    return full != short and full.endswith(short)


# ---------------------------------------------------------------------------------------------
# Titles

_REPORT_NAME = r"(?:政府信息公开|政务公开|信息公开)[^。]{0,12}?(?:年度报告|年报|报告)"
_TITLE_SHAPE = re.compile(
    rf"^(?P<before>.*?)(?P<year>\d{{4,6}}|{_CN_YEAR}{{4}})\s*年度?(?P<after>.*?){_REPORT_NAME}"
)
_SPACE_NEAR_CJK = re.compile(r"\s+(?=[^\sA-Za-z])|(?<=[^\sA-Za-z])\s+")


@dataclass(frozen=True, slots=True)
class _TitleParts:
    title: str
    agency: str | None
    year_token: str | None


def _parse_title(title: str | None) -> _TitleParts | None:
    if not title:
        return None
    title = _SPACE_NEAR_CJK.sub("", title.strip())
    match = _TITLE_SHAPE.search(title)
    if not match:
        return _TitleParts(title, None, None)
    # Year first ("2022年度威海市文登区财政局政府信息公开…"): the name follows the year.
    agency = match.group("before") or match.group("after")
    agency = re.sub(r"^.*?[:：]", "", agency)  # spam or column prefixes such as "转载："
    return _TitleParts(title, agency or None, match.group("year"))


def _year_from_token(token: str | None) -> tuple[int | None, str | None]:
    """(year, warning): a 5- or 6-digit "year" is damaged and is flagged, not guessed."""
    if not token:
        return None, None
    year = int(token) if token.isdigit() else chinese_year(token)
    if token.isdigit() and len(token) != 4:
        return None, f"damaged year {token}年"
    if year is None or not 1990 <= year <= 2100:
        return None, f"implausible year {token}"
    return year, None


def _text_title(lines: list[str]) -> str | None:
    """The title printed at the top: one line, or the body's name on its own line above it."""
    head = [line for line in lines[:6] if len(line) <= 60 and "。" not in line]
    for index, line in enumerate(head):
        parts = _parse_title(line)
        if parts and parts.year_token:
            above = head[index - 1] if index else ""
            if not parts.agency and above and _AGENCY_LINE.match(_SPACE_NEAR_CJK.sub("", above)):
                return above + line
            return line
    return None


# ---------------------------------------------------------------------------------------------
# The text: first sentence, statistics period, signature

_ANNOUNCED = re.compile(
    rf"《(?P<a>[^《》。]{{2,40}}?)\s*(?:\d{{4}}|{_CN_YEAR}{{4}})\s*年度?[^《》。]*?报告》"
    rf"|现(?:公布|发布|将|予以公布|予公布|印发)(?P<b>[^，。《》]{{2,40}}?)\s*(?:\d{{4}}|{_CN_YEAR}{{4}})\s*年度?[^，。]*?报告"
)
_ANNOUNCED_YEAR = re.compile(rf"(\d{{4}}|{_CN_YEAR}{{4}})\s*年度?[^，。《》]*?报告")
_PERIOD = re.compile(
    rf"(?:统计|数据)[^。\n]{{0,24}}?(?:自|从|为|是|[:：])?\s*(?P<start>\d{{4,8}}|{_CN_YEAR}{{4}})"
    r"\s*(?:年\s*(?:0?1|一)\s*月\s*(?:0?1|一)\s*日|日)"
    r"\s*(?:起)?\s*(?:至|到|—|－|-|~|～)\s*(?P<end>[\d\s年月]{0,20}日)?"
)
_DAMAGED_DATE = re.compile(r"(?<!\d)\d{5,6}\s*年|自\s*\d{5,8}\s*日")
_LABELLED_DATE = re.compile(rf"(?:发布日期|发布时间|成文日期)\s*[:：]?\s*({_DATE})")
_DATE_ONLY_LINE = re.compile(rf"^\s*({_DATE})\s*$")
_SIGNED_LINE = re.compile(rf"^(?P<name>\S.*?)\s*(?P<date>{_DATE})\s*$")
_SIGNATURE_WINDOW = 10


@dataclass(slots=True)
class _Signature:
    name: str | None = None
    date: str | None = None


def _signature(lines: list[str]) -> _Signature:
    """The body's name and the date closing the report, from the last lines (captions may follow)."""
    tail = [line for line in lines[-_SIGNATURE_WINDOW:] if not line.startswith("[image:")]
    for index in range(len(tail) - 1, -1, -1):
        line = _SPACE_NEAR_CJK.sub("", tail[index])
        date_only = _DATE_ONLY_LINE.match(line)
        if date_only:
            above = _SPACE_NEAR_CJK.sub("", tail[index - 1]) if index else ""
            name = above if _AGENCY_LINE.match(above) else None
            return _Signature(name, parse_date(date_only.group(1)))
        signed = _SIGNED_LINE.match(line)
        if signed and _AGENCY_LINE.match(signed.group("name")):
            return _Signature(signed.group("name"), parse_date(signed.group("date")))
    for line in reversed(tail[-3:]):  # no date: the name alone closes the report (seed 000)
        line = _SPACE_NEAR_CJK.sub("", line)
        if _AGENCY_LINE.match(line):
            return _Signature(line, None)
    return _Signature()


def _announced_agency(text: str) -> tuple[str | None, str | None]:
    """(name, year token) from 《…2022年…报告》 or 现公布…2022年…报告 in the opening paragraph."""
    match = _ANNOUNCED.search(text[:1500])
    if not match:
        return None, None
    name = match.group("a") or match.group("b")
    year = _ANNOUNCED_YEAR.search(match.group(0))
    return name, year.group(1) if year else None


# ---------------------------------------------------------------------------------------------
# Composition


def extract_metadata(
    page: Page | None, text: str, *, url: str | None = None, list_title: str | None = None
) -> Metadata:
    """Agency, report year, publication date, title and level of one report."""
    del url  # never a source for dates or years (sites.md §5.4); see the module docstring
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    warnings: list[str] = []
    titles = [
        parts
        for parts in (
            _parse_title(page.title if page else None),
            _parse_title(list_title),
            _parse_title(_text_title(lines)),
        )
        if parts
    ]
    signature = _signature(lines)
    announced_name, announced_year = _announced_agency(text)
    agency, as_printed = _resolve_agency(titles, announced_name, signature, page, warnings)
    year = _resolve_year(titles, text, announced_year, warnings)
    published = _resolve_published(page, text, signature, warnings)
    if year and published and int(published[:4]) < year:
        warnings.append(f"published {published} before the end of report year {year}")
    return Metadata(
        agency=agency,
        agency_as_printed=as_printed,
        year=year,
        published=published,
        title=titles[0].title if titles else None,
        level=agency_level(agency),
        warnings=warnings,
    )


def _resolve_agency(
    titles: list[_TitleParts],
    announced: str | None,
    signature: _Signature,
    page: Page | None,
    warnings: list[str],
) -> tuple[str | None, str | None]:
    """Precedence title → first sentence → signature → source metadata, then cross-checks."""
    own_sources = [name for name in (*(t.agency for t in titles), announced, signature.name) if name]
    publisher = page.source if page else None
    first = own_sources[0] if own_sources else publisher
    if not first:
        return None, None
    as_printed = _SPACE_NEAR_CJK.sub("", first)
    chosen = normalise_agency(as_printed)
    own = [name for name in map(normalise_agency, own_sources[1:]) if name]
    # The publisher in the page metadata may be another body (the office posting for the whole
    # government), so it may complete a short name but never overrides one.
    helpers = [*own, normalise_agency(publisher)] if own_sources else own
    completions = {name for name in helpers if name and chosen and _completes(name, chosen)}
    if len(completions) == 1:
        return completions.pop(), as_printed
    if len(completions) > 1:
        warnings.append(f"agency: sources complete {chosen} differently: {sorted(completions)}")
    return _prefer_well_formed(chosen, own, warnings), as_printed


def _prefer_well_formed(chosen: str | None, others: list[str], warnings: list[str]) -> str | None:
    disagreeing = [name for name in others if chosen and name != chosen and not _completes(chosen, name)]
    if not chosen or not disagreeing:
        return chosen
    if not _well_formed(chosen):
        better = next((name for name in disagreeing if _well_formed(name)), None)
        if better:
            warnings.append(f"agency: title {chosen} is malformed; using {better}")
            return better
    warnings.append(f"agency: title {chosen} disagrees with {disagreeing[0]}")
    return chosen


def _resolve_year(
    titles: list[_TitleParts], text: str, announced_year: str | None, warnings: list[str]
) -> int | None:
    title_year = None
    for parts in titles:
        year, problem = _year_from_token(parts.year_token)
        if problem:
            warnings.append(f"title: {problem}")
        if year:
            title_year = year
            break
    period_year = _period_year(text, warnings)
    if title_year and period_year and title_year != period_year:
        warnings.append(f"year: title says {title_year}, statistics period says {period_year}")
    if title_year or period_year:
        return title_year or period_year
    year, _ = _year_from_token(announced_year)
    return year


def _period_year(text: str, warnings: list[str]) -> int | None:
    """The year of 统计时限自2022年1月1日起至… / 统计期限从2023年1月1日到12月31日止."""
    match = _PERIOD.search(text[:4000])
    if not match:
        return None
    statement = match.group(0)
    if _DAMAGED_DATE.search(statement):
        warnings.append(f"damaged date in statistics period: {statement.strip()}")
    start = match.group("start")
    if (start.isdigit() and len(start) != 4) or not statement[
        match.end("start") - match.start() :
    ].lstrip().startswith("年"):
        return None
    year, _ = _year_from_token(start)
    return year


def _resolve_published(
    page: Page | None, text: str, signature: _Signature, warnings: list[str]
) -> str | None:
    meta = page.meta if page else {}
    labelled = _LABELLED_DATE.search(text)
    candidates = (
        meta_value(meta, "PubDate"),
        page.date_line if page else None,
        labelled.group(1) if labelled else None,
        meta_value(meta, "Maketime"),
    )
    for candidate in candidates:
        date = parse_date(candidate)
        if date:
            return date
        if candidate and _DAMAGED_DATE.search(candidate):
            warnings.append(f"damaged publication date: {candidate}")
    return signature.date
