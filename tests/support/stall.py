"""An item pipeline that holds the reactor, as an inline LibreOffice conversion or OCR does on a loaded box.

Tests only: ``XXGK_TEST_STALLS`` items (default 2) each block the worker's reactor for
``XXGK_TEST_STALL_S`` seconds (time.sleep: nothing else of the reactor runs meanwhile).
"""

from __future__ import annotations

import logging
import time
from typing import Any, Self

from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)


class StallPipeline:
    def __init__(self, seconds: float, stalls: int) -> None:
        self.seconds = seconds
        self.left = stalls

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        return cls(settings.getfloat("XXGK_TEST_STALL_S", 3.0), settings.getint("XXGK_TEST_STALLS", 2))

    def process_item(self, item: Any) -> Any:
        if self.left > 0:
            self.left -= 1
            logger.warning("stalling the reactor for %.1f s", self.seconds)
            time.sleep(self.seconds)
        return item
