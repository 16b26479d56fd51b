"""The shape of a reporting body's name: debris removed, short forms completed, offices → bodies.

Where names are found in a report is ``mentions.py``; this module only turns a printed name into
the normalised full official name (report-format.md §9.2). The abbreviation table, the first-person
words and the zone suffixes are data (``agency_names.json``), not code.
"""

from __future__ import annotations

import json
import re
from functools import cache, lru_cache
from importlib import resources
from typing import Any

__all__ = [
    "UNIT_KINDS",
    "UNIT_NAME",
    "agency_data",
    "agency_level",
    "body_of_office",
    "clean_name",
    "expand_abbreviation",
    "is_first_person",
    "looks_like_agency",
    "names_a_place",
    "normalise_agency",
    "township_alone",
    "without_page_label",
]

_GOV_SUFFIX = re.compile(r"(?:人民政府|政府)$")
_SHORT_TOWNSHIP = re.compile(r"(?:镇|乡|苏木)$")
_SHORT_REGION = re.compile(r"(?:省|市|县|区|旗|盟|州)$")
# Zones run by a 管委会, or areas that are no government at all: never given a 人民政府.
_NOT_GOVERNMENT = re.compile(r"(?:新区|社区|小区|景区|片区|城区)$")
_NOISE = re.compile(r"[\s\"'“”‘’《》【】\[\]]|[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.(?:com|cn|net|org|cc|top)")
_CORRECTION = re.compile(r"[(（](?:更正|修订版?|修改|重发)[)）]")
_SO_CALLED = re.compile(r"[(（](?:以下简称|下称|简称)[^)）]*[)）]")
_PLAIN_GOV = re.compile(r"(?<=[省市县区旗镇乡])政府")
_GOV_WELL_FORMED = re.compile(r"(?:省|市|县|区|旗|镇|乡|州|盟|苏木|街道)人民政府")
_AGENCY_END = re.compile(
    r"(?:人民政府|政府|办公室|办公厅|局|委员会|委|办|中心|镇|乡|苏木|街道|办事处|所|院|厅|署|队|站|处|"
    r"会|馆|社|管委会|公司|分局|校|医院|省|市|县|区|旗|盟|州)(?:\([^()]{1,12}\))?$"
)
# Debris printed before a name: meta-field labels, flip-book page titles, spam and mirror prefixes.
_FIELD_LABEL = re.compile(
    r"^.*?(?:关键字|关键词|发布机构|发布单位|信息来源|来源|索引号|主题分类|所属机构|生成日期|文号)\s*[:：|]\s*"
)
_FLIPBOOK = re.compile(r"^(?:Page\s*\d+\s*[-–—]\s*|P\.\s*\d+\s*)", re.IGNORECASE)
_SEPARATORS = re.compile(r"^.*[_$|>»]")
_SPAM = re.compile(r"娱乐|彩票|竞彩|博彩|图库|资料大全|官网|棋牌|赌|六合|开奖|皇冠|下载|分享")
_PROSE = re.compile(r"[我,，。;；!！?？]|根据|现将|以下")
_GOVERNMENT_INSIDE = re.compile(
    r"人民政府(?=[\u4e00-\u9fff]{1,8}(?:街道办事处|街道|镇|乡|苏木)(?:人民政府)?$)"
)
_OFFICE = re.compile(
    r"(?P<body>.*?(?:人民政府|政府|局|委员会|委|中心|镇|乡|苏木|街道办事处|街道|办事处))"
    r"(?P<office>(?:政府)?信息公开办公室|政务公开办公室|政务公开办|党政综合办公室|党政综合办|党政办公室|党政办|"
    r"综合办公室|综合办|办公室|综合股|[\u4e00-\u9fff]{1,4}股)$"
)
#: the kinds an administrative unit's name ends in (山东省, 文登区, 宁夏回族自治区, 香港特别行政区 …)
UNIT_KINDS = "自治区|特别行政区|自治州|自治县|自治旗|地区|省|市|县|区|旗|盟|州"


