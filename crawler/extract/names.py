"""The shape of a reporting body's name: debris removed, short forms completed, offices → bodies.

Where names are found in a report is ``mentions.py``; this module only turns a printed name into
the normalised full official name (report-format.md §9.2). The abbreviation table, the first-person
words and the zone suffixes are data (``agency_names.json``), not code.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from functools import cache
from importlib import resources
from typing import Any

__all__ = [
    "agency_level",
    "body_of_office",
    "clean_name",
    "complete_from_text",
    "expand_abbreviation",
    "government_of_speaker",
    "is_first_person",
    "looks_like_agency",
    "names_a_place",
    "normalise_agency",
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
_UNIT = re.compile(_REGION_UNIT)
# two characters and the unit: most county names, and no verb caught in front (「可以从荣成市…网」)
_PORTAL = re.compile(
    r"([\u4e00-\u9fff]{2}[市县旗])(?:人民政府|政府)?(?:政府信息公开|信息公开|政务)?(?:门户|公众)?网"
)
_SPEAKER = re.compile(r"我(县|区|市|旗)")
# characters that begin no place name but often stand just before one (「可以在淄博市」, 「通过乳山市」)
_NOT_A_PLACE_START = frozenset("在于从自向对由与及以是的通经可为将把被等了过至到据按")
_NOT_IN_A_PLACE = frozenset("在以是的可为将把被等了过至到据按年月日共各全该本我")
_UNIT_SUFFIXES = ("自治区", "自治州", "自治县", "自治旗", "省", "市", "县", "区", "旗", "盟", "州")
_UNIT_CHARS = frozenset("省市县区旗盟州")
_HEADER_LINES = 15
_LEVEL_TOWNSHIP = re.compile(r"(?:镇|乡|苏木|街道)(?:人民政府|政府|办事处|党政办公室|党政办)?$|街道办事处$")
_LEVEL_GOVERNMENT = re.compile(r"(?:人民政府|政府)(?:办公室|办公厅)?$")
_LEVEL_DEPARTMENT = re.compile(r"(?:局|委员会|委|办公室|办|中心|厅|所|院|署|队|站|处|会|馆|部|社)$")


@cache
def _data() -> dict[str, Any]:
    text = resources.files(__package__).joinpath("agency_names.json").read_text(encoding="utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


@cache
def _abbreviations() -> tuple[tuple[str, str], ...]:
    pairs = _data()["abbreviations"].items()
    return tuple(sorted(pairs, key=lambda pair: -len(pair[0])))


def zone_suffixes() -> tuple[str, ...]:
    """What the name of a zone run by a 管理委员会 ends in (开发区, 高新区, 实验区 …), longest first."""
    return tuple(sorted(_data()["zone_suffixes"], key=len, reverse=True))


@cache
def _zone() -> re.Pattern[str]:
    return re.compile("(?:" + "|".join(map(re.escape, zone_suffixes())) + ")$")


@cache
def _first_person() -> re.Pattern[str]:
    words = "".join(_data()["first_person"])
    # 我… is never a place; 本/该/全 only before a unit word (本溪市 is a city), office or not
    units = "局|镇|乡|委|办|单位|机关|街道|区|县|市|旗|苏木|部门|中心|院|厅|政府|校"
    return re.compile(rf"^(?:我|[{words}](?:{units})(?:[\u4e00-\u9fff]{{0,6}}?(?:办公室|办|股))?$)")


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


def names_a_place(name: str) -> bool:
    """Whether a name says where its body is (a region, a township, a zone): 「服务中心」, 「统计局」
    alone do not, and are no body's full name."""
    return bool(_UNIT.match(name) or re.search(r"镇|乡|苏木|街道|自治区", name) or _zone().search(name))


def well_formed(name: str) -> bool:
    """A "…人民政府" must follow an administrative unit (文登人民政府 lacks its 区)."""
    return name.count("人民政府") == len(_GOV_WELL_FORMED.findall(name))


def completes(full: str, short: str) -> bool:
    """``full`` is ``short`` with the higher units in front (侯家镇人民政府 → 威海市文登区侯家镇人民政府)."""
    return full != short and full.endswith(short)


def _needs_prefix(name: str) -> str | None:
    """The part of ``name`` to look for with a region in front of it, or None when it stands alone:
    a county or county-level city does; a district needs its city, a township its county, a
    department without any region its region."""
    first = _UNIT.match(name)
    if first is None or re.search(r"(?:镇|乡|苏木|街道)", name[: first.end()]):
        township = re.match(r"[\u4e00-\u9fff]{1,8}?(?:镇|乡|苏木|街道)", name)
        return township.group(0) if township else name
    unit = first.group(0)
    if unit == "自治区":  # 自治区人民政府办公厅: the region's name is printed elsewhere (新疆维吾尔自治区)
        return unit
    if re.search(r"镇|乡|苏木|街道", name[len(unit) :]) and not unit.endswith("区"):
        return None  # a township with its county (遂溪县北坡镇) is complete
    return unit if unit.endswith(("区", "县")) and not unit.endswith(("自治区", "自治县")) else None


