"""Who reports on which year, and when it was published (report-format.md §9.2, §9.3).

Everything is read from the page and the normalised text with regexes: the formats are few and
fixed. URLs and image names are never read for dates; the URL is accepted for the caller's
convenience only. Names: ``mentions.py`` finds them, ``names.py`` normalises them; years from the
text: ``years.py``; dates: ``dates.py``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from crawler.extract.dates import CN_YEAR, DATE, chinese_small_number, chinese_year, parse_date
from crawler.extract.mentions import find_mentions
from crawler.extract.model import Metadata, Page
from crawler.extract.names import (
    agency_level,
    body_of_office,
    clean_name,
    completes,
    is_first_person,
    looks_like_agency,
    names_a_place,
    normalise_agency,
    township_alone,
    well_formed,
    without_page_label,
)
from crawler.extract.normalise import simplified_line
from crawler.extract.page import meta_value
from crawler.extract.places import complete_from_text, government_of_speaker, refers_to_unnamed_county
from crawler.extract.years import DAMAGED_DATE, period_year, text_year
from crawler.extract.zones import expand_zone

__all__ = [
    "agency_level",
    "chinese_small_number",
    "chinese_year",
    "extract_metadata",
    "normalise_agency",
    "parse_date",
]

# ---------------------------------------------------------------------------------------------
# Titles

_REPORT_NAME = r"(?:政府信息公开|政务公开|信息公开)[^。]{0,12}?(?:年度报告|年报|报告)"
_TITLE_SHAPE = re.compile(
    rf"^(?P<before>.*?)(?P<year>\d{{4,6}}|{CN_YEAR}{{4}})\s*年度?(?P<after>.*?){_REPORT_NAME}"
)
# the year inside the report's name: 「XX政府信息公开工作2021年度报告」
_LATE_YEAR_SHAPE = re.compile(
    rf"^(?P<before>.*?)(?:政府信息公开|政务公开|信息公开)(?:工作)?(?P<year>\d{{4,6}}|{CN_YEAR}{{4}})\s*年度?(?:报告|年报)"
)
# compact titles: 「2020年报_XX局」, 「2020年报-XX局」
_COMPACT_SHAPE = re.compile(r"^(?P<year>\d{4,6})\s*年(?:度)?(?:报|年报)[_\-—:：\s]*(?P<after>.*)$")
_SPACE_NEAR_CJK = re.compile(r"\s+(?=[^\sA-Za-z])|(?<=[^\sA-Za-z])\s+")
_AGENCY_LINE = re.compile(
    r"^[\u4e00-\u9fff()（）]{2,40}?(?:人民政府|政府|办公室|办公厅|局|委员会|委|办|中心|镇|乡|苏木|街道|办事处|"
    r"所|院|厅|署|队|站|处|会|馆|社|管委会|公司)$"
)


# a navigation trail (「您现在的位置: 首页 > … > 2023年信息公开年度报告 > 县级部门」) is no title, even
# when one of its steps is the column of the year's reports
_BREADCRUMB = re.compile(r"(?:当前|现在的|所在)位置|(?:[>»][^>»]+){2,}")


# a CMS meta table prints the title as a field, its label run into it once spaces near CJK go
_FIELD_LABEL = re.compile(r"^(?:标题|题名|文件名称)")
# a report published inside its notice: 「…教育局关于印发 2025年…年度报告的通知」
_NOTICE_VERB = re.compile(r"关于(?:印发|公布|发布|转发|公开)?《?$")


@dataclass(frozen=True, slots=True)
class _TitleParts:
    title: str
    agency: str | None
    year_token: str | None


@lru_cache(maxsize=4096)  # pure per title; the top lines are read twice (a line, the one after another)
def _parse_title(title: str | None) -> _TitleParts | None:
    if not title:
        return None
    title = _SPACE_NEAR_CJK.sub("", without_page_label(title))
    title = clean_name(title) or title if "|" in title or "_" in title[:4] else title
    for shape in (_TITLE_SHAPE, _LATE_YEAR_SHAPE, _COMPACT_SHAPE):
        match = shape.search(title)
        if match:
            break
    else:
        return _TitleParts(title, None, None)
    # Year first ("2022年度威海市文登区财政局政府信息公开…"): the name follows the year.
    groups = match.groupdict()
    agency = groups.get("before") or groups.get("after") or ""
    agency = re.sub(r"^.*?[:：]", "", agency)  # spam or column prefixes such as "转载："
    agency = _FIELD_LABEL.sub("", agency)  # a meta table's 「标 题 …」 row: the label, not the name
    agency = _NOTICE_VERB.sub("", agency)  # 「X关于印发2025年…报告的通知」: X issues the notice
    # a title's name is taken as printed (学校, 医院 …), only debris and first-person words go
    agency = body_of_office(clean_name(agency) or "")
    usable = bool(agency) and not is_first_person(agency) and len(agency) <= 40
    return _TitleParts(title, agency if usable else None, match.group("year"))


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


def _is_title(parts: _TitleParts | None) -> bool:
    return parts is not None and parts.year_token is not None


def _text_title(lines: list[str]) -> str | None:
    """The title printed at the top: one line, or the body's name on its own line above it."""
    head = [
        line for line in lines[:12] if len(line) <= 60 and "。" not in line and not _BREADCRUMB.search(line)
    ]
    for index, line in enumerate(head):
        parts = _parse_title(line)
        following = head[index + 1] if index + 1 < len(head) else ""
        if not _is_title(parts) and following and not _is_title(_parse_title(following)):
            # a title broken over two lines (「武汉市硚口区档案馆2025年政府」 / 「信息公开工作年度报告」):
            # neither line is a title alone, the two together are
            joined = _parse_title(line + following)
            if joined and joined.year_token and joined.agency:
                return line + following
        if parts and parts.year_token:
            above = _SPACE_NEAR_CJK.sub("", head[index - 1]) if index else ""
            if not parts.agency and above and _AGENCY_LINE.match(above):
                return above + line
            return line
    return None


