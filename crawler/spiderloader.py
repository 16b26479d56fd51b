"""Spiders made from site profiles: every ``crawler/sites/*.toml`` (and ``XXGK_SITES_DIR/*.toml``) is a
spider of its name, and any start URL is a spider of its host — no per-site Python.

``SPIDER_LOADER_CLASS`` (Scrapy's spider-loader protocol: ``from_settings``, ``load``, ``list``,
``find_by_request``), so ``scrapy crawl wendeng`` and ``scrapy crawl http://www.example.gov.cn/`` work
as ``xxgk crawl`` does. Spiders of ``SPIDER_MODULES`` (hand-written ones, if any) still load.
"""

from __future__ import annotations

import os
from typing import Any, Self

from scrapy import Request, Spider
from scrapy.settings import BaseSettings
from scrapy.spiderloader import SpiderLoader

from crawler.platforms.urls import host_allowed
from crawler.sites.catalog import SITES_DIR_ENV, find_profile, is_url, known_profiles, profile_for_url
from crawler.sites.profile import SiteProfile


def spider_class(profile: SiteProfile) -> type[Spider]:
    """A spider class for ``profile``: its platform's spider, named and carrying the profile."""
    from crawler.platforms.auto import platform_class

    base = platform_class(profile.platform)
    class_name = "".join(part.capitalize() for part in profile.name.replace("-", ".").split(".")) + "Spider"
    attributes: dict[str, Any] = {"name": profile.name, "site_profile": profile, "__module__": __name__,
                                  "__doc__": f"{profile.name}: {profile.region}{profile.county} ({profile.platform})"}
    return type(class_name, (base,), attributes)


def site_spider(name: str, sites_dir: str | None = None) -> type[Spider]:
    """The spider for a profile name or a start URL (tests and scripts use this too)."""
    profile = profile_for_url(name) if is_url(name) else find_profile(name, sites_dir)
    return spider_class(profile)


class ProfileSpiderLoader(SpiderLoader):
    def __init__(self, settings: BaseSettings) -> None:
        super().__init__(settings)
        self.sites_dir: str | None = settings.get("XXGK_SITES_DIR") or None
        if self.sites_dir:
            # a replay of the archive (reparse) and the bodies migration read profiles by the environment
            # variable: a `-s XXGK_SITES_DIR=…` must show them the same profiles the spiders were made from
            os.environ[SITES_DIR_ENV] = self.sites_dir
        for profile in known_profiles(self.sites_dir):
            self._spiders.setdefault(profile.name, spider_class(profile))

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> Self:
        return cls(settings)

    def load(self, spider_name: str) -> type[Spider]:
        if is_url(spider_name):
            return spider_class(profile_for_url(spider_name))
        return super().load(spider_name)

    def find_by_request(self, request: Request) -> list[str]:
        return [name for name, cls in self._spiders.items()
                if (profile := getattr(cls, "site_profile", None)) is not None
                and host_allowed(request.url, profile.allowed_domains)]
