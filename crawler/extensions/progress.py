"""A live progress line on a terminal: pages, reports, errors and rate, rewritten in place.

``wendeng: 173 pages, 127 reports, 0 errors, 41.2 pages/s | hy: 88 pages, …``

On only when stdout is a terminal (``XXGK_PROGRESS`` = None, the default) or when forced
(``XXGK_PROGRESS=True``); logs go to stderr, so a redirected or scheduled run prints nothing extra.
Several spiders in one process share the line (one :class:`ProgressLine` per stream).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Mapping
from typing import Any, ClassVar, Self, TextIO

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.utils.asyncio import create_looping_call

from crawler.extensions.crawl_runs import ERROR_PREFIX, report_pages


def progress_text(name: str, stats: Mapping[str, Any], seconds: float) -> str:
    pages = stats.get("response_received_count", 0)
    errors = stats.get("log_count/ERROR", 0) + sum(
        value for key, value in stats.items() if key.startswith(ERROR_PREFIX)
    )
    rate = pages / seconds if seconds > 0 else 0.0
    return f"{name}: {pages} pages, {report_pages(stats)} reports, {errors} errors, {rate:.1f} pages/s"


class ProgressLine:
    """One line per stream, shared by the spiders of a process; each owns a segment."""

    lines: ClassVar[dict[int, ProgressLine]] = {}

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.segments: dict[str, str] = {}
        self.open = 0

    @classmethod
    def for_stream(cls, stream: TextIO) -> ProgressLine:
        return cls.lines.setdefault(id(stream), cls(stream))

    def show(self, name: str, text: str) -> None:
        self.segments[name] = text
        # carriage return + erase line: the line is rewritten, never scrolled
        self.stream.write("\r\x1b[K" + " | ".join(self.segments.values()))
        self.stream.flush()

    def finish(self, name: str, text: str) -> None:
        self.show(name, text)
        self.open -= 1
        if self.open <= 0:  # the last spider of the process ends the line
            self.stream.write("\n")
            self.stream.flush()
            self.lines.pop(id(self.stream), None)


class ProgressExtension:
    def __init__(self, crawler: Crawler, stream: TextIO, interval: float) -> None:
        self.crawler = crawler
        self.line = ProgressLine.for_stream(stream)
        self.interval = interval
        self.started = time.monotonic()
        self.task: Any = None

    @classmethod
    def from_crawler(cls, crawler: Crawler, stream: TextIO | None = None) -> Self:
        stream = stream or sys.stdout
        wanted = crawler.settings.get("XXGK_PROGRESS")
        if wanted is None:
            if not stream.isatty():
                raise NotConfigured("stdout is not a terminal: no progress line")
        elif not crawler.settings.getbool("XXGK_PROGRESS"):
            raise NotConfigured("XXGK_PROGRESS is off")
        extension = cls(crawler, stream, crawler.settings.getfloat("XXGK_PROGRESS_INTERVAL", 1.0))
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def text(self, spider: Spider) -> str:
        assert self.crawler.stats is not None
        return progress_text(spider.name, self.crawler.stats.get_stats(), time.monotonic() - self.started)

    def update(self, spider: Spider) -> None:
        self.line.show(spider.name, self.text(spider))

    def spider_opened(self, spider: Spider) -> None:
        self.started = time.monotonic()
        self.line.open += 1
        self.task = create_looping_call(self.update, spider)
        self.task.start(self.interval)

    def spider_closed(self, spider: Spider) -> None:
        if self.task is not None and self.task.running:
            self.task.stop()
        self.line.finish(spider.name, self.text(spider))
