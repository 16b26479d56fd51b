"""Short names completed from the regions a text prints around them: an address, the portal's name,
a banner line, the levels listed above the body (「自治区、哈密市、伊州区各级」), the government a
report speaks for as 「我县」/「我旗」, an autonomous region by its short name; and the county a text
refers to without naming it. Pure functions over the text."""

from __future__ import annotations

import re
from collections import Counter

from crawler.extract.names import UNIT_KINDS, UNIT_NAME, agency_data, zone_suffixes

_PORTAL = re.compile(
    r"([\u4e00-\u9fff]{2}[市县旗])(?:人民政府|政府)?(?:政府信息公开|信息公开|政务)?(?:门户|公众)?(?:信息)?网"
)
_SPEAKER = re.compile(r"我(县|区|市|旗)")
NOT_A_PLACE_START = frozenset("在于从自向对由与及以是的通经可为将把被等了过至到据按")
# 与/及/请 sit in no place name but often just before one (「请与衡水市桃城区…联系」)
_NOT_IN_A_PLACE = frozenset("在以是的可为将把被等了过至到据按年月日共各全该本我与及请")
#: the kinds of unit, the longer first where one ends another (自治区 before 区): the names' own list
_UNIT_SUFFIXES = tuple(sorted(UNIT_KINDS.split("|"), key=len, reverse=True))
_UNIT_CHARS = frozenset("省市县区旗盟州")
# Unit characters that never sit inside a place's own name; 州 does (伊州区, 郑州市, 兰州新区).
_IN_PLACE_NOT = _UNIT_CHARS - {"州"}
_HEADER_LINES = 15


def _needs_prefix(name: str) -> str | None:
    """The part of ``name`` to look for with a region in front of it, or None when it stands alone:
    a county or county-level city does; a district needs its city, a township its county, a
    department without any region its region."""
    first = UNIT_NAME.match(name)
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
        region = autonomous_region(text)
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
        prefix = _reduce_chain(_chain_units(before), county_alone=county_alone)
        if prefix and not name.startswith(prefix):
            found[prefix] += 1
        position = text.find(stem, position + len(stem))
    if found:
        return max(found, key=lambda p: (found[p], len(p))) + name
    if UNIT_NAME.match(name):
        return None  # a district or county without its city: a portal's name does not tell it
    parents = printed_parents(text)  # 「按照自治区、哈密市、伊州区各级…的要求」 above a township
    if parents:
        return parents + name
    for portal in _PORTAL.finditer(text):  # 「可以从荣成市人民政府信息公开网下载」: the body's county
        if plausible_place(portal.group(1)[:-1]):
            return portal.group(1) + name
    autonomous = autonomous_county_portal(text)  # 「在金平苗族瑶族傣族自治县人民政府门户网站」
    return autonomous + name if autonomous else None


# an autonomous county's or banner's website: its name runs stem + peoples + 自治县 (金平苗族瑶族傣族自治县)
_AUTONOMOUS_PORTAL = re.compile(
    r"自治(?P<unit>[县旗])(?:人民政府|政府)?(?:政府信息公开|信息公开|政务)?(?:门户|公众)?(?:信息)?网"
)
# longest first: a shorter stem's short form is inside the longer one's (乙丙县 in 甲乙丙县)
_STEM_LENGTHS = (4, 3, 2)


def autonomous_county_portal(text: str) -> str | None:
    """The autonomous county (banner) whose website the text names, in full: the peoples before 自治县
    are read from the list of China's peoples, and the stem before them is the one the text also prints
    in the short form (金平县 beside 金平苗族瑶族傣族自治县) — without it where the name starts is not told."""
    peoples = "|".join(sorted(agency_data()["ethnic_groups"], key=len, reverse=True))
    peoples_before = re.compile(rf"(?:{peoples})+$")
    for portal in _AUTONOMOUS_PORTAL.finditer(text):
        before = text[max(0, portal.start() - 40) : portal.start()]
        named = peoples_before.search(before)
        if named is None:
            continue
        unit = portal.group("unit")
        full_tail = named.group(0) + "自治" + unit
        for length in _STEM_LENGTHS:
            stem = before[named.start() - length : named.start()]
            if len(stem) == length and plausible_place(stem) and stem + unit in text:
                return stem + full_tail
    return None


# A list of the levels above a body, each named, ending in "each level" (「自治区、哈密市、伊州区各级」).
_LEVELS_LIST = re.compile(r"((?:[\u4e00-\u9fff]{1,12}、){1,4}[\u4e00-\u9fff]{2,12})(?:各级|两级|三级|四级)")
# The county a township's report refers to without naming it: 「在县委、县政府的领导下」, 「全县」.
_LEAD_IN = re.compile(r"^.*(?:按照|依照|遵照|根据|落实|贯彻|结合)")
_UNNAMED_COUNTY = re.compile(r"(?:县|区|旗)(?:委|政府)")
# the county as one of a list of unnamed levels: 「省、市、县有关文件」, 「市、区两级」 — levels, not the
# words that end or begin with one (「城市、区域协调发展」, 「都市、县域」, 「省、市、区划」)
_UNNAMED_LEVELS = re.compile(r"(?<![城都])(?:省|市|州|盟)、(?:(?:市|州|盟)、)?(?:县|区|旗)(?![市县区旗域城划间别位])")
# two-character lead-ins whose last character could otherwise be read as the end of a place name
_LEAD_IN_WORDS = ("按照", "依照", "遵照", "参照", "对照")
_WHOLE_COUNTY = re.compile(r"全(?:县|区|旗)(?!域)")


