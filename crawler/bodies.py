"""Reporting bodies as data: one identity per body, whatever name a report gives it.

「大水泊镇」, 「大水泊镇人民政府」 and 「威海市文登区大水泊镇人民政府」 are one body: the higher units in front
(the site's province, city and county, or any run of administrative units) and the 人民政府 / 办事处 a
township's short name leaves out do not make another body. :func:`body_identity` is pure (names in,
identity out); :func:`upsert_body` keeps the ``bodies`` table (crawler/db.py) in step with the reports.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Protocol

from sqlite_utils import Database

from crawler.extract.names import agency_level, normalise_agency, region_unit, zone_suffixes
from crawler.sites.catalog import site_fields_by_name

#: one administrative unit: a stem and the unit's kind (山东省, 威海市, 文登区, 宁夏回族自治区, 海原县 …)
_UNIT = region_unit(2, 10)
_UNITS = re.compile(rf"^(?:{_UNIT})+")
_ONE_UNIT = re.compile(_UNIT)
#: 区 that are no unit above a body, beside the extraction's zones (crawler/extract/names.py)
_NOT_A_UNIT = ("新区", "产业区", "景区", "社区", "小区", "片区")
#: what is left of a township's name once its stem is gone: never a body by itself
_BARE_SUFFIX = re.compile(r"^(?:镇|乡|苏木|街道)?(?:人民政府|办事处|街道办事处)?$")
_TOWNSHIP_SUFFIX = re.compile(r"(?<=镇|乡|木|道)(?:人民政府|办事处)$")
#: 区政府办公室 / 县人民政府 …: the county's own organs named by the unit's kind alone
_OWN_GOVERNMENT = re.compile(r"^(?:[区县市旗])?(?:人民)?政府")
GOVERNMENT = "人民政府"
LEVELS = ("government", "department", "township", "other")


@dataclass(frozen=True, slots=True)
class Scope:
    """Where a site's bodies sit: the units above them and the county's GB/T 2260 code."""

    region: str = ""  # 山东省威海市
    county: str = ""  # 文登区
    division_code: str = ""  # 371003

    @property
    def units(self) -> tuple[str, ...]:
        return (*_ONE_UNIT.findall(self.region), *_ONE_UNIT.findall(self.county))

    def key_prefix(self, site: str) -> str:
        """Bodies are unique within a county (its code, else its name, else the site)."""
        return self.division_code or (self.region + self.county) or site


class HasScope(Protocol):
    """What an item carries of its site (crawler/items.py ``ReportPage``, crawler/sites/profile.py)."""

    region: str
    county: str
    division_code: str


def item_scope(item: HasScope) -> Scope:
    """The scope the spider put on an item: the stages read it there, never from a profile."""
    return Scope(item.region, item.county, item.division_code)


def site_scope(site: str) -> Scope:
    """The scope a site's profile (crawler/sites/<site>.toml) gives; empty for a site without one.
    For rows stored before the items carried it (the bodies migration)."""
    return Scope(**site_fields_by_name(site))


@cache
def _zone() -> re.Pattern[str]:
    """Units run by a 管委会 (经济开发区 …) name a body of their own, not a higher unit to drop."""
    return re.compile("(?:" + "|".join(map(re.escape, (*zone_suffixes(), *_NOT_A_UNIT))) + ")$")


@dataclass(frozen=True, slots=True)
class BodyIdentity:
    key: str  # the body within its county: 大水泊镇人民政府, 财政局, 人民政府 (the county government)
    name: str  # the name as given, normalised (normalise_agency)
    short: str  # 大水泊镇, 财政局, 文登区政府
    level: str  # government / department / township / other
    is_government: bool = False  # the county (or unit) government itself: every other body's parent


def _strip_units(name: str, scope: Scope) -> tuple[str, str]:
    """(the name without the units in front, the last unit removed)."""
    last = ""
    for unit in scope.units:  # the site's own units first: exact and cheap
        if name.startswith(unit) and len(name) > len(unit):
            name, last = name[len(unit) :], unit
    run = _UNITS.match(name)
    if run is None or _zone().search(run.group(0)):
        return name, last
    units, rest = _ONE_UNIT.findall(run.group(0)), name[run.end() :]
    while units and _BARE_SUFFIX.match(rest) and rest != GOVERNMENT:
        rest = units.pop() + rest  # 城区街道办事处: 城区 is the street's own name, not a unit above it
    return (rest, units[-1]) if units else (name, last)


@lru_cache(maxsize=8192)
def body_identity(agency: str, scope: Scope = Scope()) -> BodyIdentity:
    """The identity of the body ``agency`` names, within ``scope``. Remembered: every report asks
    for its body's three times (its dedupe key, its body row, the county's government row), a
    body's reports repeat it every year, and normalising a name is the writer's costliest step."""
    name = normalise_agency(agency) or agency
    rest, last = _strip_units(name, scope)
    own = _OWN_GOVERNMENT.match(rest)
    if own:  # 区人民政府 / 县政府办公室: the county's government (or its office)
        rest = GOVERNMENT + rest[own.end() :]
    level = agency_level(name) or "other"
    if rest == GOVERNMENT:
        if last and scope.county and last != scope.county:  # a higher unit's government (威海市人民政府)
            return BodyIdentity(last + GOVERNMENT, name, f"{last}政府", "government")
        county = scope.county or last
        # without a scope, the unit keeps governments of different units apart
        key = GOVERNMENT if scope.county else county + GOVERNMENT
        return BodyIdentity(key, name, f"{county}政府", "government", is_government=True)
    if scope.county and last and last != scope.county:
        # a body of another unit: the city's own department on a county portal (威海市财政局), another
        # county's on a city portal (荣成市财政局) — the unit stays in the key, or two bodies would be one
        rest = last + rest
    short = _TOWNSHIP_SUFFIX.sub("", rest) if level == "township" else rest
    return BodyIdentity(rest, name, short, level)


def dedupe_key(agency: str | None, url: str, site: str, scope: Scope = Scope()) -> str:
    """The key reports are deduplicated on: the body within its county, or the URL when the body
    could not be named (such reports are kept apart rather than merged by guesswork)."""
    if not agency:
        return f"url:{url}"
    return f"{scope.key_prefix(site)}/{body_identity(agency, scope).key}"


# --- the bodies table ----------------------------------------------------------------------------


def _names(existing: str | None, *names: str | None) -> str:
    found = json.loads(existing) if existing else []
    found += [n for n in names if n and n not in found]
    return json.dumps(sorted(found, key=lambda n: (len(n), n)), ensure_ascii=False)


def _official(names: list[str]) -> str:
    """The fullest name seen: the longest (威海市文登区大水泊镇人民政府 over 大水泊镇人民政府)."""
    return max(names, key=lambda n: (len(n), n))


def upsert_body(db: Database, site: str, scope: Scope, agency: str, as_printed: str | None = None) -> int:
    """The id of the body ``agency`` names (created, or its names and aliases extended)."""
    identity = body_identity(agency, scope)
    key = f"{scope.key_prefix(site)}/{identity.key}"
    top = identity.level == "government" and identity.key.endswith(GOVERNMENT)  # a government, not its office
    parent = None if top else _government_id(db, site, scope)
    row = db.execute("SELECT id, aliases FROM bodies WHERE key = ?", [key]).fetchone()
    if row is None:
        return _insert_body(db, site, scope, key, identity, parent, _names(None, identity.name, as_printed))
    aliases = _names(row[1], identity.name, as_printed)
    db.execute(
        "UPDATE bodies SET aliases = ?, name = ?, parent_id = coalesce(parent_id, ?) WHERE id = ?",
        [aliases, _official(json.loads(aliases)), parent, row[0]],
    )
    return row[0]


def body_id(key: str) -> int:
    """A body's id, from its key: the same in every database (a re-parse, another worker's crawl,
    a merge), whatever order its reports arrived in. 48 bits: no collision among millions of bodies."""
    return int(hashlib.sha256(key.encode("utf-8")).hexdigest()[:12], 16)


def _insert_body(
    db: Database, site: str, scope: Scope, key: str, identity: BodyIdentity, parent: int | None, aliases: str
) -> int:
    new_id = body_id(key)
    db.execute(
        "INSERT INTO bodies (id, key, site, name, short_name, aliases, level, region, county, division_code, "
        "parent_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [new_id, key, site, _official(json.loads(aliases)), identity.short, aliases, identity.level,
         scope.region or None, scope.county or None, scope.division_code or None, parent],
    )  # fmt: skip
    return new_id


def _government_id(db: Database, site: str, scope: Scope) -> int | None:
    """The county government, every other body's parent (created from the scope when first needed)."""
    if not scope.county:
        return None
    units = scope.units
    name = "".join(units[-2:]) + GOVERNMENT  # 威海市文登区人民政府: the city, the county
    identity = body_identity(name, scope)
    key = f"{scope.key_prefix(site)}/{identity.key}"
    row = db.execute("SELECT id FROM bodies WHERE key = ?", [key]).fetchone()
    if row is not None:
        return row[0]
    return _insert_body(db, site, scope, key, identity, None, _names(None, name))


def link_report(
    db: Database, report_id: int, site: str, scope: Scope, agency: str | None, as_printed: str | None
) -> None:
    """Point ``reports.body_id`` at the body the report names (none when it names none)."""
    if not agency:
        return
    body_id = upsert_body(db, site, scope, agency, as_printed)
    db.execute("UPDATE reports SET body_id = ? WHERE id = ?", [body_id, report_id])


def backfill_bodies(db: Database) -> None:
    """Bodies for the reports already stored, and their dedupe keys re-made on the body (migration)."""
    rows = db.execute(
        "SELECT id, site, agency, agency_as_printed, url, year FROM reports ORDER BY id"
    ).fetchall()
    taken: set[tuple[str, int | None]] = set()
    for report_id, site, agency, as_printed, url, year in rows:
        scope = site_scope(site)
        key = dedupe_key(agency, url, site, scope)
        if (key, year) in taken:  # two rows the old key kept apart: keep them apart (no silent merge)
            key = f"url:{url}"
        taken.add((key, year))
        db.execute("UPDATE reports SET agency_key = ? WHERE id = ?", [key, report_id])
        link_report(db, report_id, site, scope, agency, as_printed)