def region_unit(shortest: int = 1, longest: int = 8) -> str:
    """One administrative unit as a regex: a stem of ``shortest`` to ``longest`` characters (as few
    as will do) and its kind. Shared with the bodies (crawler/bodies.py), which strip such units."""
    return rf"[\u4e00-\u9fff]{{{shortest},{longest}}}?(?:{UNIT_KINDS})"


_REGION_UNIT = region_unit()
UNIT_NAME = re.compile(_REGION_UNIT)
# two characters and the unit: most county names, and no verb caught in front (「可以从荣成市…网」)
# characters that begin no place name but often stand just before one (「可以在淄博市」, 「通过乳山市」)
_LEVEL_TOWNSHIP = re.compile(r"(?:镇|乡|苏木|街道)(?:人民政府|政府|办事处|党政办公室|党政办)?$|街道办事处$")
_LEVEL_GOVERNMENT = re.compile(r"(?:人民政府|政府)(?:办公室|办公厅)?$")
_LEVEL_DEPARTMENT = re.compile(r"(?:局|委员会|委|办公室|办|中心|厅|所|院|署|队|站|处|会|馆|部|社)$")


@cache
def agency_data() -> dict[str, Any]:
    text = resources.files(__package__).joinpath("agency_names.json").read_text(encoding="utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


@cache
def _abbreviations() -> tuple[tuple[str, str], ...]:
    pairs = agency_data()["abbreviations"].items()
    return tuple(sorted(pairs, key=lambda pair: -len(pair[0])))


def zone_suffixes() -> tuple[str, ...]:
    """What the name of a zone run by a 管理委员会 ends in (开发区, 高新区, 实验区 …), longest first."""
    return tuple(sorted(agency_data()["zone_suffixes"], key=len, reverse=True))


@cache
def _zone() -> re.Pattern[str]:
    return re.compile("(?:" + "|".join(map(re.escape, zone_suffixes())) + ")$")


@cache
def _first_person() -> re.Pattern[str]:
    words = "".join(agency_data()["first_person"])
    # 我… is never a place; 本/该/全 only before a unit word (本溪市 is a city), office or not
    units = "局|镇|乡|委|办|单位|机关|街道|区|县|市|旗|苏木|部门|中心|院|厅|政府|校"
    return re.compile(rf"^(?:我|[{words}](?:{units})(?:[\u4e00-\u9fff]{{0,6}}?(?:办公室|办|股))?$)")


def without_page_label(text: str) -> str:
    """A flip-book page's title without its page label: 「Page 9 - 2020年报_审计局」 → 「2020年报_审计局」."""
    return _FLIPBOOK.sub("", text.strip())


# Cached (pure per name): a report names its body a dozen times over — titles, mentions, the
# signature — and every source of a name passes through here and through normalise_agency.
@lru_cache(maxsize=4096)
def clean_name(raw: str | None) -> str | None:
    """A printed name without the debris around it (None when nothing name-like is left)."""
    if not raw:
        return None
    name = _FLIPBOOK.sub("", raw.strip())
    name = _FIELD_LABEL.sub("", name)
    name = _SEPARATORS.sub("", name)
    name = _SO_CALLED.sub("", name)
    name = _CORRECTION.sub("", _NOISE.sub("", name))
    name = re.sub(r"^(?:关于|由|经|据)|关于$", "", name).strip("的之,，:：、.。;；|-— ")
    if not name or _SPAM.search(name) or _PROSE.search(name):
        return None
    # a township's name printed inside its county government's: 周村区人民政府丝绸路街道办事处
    return _GOVERNMENT_INSIDE.sub("", name)


def is_first_person(name: str) -> bool:
    """我局, 本机关, 我镇, 该局 … name nobody."""
    return bool(_first_person().match(name))


def looks_like_agency(name: str | None) -> bool:
    """A body's name: 3–40 characters ending in a unit of government, not a first-person word."""
    if not name or len(name) > 40:
        return False
    end = _AGENCY_END.search(name)
    # more than its unit: 「政府」, 「县政府」 name nobody
    return end is not None and end.start() >= 2 and not is_first_person(name)


def body_of_office(name: str, *, keep_government_office: bool = True) -> str:
    """The body an office belongs to: 某镇人民政府党政办公室 → 某镇人民政府, 某局办公室 → 某局.

    A county's or city's 人民政府办公室 reports in its own name when its title says so;
    ``keep_government_office=False`` (the office that compiled or answers for a report) gives
    its government."""
    match = _OFFICE.match(name)
    if not match:
        return name
    body = match.group("body")
    township = bool(re.search(r"(?:镇|乡|苏木|街道)(?:人民政府|政府)?$", body))
    if (
        keep_government_office
        and match.group("office") == "办公室"
        and _GOV_SUFFIX.search(body)
        and not township
    ):
        return name
    return body


#: the characters a department's own name follows: its unit's kind, or a party committee (县委)
_DEPARTMENT_STARTS_AFTER = frozenset("省市区县旗州盟委")


def expand_abbreviation(name: str) -> str:
    """住建局 → 住房和城乡建设局, 发改委 → 发展和改革委员会 … (the table is data).

    A short form is expanded only where it is the whole department — the name's start, or right after
    its unit (县, 区, 市 …) or a 委 — never inside a longer department name: 教育科技局 is an official
    name of its own, not 教育 + 科学技术局."""
    for short, full in _abbreviations():
        if name.endswith(short) and not name.endswith(full):
            head = name[: -len(short)]
            if not head or head[-1] in _DEPARTMENT_STARTS_AFTER:
                return head + full
    return name


@lru_cache(maxsize=4096)
def normalise_agency(name: str | None) -> str | None:
    """The full official name: no spaces or quotes, no correction tag, short forms completed.

    A bare township (泾源县黄花乡) or region (上海市) names its 人民政府: a region-wide report is the
    government's, not its office's. A bare zone (开发区, 实验区) names its 管理委员会; 人民政府 is never
    appended to a name that is not a government's.
    """
    name = clean_name(name)
    if not name:
        return None
    name = _PLAIN_GOV.sub("人民政府", name)  # 上海市政府 → 上海市人民政府
    name = expand_abbreviation(name)
    bare = re.sub("人民政府$", "", name)
    if _zone().search(bare):
        return bare + "管理委员会"
    if _SHORT_TOWNSHIP.search(name) or (_SHORT_REGION.search(name) and not _NOT_GOVERNMENT.search(name)):
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


_BARE_UNIT_CHARACTERS = frozenset("省市县区旗盟州")


def names_a_place(name: str) -> bool:
    """Whether a name says where its body is (a region, a township, a zone): 「服务中心」, 「统计局」
    alone do not, and are no body's full name."""
    region = UNIT_NAME.match(name)
    # 「市市场监督管理局」: 市 + 市场… reads as a unit 「市市」, but a stem of unit characters only is no
    # place's name — the body speaks of its city without naming it
    names_region = region is not None and not set(region.group(0)) <= _BARE_UNIT_CHARACTERS
    return bool(names_region or re.search(r"镇|乡|苏木|街道|自治区", name) or _zone().search(name))


def well_formed(name: str) -> bool:
    """A "…人民政府" must follow an administrative unit (文登人民政府 lacks its 区)."""
    return name.count("人民政府") == len(_GOV_WELL_FORMED.findall(name))


def completes(full: str, short: str) -> bool:
    """``full`` is ``short`` with the higher units in front (侯家镇人民政府 → 威海市文登区侯家镇人民政府)."""
    return full != short and full.endswith(short)


def township_alone(name: str) -> bool:
    """A township's body named without its county (高楼乡人民政府, not 微山县高楼乡人民政府)."""
    township = re.match(r"[\u4e00-\u9fff]{1,8}?(?:镇|乡|苏木|街道)", name)
    return agency_level(name) == "township" and township is not None and not UNIT_NAME.match(township.group(0))