# ---------------------------------------------------------------------------------------------
# The text: first sentence, signature

_ANNOUNCED = re.compile(
    rf"《(?P<a>[^《》。]{{2,40}}?)\s*(?:\d{{4}}|{CN_YEAR}{{4}})\s*年度?[^《》。]*?报告》"
    rf"|现(?:公布|发布|将|予以公布|予公布|印发)(?P<b>[^，。《》]{{2,40}}?)\s*(?:\d{{4}}|{CN_YEAR}{{4}})\s*年度?[^，。]*?报告"
)
_ANNOUNCED_YEAR = re.compile(rf"(\d{{4}}|{CN_YEAR}{{4}})\s*年度?[^，。《》]*?报告")
# posting-date labels; a bare 「时间：」 or 「日期：」 counts only with a date (「时间: 11:27」 alone says
# nothing) and not inside a longer word (统计时间, 成文日期; the lookbehinds follow their word, the
# same matches found by the word); a platform's 上传时间 is not the report's posting
_POSTED = re.compile(
    rf"(?:发布日期|发布时间|发布于|发稿时间|公开日期|时间(?<![\u4e00-\u9fff]时间)|日期(?<![\u4e00-\u9fff]日期))"
    rf"\s*[:：]?\s*\|?\s*({DATE})"
)
# a date alone on a line at the top of the page, under the title (「• 2024-03-08」)
# or heading the page's meta line (「2022年01月18日来源:1」, 「2024-03-08 浏览次数: 12」); the time
# after it as 11:27 or in words (「2012年03月12日 00时00分」)
_CLOCK_TIME = r"\d{1,2}\s*(?::\s*\d{2}(?::\d{2})?|时\s*\d{1,2}\s*分(?:\s*\d{1,2}\s*秒)?)"
_TOP_DATE_LINE = re.compile(
    rf"^[•·\s]*({DATE})(?:\s*{_CLOCK_TIME})?\s*(?:(?:来源|作者|浏览|访问|点击|阅读|字体)[^。]*)?$"
)
# a date in brackets alone on a line under the title (「(2026年1月23日)」) is the report's own date,
# as the signature would print it — not the page's posting date
_BRACKETED_DATE_LINE = re.compile(rf"^\s*\(\s*({DATE})\s*\)\s*$")
_TOP_LINES = 8
# dates of the document itself; a meta block's 生效日期 is the date the CMS gives the page when it prints
# no other (索引号 / 发布机构 / 生效日期 / 废止日期). Each label is the document's only as a field of its
# own (line start, after a separator) or after a word naming the document (公文, 文件):
# 页面生成日期 / 网页发文日期 / 本页成文日期 date the page, and prose (「自印发日期起」) dates nothing.
# A meta block glued into one line starts the label right where another field's value ends
# (「发文机关：甲乙县人民政府成文日期：…」): that too is a field of its own, unless the value names the page
# or a preposition of prose stands right before the label (「按印发日期」)
_META_FIELD = r"(?:发文机关|发布机构|主题分类|索引号|发文字号|文号|组配分类|体裁分类|主题词|公开方式|公开范围)"
_AFTER_META_VALUE = rf"{_META_FIELD}\s*[:：]\s*[^\s:：，,。；;|]{{1,40}}?(?<!页面)(?<!网页)(?<!本页)(?<![按自从以于至])"
_PRINTED_WORD, _PRINTED_DATE = "(?:成文日期|发文日期|印发日期|生成日期)", rf"\s*[:：]?\s*\|?\s*({DATE})"
# 「(?:{_AFTER_META_VALUE}|(?<=公文)|(?<=文件)|(?<![CJK])){word}」 as two searches, the leftmost match
# wins (no label begins where a field does): each opens with its words, not with lookbehinds tried at
# every position of the text (after the four-character label, they look back over it: 「....」)
_PRINTED_AFTER_FIELD = re.compile(rf"{_AFTER_META_VALUE}{_PRINTED_WORD}{_PRINTED_DATE}")
_PRINTED_OWN = re.compile(
    rf"{_PRINTED_WORD}(?:(?<=公文....)|(?<=文件....)|(?<![\u4e00-\u9fff]....)){_PRINTED_DATE}"
)
# a policy CMS's effective date: the report's own date only when no 成文/发文/印发 date is printed
_EFFECTIVE = re.compile(rf"生效日期\s*[:：]?\s*\|?\s*({DATE})")
_DATE_ONLY_LINE = re.compile(rf"^\s*({DATE})\s*$")
_SIGNED_LINE = re.compile(rf"^(?P<name>\S.*?)\s*(?P<date>{DATE})\s*$")
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
    name = clean_name(match.group("a") or match.group("b"))
    year = _ANNOUNCED_YEAR.search(match.group(0))
    return (name if looks_like_agency(name) else None), year.group(1) if year else None


