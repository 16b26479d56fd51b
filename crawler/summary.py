"""Readable text for people: a report's tables laid out as in the template, and a crawl summary."""

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
