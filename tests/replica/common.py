"""Helpers both site builders share: choosing bodies, years and generations, ids (files: files.py)."""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from tests.replica import content
from tests.replica.content import Body
from tests.replica.world import Report
from tests.support.values import StatTables, random_tables

YEARS = tuple(range(2019, 2025))
LARGE_YEARS = tuple(range(2008, 2025))  # the 条例 took effect in 2008; G0 until the 2018 reports
#: large scale: 事业单位 per site (at most what content.institution_bodies can name)
LARGE_INSTITUTIONS = 90

def digits(key: str, n: int) -> str:
    """``n`` digits derived from ``key``: stable ids that survive re-rendering."""
    number = int(hashlib.sha256(key.encode()).hexdigest(), 16)
    return str(number)[-n:].rjust(n, "0")


def hex32(key: str) -> str:
    return hashlib.md5(key.encode()).hexdigest()  # an id, not security


@dataclass
class Plan:
    """What one body publishes: its years, and for each year the generation and table rendering."""

    body: Body
    years: list[int]
    missing: list[int]


def plan_years(rng: random.Random, body: Body, keep: set[int], years: tuple[int, ...] = YEARS) -> Plan:
    """All ``years``, except that about one body in five skipped one (never a year in ``keep``).

    A 事业单位 starts reporting in some year (many only after the 2019 条例 revision); the years
    before it are simply not there (not listed as missing: it had nothing to report on).
    """
    if body.kind == "事业单位":
        first = rng.choice([y for y in years if y <= 2019] or [years[0]])
        years = tuple(y for y in years if y >= first)
        keep = {y for y in keep if y >= first}
    missing: list[int] = []
    candidates = [y for y in years if y not in keep]
    if rng.random() < 0.2 and candidates:
        missing.append(rng.choice(candidates))
    return Plan(body, [y for y in years if y not in missing], missing)


def scale_years(scale: str) -> tuple[int, ...]:
    return LARGE_YEARS if scale == "large" else YEARS


def pick_generation(rng: random.Random, year: int) -> str:
    """G1 for 2019–2020; G2 from 2021, with a few G1 stragglers in 2021–2022."""
    if year <= 2020:
        return "G1"
    if year <= 2022 and rng.random() < 0.15:
        return "G1"
    return "G2"


def pick_tables(rng: random.Random, year: int, image_share: float = 0.15) -> tuple[StatTables, bool]:
    """Random tables for the year's generation, and whether the page shows them only as images."""
    tables = random_tables(rng, pick_generation(rng, year))
    return tables, rng.random() < image_share


def pick_title(rng: random.Random, body: Body, year: int) -> tuple[str, tuple[str, ...]]:
    """(title, heading lines): mostly 「全称Y年…」, some 「Y年度…」, some with the name on its own line."""
    roll = rng.random()
    rest = f"{year}年度政府信息公开工作年度报告" if roll < 0.12 else f"{year}年政府信息公开工作年度报告"
    lines = (body.name, rest) if 0.12 <= roll < 0.3 else (body.name + rest,)
    return body.name + rest, lines


def spread_dates(rng: random.Random, count: int, start: datetime, end: datetime) -> list[datetime]:
    span = int((end - start).total_seconds())
    return sorted(start + timedelta(seconds=rng.randint(0, span)) for _ in range(count))


def g0_report(site: str, rng: random.Random, body: Body, year: int) -> Report:
    """A pre-2020 report (report-format.md §10): six old headings, numbers in prose, no tables."""
    published = content.publish_time(rng, year, body)
    title = f"{body.name}{year}年政府信息公开工作年度报告"
    report = Report(
        site,
        body,
        year,
        published,
        title,
        content.g0_report(rng, body, year, published),
        "G0",
        "none",
        None,
        (title,),
    )
    report.notes.append("pre-2020 (G0) format")
    return report


def synthetic_report(
    site: str, rng: random.Random, body: Body, year: int, *, image_share: float = 0.15, anonymous: bool = False
) -> Report:
    """A report written from the templates: random valid tables (or images), a title, six sections.
    ``anonymous`` titles it 「Y年政府信息公开工作年度报告」 and leaves the body's name out of the text."""
    numbers, image_only = pick_tables(rng, year, image_share=image_share)
    tables = None if image_only else numbers
    published = content.publish_time(rng, year, body, late=rng.random() < 0.05)
    title, lines = pick_title(rng, body, year)
    if anonymous:
        title = f"{year}年政府信息公开工作年度报告"
        lines = (title,)
    blocks = content.synthetic_report(rng, body, year, published, tables, named=not anonymous)
    report = Report(
        site,
        body,
        year,
        published,
        title,
        blocks,
        tables.generation if tables else "unknown",
        "html" if tables else "image_only",
        tables,
        lines,
    )
    report.file_tables = numbers if image_only else None
    return report


def noise_entries(site: str, root: str, items: list[Any]) -> list[dict[str, str]]:
    """Manifest entries for the non-report items of a site's lists (near misses named as such)."""
    return [
        {"site": site, "url": root + item.path, "title": item.title,
         "kind": "near_miss" if "年度报告" in item.title else "noise"}
        for item in items
        if item.kind == "noise"
    ]  # fmt: skip
