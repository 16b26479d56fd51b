"""``platform = "auto"`` (and every ``xxgk crawl URL``): detect the platform from the start page, then
walk the site as that platform would.

The start page decides (markers in crawler/platforms/defaults.toml): a Hanweb page is walked by the
Hanweb base, a TRS 信息公开 index with its 年报 links by the TRS base, anything else by the generic
platform. The spider then *becomes* that platform's spider (its class), so every later callback is
the platform's own. The choice is kept in the job dir, so that a resumed crawl (``--resume``) reads
its queued requests with the same platform's callbacks.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any, Self

from scrapy.crawler import Crawler
from scrapy.http import Response

from crawler.platforms.base import links_matching
from crawler.platforms.detect import detect_platform
from crawler.platforms.generic import GenericSpider, page_entries
from crawler.platforms.hanweb import HanwebSpider
from crawler.platforms.trs import TrsSpider
from crawler.sites.catalog import PLATFORMS, complete

PLATFORM_FILE = "platform.json"


def platform_class(platform: str) -> type[Any]:
    classes: dict[str, type[Any]] = {"hanweb": HanwebSpider, "trs": TrsSpider, "generic": GenericSpider,
                                     "auto": AutoSpider}
    return classes[platform]


class AutoSpider(GenericSpider):
    """Detects the platform on the start page; ``platform=`` (spider argument) forces one."""

    def __init__(self, *args: Any, platform: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if platform not in (None, "", "auto", *PLATFORMS):
            raise ValueError(f"platform must be auto or one of {', '.join(PLATFORMS)}, not {platform!r}")
        self.forced = platform if platform in PLATFORMS else None

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> Self:
        spider = super().from_crawler(crawler, *args, **kwargs)
        remembered = spider.remembered_platform()
        if remembered and crawler.settings.getbool("XXGK_RESUME"):
            spider.become(remembered)  # its start() and callbacks from here on, queued requests included
        return spider

    async def start(self) -> AsyncIterator[Any]:
        yield self.nav_request(self.profile.start_url, self.parse_start)

    def parse_start(self, response: Response) -> Iterator[Any]:
        """The start page: decide, become, and walk on as the platform."""
        platform = self.forced or self.detect(response)
        self.logger.info("%s: platform %s", self.profile.name, platform)
        self.inc_stat(f"xxgk/platform/{platform}")
        self.remember_platform(platform)
        self.become(platform)
        if platform == "hanweb":
            yield from HanwebSpider.parse_home(self, response, hops=0, chrome=frozenset())
        elif platform == "trs":
            yield from TrsSpider.parse_index(self, response)  # type: ignore[arg-type]  # now a TrsSpider (become)
        else:
            yield from GenericSpider.parse_page(self, response, depth=0, column=None, chrome=frozenset(),
                                                area=False)

    def detect(self, response: Response) -> str:
        platform = detect_platform(response.text, response.url, self.profile)
        if platform == "trs" and not links_matching(page_entries(response), self.profile.nav_patterns("annual_reports")):
            return "generic"  # the TRS base starts at a 信息公开 index that links the 年报 column
        return platform

    def become(self, platform: str) -> None:
        """Turn into the platform's spider: its class, its profile defaults, its crawl state."""
        name = self.name
        self.profile = complete(replace(self.profile, platform=platform), platform)
        self.__class__ = platform_class(platform)
        self.name = name
        init = getattr(self, "init_platform", None)
        if init is not None:
            init()

    # -- the choice, kept for --resume

    def platform_file(self) -> Path | None:
        crawler = getattr(self, "crawler", None)
        jobdir = crawler.settings.get("JOBDIR") if crawler is not None else None
        return Path(jobdir) / PLATFORM_FILE if jobdir else None

    def remembered_platform(self) -> str | None:
        path = self.platform_file()
        if path is None or not path.exists():
            return None
        return json.loads(path.read_text(encoding="utf-8")).get("platform")

    def remember_platform(self, platform: str) -> None:
        path = self.platform_file()
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps({"platform": platform}), encoding="utf-8")