# ---------------------------------------------------------------------------------------------
# Composition


def extract_metadata(
    page: Page | None, text: str, *, url: str | None = None, list_title: str | None = None
) -> Metadata:
    """Agency, report year, posting and printed dates, title and level of one report."""
    del url  # never a source for dates or years (sites.md §5.4); see the module docstring
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    warnings: list[str] = []
    titles = [
        parts
        for parts in (
            _parse_title(simplified_line(page.title) if page else None),
            _parse_title(simplified_line(list_title)),
            _parse_title(_text_title(lines)),
        )
        if parts
    ]
    signature = _signature(lines)
    announced_name, announced_year = _announced_agency(text)
    printed = [t.agency for t in titles if t.agency] + ([announced_name] if announced_name else [])
    signed = [signature.name] if signature.name else []
    mentions = find_mentions(text)
    mentioned = [mention.name for mention in mentions if mention.origin != "bare"]
    agency, as_printed = _resolve_agency(
        [*printed, *mentioned, *signed], [*printed, *signed], page, text, warnings
    )
    if as_printed is None:  # only a short reference 「县商务局」: kept as printed, no full name
        as_printed = next((mention.name for mention in mentions if mention.origin == "bare"), None)
    year = _resolve_year(titles, text, announced_year, warnings)
    published, dated, published_basis = _resolve_dates(page, text, signature, warnings)
    if year and published and int(published[:4]) < year:
        warnings.append(f"published {published} before the end of report year {year}")
    return Metadata(
        agency=agency,
        agency_as_printed=as_printed,
        year=year,
        published=published,
        dated=dated,
        published_basis=published_basis,
        title=titles[0].title if titles else None,
        level=agency_level(agency),
        warnings=warnings,
    )