def printed_parents(text: str) -> str | None:
    """The county (with its city when a district) a list of the levels above the body names: in
    「按照自治区、哈密市、伊州区各级…」 a township of 伊州区 of 哈密市. Unnamed levels (「省、市、县各级」)
    tell nothing."""
    for match in _LEVELS_LIST.finditer(text):
        items = match.group(1).split("、")
        items[0] = _LEAD_IN.sub("", items[0])  # 「按照自治区」: the words before the first level
        named = [item for item in items if UNIT_NAME.fullmatch(item) and plausible_place(item[:-1])]
        if not named or named[-1] != items[-1] or not named[-1].endswith(("县", "区", "旗", "市")):
            continue
        district = named[-1].endswith("区") and not named[-1].endswith("自治区") and len(named) > 1
        return "".join(named[-2:]) if district else named[-1]  # a district keeps its city (哈密市伊州区)
    return None


def refers_to_unnamed_county(text: str) -> bool:
    """Whether the text speaks of the county above it without naming it (「县委、县政府」, 「全县」): a
    township it names alone is then only part of its full name. 「自治区政府」 is not such a reference."""
    if _WHOLE_COUNTY.search(text) or _UNNAMED_LEVELS.search(text):
        return True
    return any(
        match.start() == 0
        or _boundary(text[match.start() - 1])
        or text[max(0, match.start() - 2) : match.start()] in _LEAD_IN_WORDS
        for match in _UNNAMED_COUNTY.finditer(text)
    )


def autonomous_region(text: str) -> str | None:
    """The autonomous region a text names, in full (新疆维吾尔自治区) or by its short name (「视察新疆」,
    「新疆政府网」): the one printed most; None when none is, or two are printed as often."""
    regions: dict[str, str] = agency_data()["autonomous_regions"]
    full = [region for region in regions if region in text]
    if len(full) == 1:
        return full[0]
    counts = Counter({region: text.count(short) for region, short in regions.items()})
    ranked = [item for item in counts.most_common(2) if item[1]]
    if not ranked or (len(ranked) == 2 and ranked[0][1] == ranked[1][1]):
        return None
    return ranked[0][0]


def government_of_speaker(text: str) -> str | None:
    """The government a report speaks for when it names itself only 「我县」/「我区」/「我旗」: the
    region of that kind the text prints most often (at least twice), with its city when printed."""
    spoken = Counter(_SPEAKER.findall(text))
    if not spoken:
        return None
    unit = spoken.most_common(1)[0][0]
    chains: Counter[tuple[str, ...]] = Counter()
    for match in re.finditer(unit, text):
        units = _chain_units(text[max(0, match.start() - 24) : match.end()])
        if units and units[-1].endswith(unit) and len(units[-1]) > 1:
            chains[tuple(units)] += 1
    places: Counter[str] = Counter()
    zones = set(zone_suffixes())
    for chain, count in chains.items():
        if chain[-1] not in zones:  # 「开发区」 alone (a zone's 我区) names no government
            places[chain[-1]] += count
    # Printed twice, or the only place of its kind printed (「我旗」 … 「乌拉特前旗政府网站」 once)
    if not places or (places.most_common(1)[0][1] < 2 and len(places) > 1):
        return None
    place = places.most_common(1)[0][0]
    fullest = max((c for c in chains if c[-1] == place), key=lambda c: (len("".join(c)), chains[c]))
    return "".join(fullest) + "人民政府"


def _header_line(name: str, text: str) -> str | None:
    """A line at the top of the page that is the full name: the site's banner or the 发布机构 line
    (「乌鲁木齐某某区(某某县)」 above a report naming 「某某区(某某县)」)."""
    for line in text.split("\n", _HEADER_LINES)[:_HEADER_LINES]:
        line = line.strip()
        if (
            line != name
            and line.endswith(name)
            and len(line) <= 30
            and plausible_place(line[: -len(name)][:2])
        ):
            return line
    return None


def _chain_before(before: str) -> str:
    return "".join(_chain_units(before))


def _chain_units(before: str) -> list[str]:
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
            if plausible_place(place) and (start == 0 or _boundary(before[start - 1])):
                found = start
                break
        if found is None:
            break
        units.insert(0, before[found:end])
        end = found
    return units


def _boundary(char: str) -> bool:
    """A place name starts after punctuation, a function word or another unit."""
    cjk = "\u4e00" <= char <= "\u9fff"
    return not cjk or char in NOT_A_PLACE_START or char in _NOT_IN_A_PLACE or char in _UNIT_CHARS


def plausible_place(place: str) -> bool:
    """Whether ``place`` (a name without its unit) could be a place's own name: Han characters only,
    no function word to start it, no word that sits in no place name (年, 全, 本, 我, 各, 该 …) and no
    other unit inside it (市区 is no place; 州 may be: 伊州, 郑州)."""
    return (
        len(place) >= 2
        and all("\u4e00" <= char <= "\u9fff" for char in place)
        and place[0] not in NOT_A_PLACE_START
        and _NOT_IN_A_PLACE.isdisjoint(place)
        and _IN_PLACE_NOT.isdisjoint(place)
    )


def _reduce_chain(units: list[str], *, county_alone: bool) -> str:
    """The printed chain of regions as names use it: a district keeps its city (威海市文登区); a
    county's own bodies keep it too (银川市永宁县人民政府), but in front of a township the county
    or county-level city stands alone (遂溪县北坡镇, 荣成市荫子镇)."""
    if not units:
        return ""
    keeps = ("区",) if county_alone else ("区", "县")
    for index in range(len(units) - 1, -1, -1):
        if not units[index].endswith(keeps) or units[index].endswith(("自治区", "自治县")):
            return "".join(units[index:])
    return "".join(units)
