"""Readable text for people: a report's tables laid out as in the template, and a crawl's summary —
its figures (``crawl_summary``), its one line (``summary_line``) and why it failed (``failed_runs``)."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from crawler.extract.model import Cell, ExtractedReport
from crawler.extract.schema import generation

SEC3_SHORT = {
    "natural_person": "自然人",
    "commercial": "商业企业",
    "research": "科研机构",
    "public_interest": "社会公益",
    "legal_service": "法律服务",
    "other_org": "其他",
    "total": "总计",
}


def width(text: str) -> int:
    """Columns a string takes in a terminal: CJK characters are two wide."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def pad(text: str, columns: int, *, right: bool = False) -> str:
    """Pad to a display width (str.ljust counts characters, which misaligns Chinese)."""
    fill = " " * max(0, columns - width(text))
    return fill + text if right else text + fill


def show(cell: Cell | None) -> str:
    """A cell as printed in the summary: numbers as numbers, null as ·, flagged nulls with a hint."""
    if cell is None:
        return "?"
    if cell.value is None:
        return {"image_only": "img", "missing": "—", "cell_count_mismatch": "≠"}.get(cell.flag or "", "·")
    if isinstance(cell.value, Decimal):
        return format(cell.value.normalize(), "f")
    return str(cell.value)


def _labels(gen: str) -> tuple[dict[str, str], dict[str, Any]]:
    spec = generation(gen if gen in ("G1", "G2") else "G2")
    return {row["code"]: row["label"] for row in spec["sec3"]["rows"]}, spec


def format_report(report: ExtractedReport, *, name: str = "") -> str:
    lines = [
        f"== {name}" if name else "==",
        f"agency      {report.agency or '?'}"
        + (f"   (printed: {report.agency_as_printed})" if report.agency_as_printed != report.agency else ""),
        f"year        {report.year or '?'}",
        f"published   {report.published or '?'}",
        f"format      {report.format}   tables: {report.table_render}",
    ]
    if report.narrative.proactive_total is not None:
        approx = " (approx.)" if report.narrative.proactive_approx else ""
        lines.append(f"proactive   {report.narrative.proactive_total}{approx}")
    for code, statement in report.narrative.zero_statements.items():
        lines.append(f"stated      {code}: {statement}")
    if report.sec2 or report.sec3 or report.sec4:
        lines += format_tables(report)
    lines.append("checks")
    for rule, result in report.checks.items():
        delta = f" Δ{result.delta}" if result.delta not in (None, 0) else ""
        hard = "hard" if result.hard else "soft"
        lines.append(f"  {result.status:8} {hard} {rule}{delta}  {result.detail}".rstrip())
    for warning in report.warnings:
        lines.append(f"warning     {warning}")
    return "\n".join(lines)


def format_tables(report: ExtractedReport) -> list[str]:
    row_labels, spec = _labels(report.format)
    lines = ["二、主动公开政府信息情况"]
    for block in spec["sec2"]["blocks"]:
        rows = report.sec2.get(block["code"], {})
        header = " | ".join(col["label"] for col in block["columns"])
        lines.append(f"  {block['label']}   [{header}]")
        for row in block["rows"]:
            values = " | ".join(show(rows.get(row["code"], {}).get(col["code"])) for col in block["columns"])
            lines.append(f"    {pad(row['label'], 16)} {values}")
    lines.append("三、收到和处理政府信息公开申请情况")
    lines.append("  " + pad("", 34) + "".join(pad(label, 10, right=True) for label in SEC3_SHORT.values()))
    for code, label in row_labels.items():
        cols = report.sec3.get(code, {})
        values = "".join(pad(show(cols.get(col)), 10, right=True) for col in SEC3_SHORT)
        lines.append(f"  {pad(label[:16], 34)}{values}")
    lines.append("四、政府信息公开行政复议、行政诉讼情况   (维持 纠正 其他 未结 总计)")
    for group in spec["sec4"]["groups"]:
        cols = report.sec4.get(group["code"], {})
        values = " ".join(f"{show(cols.get(col['code'])):>4}" for col in spec["sec4"]["columns"])
        lines.append(f"  {pad(group['label'], 18)} {values}")
    return lines


