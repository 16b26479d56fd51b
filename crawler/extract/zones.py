"""A zone's abbreviated name expanded to the full one the same text prints: 「福州高新区管理委员会」
beside 「福州高新技术产业开发区管委会网站」, 「湖州开发区管委会」 beside 「湖州经济开发区」, a bare
「高新区管委会」 beside 「乐山高新区管委会」. Pure functions."""

from __future__ import annotations

import re
from collections import Counter

from crawler.extract.names import zone_suffixes
from crawler.extract.places import NOT_A_PLACE_START

__all__ = ["expand_zone"]

_COMMITTEE = "管理委员会"
# how far after the place a zone's full name may run (高新技术产业开发区: 9 characters)
_ZONE_REACH = 12
# the full names a zone's short name stands for; any other longer zone after the same place
# (湖州南浔经济开发区 beside 湖州开发区) is another zone, or prose (甲乙市和高新区), not its full name
_EXPANSIONS = {
    "高新区": frozenset({"高新技术产业开发区"}),
    "开发区": frozenset({"经济开发区", "经济技术开发区"}),
}
_PLACE_UNITS = ("市", "县", "区", "州")
# words of prose that run into the place before a zone (「配合乐山高新区…」, 「在…的领导下」)
_PROSE = re.compile(r"配合|协助|联合|会同|领导|支持|开展|根据|按照|依据|关于|年度")
# 将 and 可 start real places (将乐县, 可克达拉市), so they end no prose run-in here
_NOT_A_ZONE_PLACE_START = NOT_A_PLACE_START - {"将", "可"}
# a unit after one of these points at a place without naming it (全市, 本区, 我县, 该市, 各区, 此县)
_POINTER_STEMS = frozenset("全本我该各此其外邻两多每诸")
# two characters that name no place: a time (今年) or a kind of area (市区, 城区, 辖区)
_NO_NAMES = frozenset({"今年", "去年", "明年", "当年", "本年", "全年", "近年", "同年", "城区", "辖区", "县区", "区县"})
# units that never sit inside a place's own stem (市区, 县区); 州 does (全州, 伊州)
_INNER_UNITS = frozenset("省市县区旗盟")


def _is_place(place: str) -> bool:
    """A place name: one ending in its unit (乐山市, 南浔区, 全椒县), or a city's or county's
    two-character short name as zones use it (乐山, 日照, 本溪) — never a phrase of prose before the
    zone, nor a word that only points at a place (全市, 本区, 我县, 该市) or two characters that are
    no name (今年, 市区). The pointers are matched as whole stems, not as characters anywhere in the
    name: 全, 本, 日, 共, 将, 可 start real places (全椒, 本溪, 日照, 共青城, 将乐, 可克达拉)."""
    if not 2 <= len(place) <= 6 or place[0] in _NOT_A_ZONE_PLACE_START or _PROSE.search(place):
        return False
    if not all("\u4e00" <= char <= "\u9fff" for char in place) or place in _NO_NAMES:
        return False
    if place.endswith(_PLACE_UNITS):
        stem = place[:-1]
        return stem not in _POINTER_STEMS and _INNER_UNITS.isdisjoint(stem)
    # without its unit only a two-character short name (乐山), never a longer phrase
    return len(place) == 2 and _INNER_UNITS.isdisjoint(place)


def _is_abbreviation(short: str, full: str) -> bool:
    """``short``'s characters in ``full``, in order (高新区 in 高新技术产业开发区, 经开区 in 经济技术开发区)."""
    rest = iter(full)
    return all(char in rest for char in short)


def _placed(zone: str, text: str) -> str | None:
    """A bare zone's committee (「高新区管委会」) named with its place where the text prints the
    committee's name whole, from a line start or a punctuation mark (「乐山高新区管委会2010年年报」),
    when one place is printed so."""
    pattern = re.compile(
        rf"(?:^|(?<=[\s，。、；：,.;:“”《》()（）]))(?P<place>[\u4e00-\u9fff]{{2,6}}?){re.escape(zone)}(?:管委会|{_COMMITTEE})",
        re.MULTILINE,
    )
    places = {match.group("place") for match in pattern.finditer(text)}
    if len(places) != 1 or not _is_place(place := places.pop()):
        return None
    return place + zone + _COMMITTEE


def expand_zone(name: str | None, text: str) -> str | None:
    """``name`` (「P + zone + 管理委员会」) with the zone as the text prints it in full after the same
    place P, when the text prints exactly one such longer form; otherwise ``name`` unchanged."""
    if not name or not name.endswith(_COMMITTEE):
        return name
    bare = name[: -len(_COMMITTEE)]
    suffixes = zone_suffixes()
    short = next((suffix for suffix in suffixes if bare.endswith(suffix)), None)
    place = bare[: -len(short)] if short else ""
    if not short:
        return name
    if not place:
        return _placed(bare, text) or name
    if not _is_place(place):
        return name
    found: Counter[str] = Counter()
    position = text.find(place)
    while position != -1:
        after = text[position + len(place) : position + len(place) + _ZONE_REACH]
        # the shortest zone name starting here: the first place a zone suffix ends
        ends = [after.find(suffix) + len(suffix) for suffix in suffixes if suffix in after]
        zone = after[: min(ends)] if ends else ""
        if len(zone) > len(short) and zone.endswith(suffixes) and _is_abbreviation(short, zone):
            found[zone] += 1
        position = text.find(place, position + len(place))
    if len(found) != 1 or (zone := next(iter(found))) not in _EXPANSIONS.get(short, ()):
        return name
    return place + zone + _COMMITTEE
