"""Platform detection: which base (Hanweb, TRS) a start page was built with, from markers that are
data in the defaults (``crawler/platforms/defaults.toml``) or a profile's ``[detect]``, never code per
site. The profiles themselves and their loader are in ``crawler/sites/``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from crawler.sites.catalog import defaults
from crawler.sites.profile import SiteProfile


def markers(profile: SiteProfile | None = None) -> dict[str, tuple[re.Pattern[str], ...]]:
    own = profile.detect if profile is not None else {}
    table = defaults()["detect"]["markers"] | own
    return {platform: tuple(re.compile(p) for p in patterns) for platform, patterns in table.items()}


def detection_scores(html: str, url: str, profile: SiteProfile | None = None) -> dict[str, int]:
    """How many of each platform's markers the page (its HTML and URL) shows."""
    text = f"{url}\n{html}"
    return {platform: sum(1 for marker in found if marker.search(text))
            for platform, found in markers(profile).items()}


def detect_platform(html: str, url: str, profile: SiteProfile | None = None) -> str:
    """``hanweb``, ``trs`` or ``generic`` (no base shows enough of its markers)."""
    scores = detection_scores(html, url, profile)
    least = int(defaults()["detect"]["min_hits"])
    best = max(scores.items(), key=lambda item: item[1], default=("generic", 0))
    tied = [platform for platform, score in scores.items() if score == best[1]]
    return best[0] if best[1] >= least and len(tied) == 1 else "generic"


def platform_names(profiles: Iterable[SiteProfile]) -> dict[str, str]:
    return {profile.name: profile.platform for profile in profiles}