def complete_from_text(name: str, text: str) -> str | None:
    """``name`` with the region the text prints in front of its short part (an address, the portal's
    name, a statistics sentence), or None. A county-level 市 needs no prefecture in front: 威海市
    荣成市荫子镇 completes 荫子镇 as 荣成市荫子镇; a district or county keeps its city (威海市文登区)."""
    stem = _needs_prefix(name)
    if not stem or len(stem) < 2:
        return None
    if stem == "自治区":  # 自治区人民政府办公厅: the region the text names (the five are data)
        region = next((r for r in _data()["autonomous_regions"] if r in text), None)
        return region + name[len(stem) :] if region else None
    header = _header_line(name, text)
    if header:
        return header
    found: Counter[str] = Counter()
    township = bool(re.search(r"镇|乡|苏木|街道", name))
    county_alone = township or not stem.endswith(("区", "县"))
    position = text.find(stem)
    while position != -1:
        before = text[max(0, position - 24) : position]
        prefix = _reduce_chain(_chain_before(before), county_alone=county_alone)
        if prefix and not name.startswith(prefix):
            found[prefix] += 1
        position = text.find(stem, position + len(stem))
    if found:
        return max(found, key=lambda p: (found[p], len(p))) + name
    if _UNIT.match(name):
        return None  # a district or county without its city: a portal's name does not tell it
    for portal in _PORTAL.finditer(text):  # 「可以从荣成市人民政府信息公开网下载」: the body's county
        if _plausible_place(portal.group(1)[:-1]):
            return portal.group(1) + name
    return None


def government_of_speaker(text: str) -> str | None:
    """The government a report speaks for when it names itself only 「我县」/「我区」/「我旗」: the
    region of that kind the text prints most often (at least twice), with its city when printed."""
    spoken = Counter(_SPEAKER.findall(text))
    if not spoken:
        return None
    unit = spoken.most_common(1)[0][0]
    chains: Counter[str] = Counter()
    for match in re.finditer(unit, text):
        chain = _chain_before(text[max(0, match.start() - 24) : match.end()])
        if chain.endswith(unit) and len(chain) > 2:
            chains[chain] += 1
    places: Counter[str] = Counter()
    for chain, count in chains.items():
        places[_UNIT.findall(chain)[-1]] += count
    if not places or places.most_common(1)[0][1] < 2:
        return None
    place = places.most_common(1)[0][0]
    fullest = max((c for c in chains if c.endswith(place)), key=lambda c: (len(c), chains[c]))
    return fullest + "人民政府"


def _header_line(name: str, text: str) -> str | None:
    """A line at the top of the page that is the full name: the site's banner or the 发布机构 line
    (「乌鲁木齐某某区(某某县)」 above a report naming 「某某区(某某县)」)."""
    for line in text.split("\n", _HEADER_LINES)[:_HEADER_LINES]:
        line = line.strip()
        if (
            line != name
            and line.endswith(name)
            and len(line) <= 30
            and _plausible_place(line[: -len(name)][:2])
        ):
            return line
    return None


def _chain_before(before: str) -> str:
    """The regions printed right before a name, read backwards unit by unit, each the longest
    plausible place name (2–4 characters, none of them a unit, not starting with a function word)."""
    units: list[str] = []
    end = len(before)
    while len(units) < 3:
        suffix = next((u for u in _UNIT_SUFFIXES if before[:end].endswith(u)), None)
        if suffix is None:
            break
        found = None
        for size in (4, 3, 2):
            start = end - len(suffix) - size
            place = before[start : end - len(suffix)] if start >= 0 else ""
            if _plausible_place(place) and (start == 0 or _boundary(before[start - 1])):
                found = start
                break
        if found is None:
            break
        units.insert(0, before[found:end])
        end = found
    return "".join(units)


def _boundary(char: str) -> bool:
    """A place name starts after punctuation, a function word or another unit."""
    cjk = "\u4e00" <= char <= "\u9fff"
    return not cjk or char in _NOT_A_PLACE_START or char in _NOT_IN_A_PLACE or char in _UNIT_CHARS


def _plausible_place(place: str) -> bool:
    return (
        len(place) >= 2
        and all("\u4e00" <= char <= "\u9fff" for char in place)
        and place[0] not in _NOT_A_PLACE_START
        and _NOT_IN_A_PLACE.isdisjoint(place)
        and _UNIT_CHARS.isdisjoint(place)
    )


def _reduce_chain(chain: str, *, county_alone: bool) -> str:
    """The printed chain of regions as names use it: a district keeps its city (威海市文登区); a
    county's own bodies keep it too (银川市永宁县人民政府), but in front of a township the county
    or county-level city stands alone (遂溪县北坡镇, 荣成市荫子镇)."""
    units = _UNIT.findall(chain)
    if not units or "".join(units) != chain:
        return ""
    keeps = ("区",) if county_alone else ("区", "县")
    for index in range(len(units) - 1, -1, -1):
        if not units[index].endswith(keeps) or units[index].endswith(("自治区", "自治县")):
            return "".join(units[index:])
    return "".join(units)
