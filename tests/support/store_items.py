"""Report items as the extract stage hands them to dedupe and store (tests/test_store.py and the
modules that store pages; the ``stages`` fixture is in tests/conftest.py)."""

from __future__ import annotations

from crawler.extract.model import Cell, CheckResult, ExtractedReport, Narrative
from crawler.items import ReportPage
from pipelines.chain import ChainStats

URL_A = "http://www.wendeng.gov.cn/art/2023/1/16/art_182996_11.html"
Stats = ChainStats  # the stages' stats stand-in (pipelines/chain.py)
AGENCY = "威海市文登区财政局"


def extracted(received: int = 3, text: str = "正文") -> ExtractedReport:
    return ExtractedReport(
        agency=AGENCY,
        agency_as_printed=AGENCY,
        year=2022,
        published="2023-01-16",
        format="G2",
        table_render="html",
        sec2={"art20_8": {"admin_fees": {"fee_amount": Cell(None, "-", "marker")}}},
        sec3={"new_received": {"total": Cell(received, str(received))}},
        sec4={"review": {"total": Cell(0, "0")}},
        narrative=Narrative(proactive_total=472),
        checks={"sec3.identity": CheckResult("sec3.identity", "fail", True, "total: 3 ≠ 2", 1)},
        title=f"{AGENCY}2022年政府信息公开工作年度报告",
        text=text,
    )


def page(url: str, report: ExtractedReport, fetched_at: str = "2026-11-21T00:00:00Z") -> ReportPage:
    """A report page of wendeng as its spider yields it: with the site's scope from its profile."""
    return ReportPage(
        site="wendeng", url=url, final_url=url, status=200, content_type="text/html", body=b"<html/>",
        encoding="utf-8", sha256="0" * 64, fetched_at=fetched_at, text=report.text, extracted=report,
        region="山东省威海市", county="文登区", division_code="371003",
    )
