"""Where real reports name their body, besides the title and the signature (report-format.md §9.2).

The opening paragraph (「结合2022年XX政府信息公开工作实际」, 「现公布XX2022年…」, 「本报告由XX编制」), the
contact paragraph (「请与XX办公室联系」, 「地址：XX人民政府」) and the first sentence of the overview
(「2022年，XX认真贯彻…」). Each mention keeps its origin: the office that compiled a report or
answers for it is not the reporting body (``names.body_of_office``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from crawler.extract.names import body_of_office, clean_name, is_first_person, looks_like_agency

__all__ = ["Mention", "find_mentions"]

_NAME = r"[\u4e00-\u9fff()（）]{2,40}?"
_YEAR = r"(?:\d{4}|[〇零○一二三四五六七八九]{4})\s*年度?"
_DISCLOSURE = r"(?:政府信息公开|政务公开|信息公开)"
_OPENING_WINDOW = 2500
_SUBJECT_WINDOW = 4000
# (origin, pattern): the office in a "compiled by" or contact mention answers for the body
_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("opening", re.compile(rf"结合(?:{_YEAR})?(?P<n>{_NAME})(?:{_YEAR})?{_DISCLOSURE}工作(?:实际|情况)")),
    (
        "opening",
        re.compile(
            rf"(?:特|现)?编制(?:了)?(?:{_YEAR})?(?P<n>{_NAME})(?:{_YEAR})?(?:政府)?{_DISCLOSURE}(?:工作)?(?:年度)?报告"
        ),
    ),
    (
        "opening",
        re.compile(
            rf"公布(?:了)?(?:{_YEAR})?(?P<n>{_NAME})(?:{_YEAR})?(?:政府)?{_DISCLOSURE}(?:工作)?(?:年度)?报告"
        ),
    ),
    # 「由徐水区人民政府综合全区各部门…年度报告和统计数据编制而成」: what it compiled from may follow the name
    (
        "compiled",
        re.compile(
            rf"由(?P<n>{_NAME})(?:按照[^。\n]{{0,120}}?要求|(?:综合|汇总|结合|根据|依据)[^。\n]{{0,80}}?)?(?:负责)?编(?:制|写)"
        ),
    ),
    ("compiled", _COMPILED_AFTER_BREAK := re.compile(rf"(?:^|[。\n,，])(?P<n>{_NAME})(?:负责)?编(?:制|写)了")),
)
# the words that pattern ends in: a head without them is not searched (its leading 「^|」 makes the
# engine try the pattern at every position)
_COMPILED_WORDS = ("编制了", "编写了")
_CONTACT = (
    re.compile(
        rf"(?:请|可)(?:与|联系|致电|咨询)[:：]?(?P<n>{_NAME})(?:联系|咨询|[,，。;；(（:：]|$)", re.MULTILINE
    ),
    re.compile(rf"地址[:：]\s*(?P<n>{_NAME}(?:人民政府|政府))(?:[;；,，。\s)）]|$)", re.MULTILINE),
)
# 「成立某某苏木政府信息公开领导小组」: the body heads its own disclosure group
_GROUP = re.compile(rf"(?:成立|调整|组建)(?:了)?(?P<n>{_NAME})(?:政府信息公开|政务公开)(?:工作)?领导小组")
_SUBJECT = re.compile(
    rf"(?:截至|截止)?{_YEAR}(?:底|末|以来)?[,，]\s*(?P<n>{_NAME})(?:认真|高度|严格|坚持|共|全面|持续|按照|深入|积极|紧紧|"
    rf"进一步|始终|以|在|围绕|扎实|主动|不断|通过|聚焦|依法|着力|继续|切实|依托|利用|{_DISCLOSURE})"
)
# prose caught between a year and a verb is no name: 「张家产镇一方面依托…网站及我镇人民政府」
# 「本报告的电子版可从阜阳市公安局网站…下载」: the report's own site, the body's only when the text speaks
# as that kind of body (「我局」 and a 局's site; a street office's report sits on its city's portal)
_OWN_SITE = re.compile(rf"电子版[^。\n]{{0,12}}?(?:从|在|于|通过|登录)(?P<n>{_NAME})(?:门户)?网站")
_SPEAKER_UNIT = re.compile(r"我(局|委)")
_UNIT_ENDINGS = {"局": ("局",), "委": ("委", "委员会")}
_PROSE = re.compile(r"[我、]|方面|依托|网站|通过|以及|及其|围绕|按照|根据|工作")
_BARE_UNIT = re.compile(r"^[省市县区旗镇乡](?![\u4e00-\u9fff]*?(?:省|市|县|区|旗|镇|乡)[\u4e00-\u9fff])")


@dataclass(frozen=True, slots=True)
class Mention:
    """A body's name as printed (debris removed) and where it was found."""

    name: str
    origin: str  # opening / compiled / contact / subject / site; bare: a short reference (县商务局)


def find_mentions(text: str) -> list[Mention]:
    """Names of the reporting body in the text, most telling first: opening, contact, subject."""
    mentions: list[Mention] = []
    head = text[:_OPENING_WINDOW]
    for origin, pattern in _PATTERNS:
        if pattern is _COMPILED_AFTER_BREAK and not any(word in head for word in _COMPILED_WORDS):
            continue
        for match in pattern.finditer(head):
            _add(mentions, match.group("n"), origin)
    for pattern in _CONTACT:
        for match in pattern.finditer(text):
            _add(mentions, match.group("n"), "contact")
    for pattern in (_SUBJECT, _GROUP):
        for match in pattern.finditer(text[:_SUBJECT_WINDOW]):
            _add(mentions, match.group("n"), "subject")
    endings = tuple(
        ending
        for unit in set(_SPEAKER_UNIT.findall(text[:_SUBJECT_WINDOW]))
        for ending in _UNIT_ENDINGS[unit]
    )
    for match in _OWN_SITE.finditer(head):
        if endings and match.group("n").endswith(endings):
            _add(mentions, match.group("n"), "site")
    order = {"opening": 0, "compiled": 1, "contact": 2, "subject": 3, "site": 4, "bare": 5}
    return sorted(mentions, key=lambda mention: order[mention.origin])


def _add(mentions: list[Mention], raw: str, origin: str) -> None:
    name = clean_name(raw)
    if not name:
        return
    name = re.sub(r"^(?:本年度|本年|年度|全年|今年)", "", name)
    name = body_of_office(name, keep_government_office=origin not in ("compiled", "contact"))
    if not looks_like_agency(name) or is_first_person(name) or _PROSE.search(name):
        return
    if _BARE_UNIT.match(name):  # 「县商务局」: the name as printed, never a full name
        origin = "bare"
    if all(existing.name != name for existing in mentions):
        mentions.append(Mention(name, origin))