def _resolve_agency(
    own_sources: list[str], checked: list[str], page: Page | None, text: str, warnings: list[str]
) -> tuple[str | None, str | None]:
    """Precedence title → opening → contact → overview subject → signature → source metadata,
    then completion of a short name from the others, then from the regions the text prints.
    ``checked``: the sources whose disagreement with the choice is worth a warning (titles and
    the signature; a mention in the prose may name another body)."""
    publisher = clean_name(simplified_line(page.source)) if page and page.source else None
    publisher = publisher if looks_like_agency(publisher) else None
    first = own_sources[0] if own_sources else publisher
    if not first:
        speaker = government_of_speaker(text)  # 「我旗」 and 「乌拉特前旗政府网站」: that government
        if speaker:
            warnings.append(f"agency: named only in the first person; {speaker} from the regions printed")
        return speaker, None
    as_printed = _SPACE_NEAR_CJK.sub("", first)
    chosen = normalise_agency(as_printed)
    own = [name for name in map(normalise_agency, own_sources[1:]) if name]
    # The publisher in the page metadata may be another body (the office posting for the whole
    # government), so it may complete a short name but never overrides one.
    helpers = [*own, normalise_agency(publisher)] if own_sources else own
    completions = {name for name in helpers if name and chosen and completes(name, chosen)}
    if len(completions) == 1:
        chosen = completions.pop()
    elif len(completions) > 1:
        warnings.append(f"agency: sources complete {chosen} differently: {sorted(completions)}")
        return chosen, as_printed
    completed = complete_from_text(chosen, text) if chosen else None
    if completed:
        chosen = normalise_agency(completed)
    chosen = expand_zone(chosen, text)
    others = [name for name in map(normalise_agency, checked) if name]
    chosen = _prefer_well_formed(chosen, others, warnings)
    if chosen and township_alone(chosen) and refers_to_unnamed_county(text):
        warnings.append(f"agency: {chosen} is named without the county the text refers to")
        # 高楼乡人民政府 of an unnamed 县: not the full name, kept as printed — in its fullest printed
        # form (the title's 「迎宾路街道」, the text's 「迎宾路街道办事处」)
        return None, chosen if chosen in text else as_printed
    if chosen and agency_level(chosen) == "department" and not names_a_place(chosen):
        warnings.append(f"agency: {chosen} names no place and could not be completed")
        return None, as_printed  # 「服务中心」 is no full name: the printed form is kept beside it
    return chosen, as_printed


def _prefer_well_formed(chosen: str | None, others: list[str], warnings: list[str]) -> str | None:
    disagreeing = [name for name in others if chosen and name != chosen and not completes(chosen, name)]
    if not chosen or not disagreeing:
        return chosen
    if not well_formed(chosen):
        better = next((name for name in disagreeing if well_formed(name)), None)
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
    stated = period_year(text, warnings)
    if title_year and stated and title_year != stated:
        warnings.append(f"year: title says {title_year}, statistics period says {stated}")
    if title_year or stated:
        return title_year or stated
    year, _ = _year_from_token(announced_year)
    return year or text_year(text, warnings)


def _bracketed_date(text: str) -> str | None:
    for line in text.split("\n", _TOP_LINES)[:_TOP_LINES]:
        match = _BRACKETED_DATE_LINE.match(line)
        if match:
            return parse_date(match.group(1))
    return None


def _top_date(text: str) -> str | None:
    for line in text.split("\n", _TOP_LINES)[:_TOP_LINES]:
        match = _TOP_DATE_LINE.match(line)
        if match:
            return match.group(1)
    return None


def _resolve_dates(
    page: Page | None, text: str, signature: _Signature, warnings: list[str]
) -> tuple[str | None, str | None, str | None]:
    """(published, dated, basis): the posting date (page metadata, 发布日期 line) and the date
    printed on the report (成文日期, the signature). Without a posting date, published is the
    printed date and basis says so ("dated"; "posted" otherwise)."""
    meta = page.meta if page else {}
    posted = _POSTED.search(text)
    printed = min(filter(None, (_PRINTED_AFTER_FIELD.search(text), _PRINTED_OWN.search(text))),
                  key=re.Match.start, default=None) or _EFFECTIVE.search(text)
    published = None
    for candidate in (
        meta_value(meta, "PubDate"),
        page.date_line if page else None,
        posted.group(1) if posted else None,
        _top_date(text),
    ):
        published = parse_date(candidate)
        if published:
            break
        if candidate and DAMAGED_DATE.search(candidate):
            warnings.append(f"damaged publication date: {candidate}")
    dated = signature.date or parse_date(printed.group(1) if printed else None) or _bracketed_date(text)
    dated = dated or parse_date(meta_value(meta, "Maketime"))
    if published is None and dated:
        return dated, dated, "dated"
    return published, dated, "posted" if published else None
