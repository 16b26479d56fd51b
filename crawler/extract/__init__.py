"""The shared extraction module: pure functions, bytes/str in, dataclasses out.

No Scrapy, no sqlite, no network, no clock (``tests/test_extract_purity.py`` enforces it), so the
same code serves the crawl pipelines, ``xxgk extract`` and ``xxgk reparse`` over the WARC archive.

    >>> report = extract_report(html_bytes, url="http://www.wendeng.gov.cn/art/2023/1/16/art_1_2.html")
    >>> report.agency, report.year, report.sec3["new_received"]["total"].value
"""

from __future__ import annotations

from typing import Any

__all__ = ["extract_report", "report_from_page"]


def __getattr__(name: str) -> Any:
    # Lazy, so that importing a leaf module (``crawler.extract.schema``) stays cheap and never
    # pulls lxml/opencc in for callers that only need the codes.
    if name in __all__:
        from crawler.extract import report

        return getattr(report, name)
    raise AttributeError(name)