def format_database_summary(path: Path, summaries: Sequence[dict[str, Any]]) -> str:
    """What a crawl left in the database: counts per site, format and check status."""
    from crawler.db import open_db

    db = open_db(path)
    try:
        lines = [f"\nDatabase: {path}"]
        for summary in summaries:
            lines.append(
                f"  {summary['spider']:<8} {summary['finish_reason']}: {summary['pages']} pages fetched, "
                f"{summary['report_pages']} report pages"
            )
        for row in db.query(
            "SELECT site, count(*) AS reports, count(DISTINCT agency) AS bodies, min(year) AS first, "
            "max(year) AS last, sum(checks_failed > 0) AS failing FROM reports GROUP BY site ORDER BY site"
        ):
            lines.append(
                f"  {row['site']:<8} {row['reports']} reports from {row['bodies']} bodies, "
                f"{row['first']}–{row['last']}, {row['failing']} failing a hard check"
            )
        formats = ", ".join(
            f"{row['format']} {row['n']}"
            for row in db.query("SELECT format, count(*) AS n FROM reports GROUP BY format ORDER BY format")
        )
        lines.append(f"  formats: {formats}")
        lines.append(f"  documents: {db['documents'].count}, cells: {db['cells'].count}")
        return "\n".join(lines)
    finally:
        db.close()


def crawl_summary(crawler: Any) -> dict[str, Any]:
    from crawler.resilience import challenge_summary

    stats = crawler.stats.get_stats()
    reports = sum(value for key, value in stats.items() if key.startswith("xxgk/store/reports/"))
    # a resumed crawl found the pages stored before the interruption too
    reports += stats.get("xxgk/resume/already_stored", 0)
    return {
        "spider": crawler.spider.name,
        "finish_reason": stats.get("finish_reason"),
        "pages": stats.get("response_received_count", 0),
        "bytes": stats.get("downloader/response_bytes", 0),
        "report_pages": reports,
        "new_reports": stats.get("xxgk/store/reports/new", 0),
        "errors": stats.get("log_count/ERROR", 0),
        "seconds": stats.get("elapsed_time_seconds", 0.0),
        # crawl_runs (crawler/extensions/crawl_runs.py): its verdict, and what a re-crawl saved
        "requests": stats.get("downloader/request_count", 0),
        "not_modified": stats.get("xxgk/revalidate/not_modified", 0),
        "known_skipped": stats.get("xxgk/recrawl/known", 0),  # crawler/recrawl.py: listed as before
        # crawler/revisit.py: list pages taken from the archive without asking
        "from_archive": stats.get("xxgk/recrawl/lists_from_archive", 0),
        "new_versions": stats.get("xxgk/run/new_versions", 0),
        "run_status": stats.get("xxgk/run/status"),
        "run_failure": stats.get("xxgk/run/failure"),
        "challenges": challenge_summary(stats),
        "faults": {k.removeprefix("xxgk/error/"): v for k, v in stats.items() if k.startswith("xxgk/error/")},
        "disk_full": stats.get("xxgk/disk_full"),
        # the generic platform's account of a site it could not walk (crawler/platforms/generic.py)
        "cannot_walk": stats.get("xxgk/layout/cannot_walk"),
    }


def failed_runs(summaries: Sequence[dict[str, Any]]) -> list[str]:
    """Why each failed run failed: a crawl that ends badly or finds nothing is a failure, never a
    silent zero."""
    reasons = []
    for summary in summaries:
        blocked = summary.get("challenges")
        if summary.get("disk_full"):  # crawler/diskfull.py: stopped cleanly, everything written is whole
            reasons.append(f"{summary['spider']}: stopped, {summary['disk_full']}; free space, then run the "
                           "same command again with --resume")
        elif summary.get("cannot_walk"):
            reasons.append(f"{summary['spider']}: cannot walk the site: {summary['cannot_walk']}")
        elif summary["report_pages"] == 0 and blocked:
            reasons.append(f"{summary['spider']}: blocked by anti-bot challenges ({blocked}), no report fetched")
        elif summary["finish_reason"] != "finished":
            reasons.append(f"{summary['spider']}: ended with {summary['finish_reason']!r}")
        elif summary.get("run_failure"):  # e.g. no report on a site that had some before
            reasons.append(f"{summary['spider']}: {summary['run_failure']}")
        elif summary["report_pages"] == 0:
            reasons.append(f"{summary['spider']}: found no report")
    return reasons


def summary_line(summary: dict[str, Any]) -> str:
    """One line per spider: outcome, counts, failures by kind and the challenges that blocked it."""
    line = (
        f"{summary['spider']}: {summary['finish_reason']}, {summary['pages']} pages, "
        f"{summary['report_pages']} report pages, {summary['new_reports']} new reports, "
        f"{summary.get('new_versions', 0)} new versions, {summary.get('not_modified', 0)} not modified, "
        f"{summary['errors']} errors"
    )
    if summary.get("known_skipped"):
        line += f", {summary['known_skipped']} known pages not fetched again"
    if summary.get("from_archive"):
        line += f", {summary['from_archive']} list pages read from the archive"
    faults = summary.get("faults") or {}
    if faults:
        line += " (faults met: " + ", ".join(f"{kind} {count}" for kind, count in sorted(faults.items())) + ")"
    if summary.get("challenges"):
        line += f"; BLOCKED by anti-bot challenges: {summary['challenges']}"
    return line
