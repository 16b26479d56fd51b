"""What the stages that read or write DIR/xxgk.db share: where it is, and one connection a spider."""

from __future__ import annotations

from pathlib import Path
from typing import Self

from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.statscollectors import StatsCollector
from sqlite_utils import Database

from crawler.db import db_path, open_db


class DatabaseStage:
    def __init__(self, path: Path, stats: StatsCollector) -> None:
        self.path = path
        self.stats = stats
        self.db: Database | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        data_dir = crawler.settings.get("XXGK_DATA_DIR")
        if not data_dir:
            raise NotConfigured(f"{cls.__name__}: XXGK_DATA_DIR is empty, so there is no database")
        return cls(db_path(data_dir), crawler.stats)

    def open_spider(self) -> None:
        self.db = open_db(self.path)

    def close_spider(self) -> None:
        if self.db is not None:
            self.db.close()
            self.db = None
