"""Where site profiles come from: the TOML files of ``crawler/sites/`` (and of ``XXGK_SITES_DIR``),
a start URL alone (``xxgk crawl http://…``), and the defaults both are completed with
(``crawler/platforms/defaults.toml``).

The package's profiles are read as resources, not paths: inside Scrapyd's zipped egg ``crawler/sites/``
is no directory on disk (tests/test_deploy.py).
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Iterator
from dataclasses import replace
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from crawler.platforms.urls import url_host
from crawler.sites.profile import SiteFields, SiteProfile, profile_from_dict, site_fields

SITES_DIR_ENV = "XXGK_SITES_DIR"
PLATFORMS = ("hanweb", "trs", "generic")
AUTO = "auto"


@cache
def defaults() -> dict[str, Any]:
    text = resources.files("crawler.platforms").joinpath("defaults.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


def is_url(name: str) -> bool:
    return name.startswith(("http://", "https://"))


def site_name(site: str) -> str:
    """The name a crawl of ``site`` is stored and resumed under: the profile name, or a URL's host."""
    return url_host(site) if is_url(site) else site


def tested_sites() -> list[str]:
    """The sites ``xxgk crawl --all`` takes: profiles not marked ``status = "untested"`` (those are
    crawled by name until someone has tried them against the live site)."""
    return sorted(profile.name for profile in known_profiles() if profile.status != "untested")


# --- profile files ---------------------------------------------------------------------------


def sites_dirs(extra: str | None = None) -> list[Traversable]:
    """The package's ``crawler/sites/``, then every directory of ``XXGK_SITES_DIR`` (and ``extra``),
    ``os.pathsep``-separated: a county added as one TOML file outside the package. The package's own
    directory stays a resource, not a path: inside a zipped egg (Scrapyd) it is no directory on disk."""
    dirs: list[Traversable] = [resources.files("crawler.sites")]
    for value in (os.environ.get(SITES_DIR_ENV), extra):
        dirs += [Path(part) for part in (value or "").split(os.pathsep) if part]
    return dirs


def profile_files(extra: str | None = None) -> dict[str, Traversable]:
    """name → TOML file; a later directory's file of the same name wins (a local override)."""
    found: dict[str, Traversable] = {}
    for directory in sites_dirs(extra):
        if directory.is_dir():
            for entry in sorted(directory.iterdir(), key=lambda entry: entry.name):
                if entry.name.endswith(".toml"):
                    found[entry.name.removesuffix(".toml")] = entry
    return found


def read_profile(path: Traversable) -> SiteProfile:
    return complete(profile_from_dict(tomllib.loads(path.read_text(encoding="utf-8"))))


def find_profile(name: str, extra: str | None = None) -> SiteProfile:
    """The profile called ``name``; FileNotFoundError when no directory has it."""
    path = profile_files(extra).get(name)
    if path is None:
        raise FileNotFoundError(f"no site profile {name}.toml in {', '.join(map(str, sites_dirs(extra)))}")
    return read_profile(path)


def load_profile(name: str) -> SiteProfile:
    """Read ``<name>.toml`` from ``crawler/sites/`` or a directory of ``XXGK_SITES_DIR``, completed
    with the platform's defaults; FileNotFoundError when there is none."""
    return find_profile(name)


def known_profiles(extra: str | None = None) -> Iterator[SiteProfile]:
    for path in profile_files(extra).values():
        yield read_profile(path)


@cache
def _fields_of_site(name: str, sites_dir: str | None) -> SiteFields:
    try:
        profile: SiteProfile | None = find_profile(name)
    except FileNotFoundError:  # crawled from a bare URL, a test, a distributed seed
        profile = None
    return site_fields(profile)


def site_fields_by_name(name: str) -> SiteFields:
    """:func:`~crawler.sites.profile.site_fields` of the profile called ``name`` (empty ones when
    there is none), for an item rebuilt from the archive, which knows its site by name only. Cached
    per name and ``XXGK_SITES_DIR``: not a directory scan and TOML parse per replayed report."""
    return _fields_of_site(name, os.environ.get(SITES_DIR_ENV)).copy()  # the caller's, not the cache's


# --- profiles made from defaults -------------------------------------------------------------


def complete(profile: SiteProfile, platform: str | None = None) -> SiteProfile:
    """``profile`` with what it leaves out taken from the defaults of ``platform`` (its own by default)."""
    platform = platform or profile.platform
    base = defaults()
    specific = base.get("platforms", {}).get(platform, {})
    nav = {step: tuple(patterns) for step, patterns in base["nav"].items()} | profile.nav
    urls = dict(specific.get("urls", {})) | profile.urls if platform != "generic" else dict(profile.urls)
    depth = profile.max_nav_depth
    if not profile.explicit_depth:
        depth = int(specific.get("max_nav_depth", base["generic"]["max_nav_depth"] if platform in (AUTO, "generic")
                                 else depth))
    return replace(
        profile,
        nav=nav,
        urls=urls,
        skip_link_texts=profile.skip_link_texts or tuple(base["skip"]["link_texts"]),
        max_nav_depth=depth,
    )


def profile_for_url(url: str, platform: str = AUTO) -> SiteProfile:
    """A site known only by its start URL: named after its host, allowed on that host only."""
    host = url_host(url)
    if not host:
        raise ValueError(f"not a URL with a host: {url!r}")
    if platform not in (AUTO, *PLATFORMS):
        raise ValueError(f"platform must be one of auto, {', '.join(PLATFORMS)}; not {platform!r}")
    return complete(SiteProfile(name=host, platform=platform, start_url=url, allowed_domains=(host,)))
