"""A site as data: the :class:`SiteProfile` a ``crawler/sites/<name>.toml`` file describes, and what of
it a report item carries (:func:`site_fields`), so no pipeline stage has to read a profile."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field, fields
from typing import Any, TypedDict

from crawler.platforms.urls import url_host


@dataclass(frozen=True, slots=True)
class SiteProfile:
    """A site as data (``crawler/sites/<name>.toml``): where to start and how its navigation reads."""

    name: str
    platform: str
    start_url: str
    allowed_domains: tuple[str, ...]
    region: str = ""
    county: str = ""
    #: the county's GB/T 2260 administrative division code (six digits), when known: bodies.division_code
    division_code: str = ""
    #: step name → link-text patterns (regexes), best first; the platform decides which steps exist
    nav: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: link texts never worth following from navigation (指南, 制度, 法定主动公开内容 …)
    skip_link_texts: tuple[str, ...] = ()
    #: URL shapes (regexes matched against the absolute URL)
    urls: dict[str, str] = field(default_factory=dict)
    #: how deep navigation below the 年报 entry may go before giving up
    max_nav_depth: int = 3
    #: False: the depth is the platform's default (crawler/platforms/defaults.toml)
    explicit_depth: bool = False
    #: platform → detection markers (regexes) that replace the defaults' (``platform = "auto"``)
    detect: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: paging idioms that replace the defaults' (next/last link texts, page-count texts …)
    paging: dict[str, Any] = field(default_factory=dict)
    #: "untested" for a profile written from research, never crawled against the live site
    status: str = ""

    def nav_patterns(self, step: str) -> tuple[str, ...]:
        return self.nav.get(step, ())

    def url_pattern(self, kind: str) -> re.Pattern[str] | None:
        pattern = self.urls.get(kind)
        return re.compile(pattern) if pattern else None


def profile_from_dict(data: dict[str, Any]) -> SiteProfile:
    site = data["site"]
    return SiteProfile(
        name=site["name"],
        platform=site.get("platform", "auto"),
        start_url=site["start_url"],
        allowed_domains=tuple(site.get("allowed_domains") or [url_host(site["start_url"])]),
        region=site.get("region", ""),
        county=site.get("county", ""),
        division_code=_division_code(site.get("division_code", "")),
        nav={step: tuple(patterns) for step, patterns in data.get("nav", {}).items()},
        skip_link_texts=tuple(data.get("skip", {}).get("link_texts", ())),
        urls=dict(data.get("urls", {})),
        max_nav_depth=int(site.get("max_nav_depth", 3)),
        explicit_depth="max_nav_depth" in site,
        detect={platform: tuple(patterns) for platform, patterns in data.get("detect", {}).items()},
        paging=dict(data.get("paging", {})),
        status=site.get("status", ""),
    )


def profile_to_dict(profile: SiteProfile) -> dict[str, Any]:
    """Every field, as JSON can carry it (a distributed seed sends a resolved profile to the workers)."""
    return asdict(profile)


def profile_from_fields(data: dict[str, Any]) -> SiteProfile:
    """A profile from :func:`profile_to_dict`'s JSON: lists back to the tuples the profile holds."""
    values = dict(data)
    values["allowed_domains"] = tuple(values.get("allowed_domains", ()))
    values["skip_link_texts"] = tuple(values.get("skip_link_texts", ()))
    values["nav"] = {step: tuple(patterns) for step, patterns in values.get("nav", {}).items()}
    values["detect"] = {name: tuple(patterns) for name, patterns in values.get("detect", {}).items()}
    known = {field.name for field in fields(SiteProfile)}
    return SiteProfile(**{key: value for key, value in values.items() if key in known})


def _division_code(value: object) -> str:
    code = str(value or "")
    if code and not re.fullmatch(r"[1-8]\d{5}", code):
        raise ValueError(f"division_code must be six GB/T 2260 digits like 371003, not {value!r}")
    return code


class SiteFields(TypedDict):
    """The item fields of :func:`site_fields` (typed, so ``ReportPage(**site_fields(…))`` checks)."""

    region: str
    county: str
    division_code: str


def site_fields(profile: SiteProfile | None) -> SiteFields:
    """The fields of a report item (crawler/items.py ``ReportPage``) that come from its site: where
    its bodies sit, for the dedupe key, the bodies table and the report's region. Empty for a site
    without a profile (crawled from a bare URL). The spider and the replay of an archive both fill
    an item with these, so the stages read the item, never a profile."""
    if profile is None:
        return {"region": "", "county": "", "division_code": ""}
    return {"region": profile.region, "county": profile.county, "division_code": profile.division_code}
