"""A zone's abbreviated name expanded to the full one the same text prints: 「福州高新区管理委员会」
beside 「福州高新技术产业开发区管委会网站」, 「湖州开发区管委会」 beside 「湖州经济开发区」, a bare
「高新区管委会」 beside 「乐山高新区管委会」. Pure functions."""

from __future__ import annotations

import re
from collections import Counter

from crawler.extract.names import zone_suffixes

__all__ = ["expand_zone"]

_COMMITTEE = "管理委员会"
# how far after the place a zone's full name may run (高新技术产业开发区: 9 characters)
_ZONE_REACH = 12


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
    return places.pop() + zone + _COMMITTEE if len(places) == 1 else None


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
    if len(place) < 2:
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
    if len(found) != 1:
        return name
    return place + found.most_common(1)[0][0] + _COMMITTEE
