"""Dataclasses returned by the extraction module.

Everything here is plain data: no Scrapy, no sqlite, no network, no clock. Codes (section blocks,
rows, columns, check rules, flags) are those of ``schema.json`` (a copy of ``shared/spec``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

Number = int | Decimal


def _pickled_by_fields(value: Any) -> tuple[Any, ...]:
    """Pickle a slots dataclass as a call of its constructor on its fields, in order. A report holds
    hundreds of cells and checks, and each crosses a process boundary (the extraction pool): the
    state methods ``dataclass(slots=True)`` generates call ``fields()`` for every object, and were
    most of the cost of pickling a report."""
    return type(value), tuple(getattr(value, name) for name in value.__slots__)

#: Allowed values of ``ExtractedReport.format``.
FORMATS = ("G0", "G1", "G2", "unknown")
#: Allowed values of ``ExtractedReport.table_render``.
TABLE_RENDERS = ("html", "tsv", "cell_per_line", "pipe", "flattened", "image_only", "none")


@dataclass(frozen=True, slots=True)
class Cell:
    """One statistics cell: the value as a number (or None), the text as printed, and a flag.

    ``value`` is never a guessed 0: blank, marker (- / 无 …), unreadable and image-only cells are None.
    ``flag`` is None or one of schema.json ``cell.flags`` (blank, marker, approx, raw_amount,
    image_only, missing, cell_count_mismatch, unparsed).
    """

    value: Number | None
    raw: str | None = None
    flag: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"value": _json_number(self.value), "raw": self.raw, "flag": self.flag}

    def __reduce__(self) -> tuple[Any, ...]:
        return _pickled_by_fields(self)


# sec2[block][row][column], sec3[row][column], sec4[group][column]
Sec2 = dict[str, dict[str, dict[str, Cell]]]
Sec3 = dict[str, dict[str, Cell]]
Sec4 = dict[str, dict[str, Cell]]


@dataclass(slots=True)
class CheckResult:
    """The outcome of one schema.json check rule over one report.

    ``status`` is pass / fail / unknown. ``delta`` is the signed difference of the first failing
    scope (left side minus right side), ``detail`` lists every failing or unknown scope in words.
    ``assumed_zero`` is set when blank or marker cells were counted as 0 (schema ``check_status``).
    """

    rule: str
    status: str
    hard: bool
    detail: str = ""
    delta: Number | None = None
    assumed_zero: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "hard": self.hard,
            "delta": _json_number(self.delta),
            "assumed_zero": self.assumed_zero,
            "detail": self.detail,
        }

    def __reduce__(self) -> tuple[Any, ...]:
        return _pickled_by_fields(self)


@dataclass(slots=True)
class Fact:
    """A labelled fact read from the prose, e.g. a count of proactive disclosures."""

    key: str
    value: Number | None
    raw: str
    approx: bool = False

    def to_json(self) -> dict[str, Any]:
        return {"key": self.key, "value": _json_number(self.value), "raw": self.raw, "approx": self.approx}

    def __reduce__(self) -> tuple[Any, ...]:
        return _pickled_by_fields(self)


@dataclass(slots=True)
class Narrative:
    """Facts stated in the prose, kept apart from the tables (report-format.md §9.4)."""

    proactive_total: Number | None = None
    proactive_approx: bool = False
    proactive_raw: str | None = None
    proactive_subcounts: list[int] = field(default_factory=list)
    proactive_subcounts_exhaustive: bool = False
    #: zero statements found, by code: no_requests, no_review_litigation, no_review, no_litigation, no_fees
    zero_statements: dict[str, str] = field(default_factory=dict)
    requests_stated: Number | None = None
    fee_statement: str | None = None
    #: labelled facts (G0 key/value facts and anything else worth keeping)
    facts: list[Fact] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "proactive_total": _json_number(self.proactive_total),
            "approx": self.proactive_approx,
            "proactive_raw": self.proactive_raw,
            "proactive_subcounts": list(self.proactive_subcounts),
            "proactive_subcounts_exhaustive": self.proactive_subcounts_exhaustive,
            "zero_statements": dict(self.zero_statements),
            "requests_stated": _json_number(self.requests_stated),
            "fee_statement": self.fee_statement,
            "facts": [fact.to_json() for fact in self.facts],
        }


@dataclass(slots=True)
class Attachment:
    """A link from a report page to a file or an image (resolved absolute URL)."""

    url: str
    name: str | None = None
    kind: str = "attachment"  # attachment | image | flipbook


@dataclass(slots=True)
class Page:
    """What an article page says about itself, before any report grammar is applied."""

    title: str | None = None
    meta: dict[str, str] = field(default_factory=dict)
    #: the 发布日期/发布时间 line as printed, if any
    date_line: str | None = None
    #: 信息来源 / 来源 / 发布机构 as printed, if any
    source: str | None = None
    #: the body element's HTML (the report itself, without site chrome)
    body_html: str | None = None
    #: the body as text, one block per line, tables as tab-separated rows
    body_text: str = ""
    attachments: list[Attachment] = field(default_factory=list)


@dataclass(slots=True)
class Metadata:
    agency: str | None = None
    agency_as_printed: str | None = None
    year: int | None = None
    #: the posting date (发布日期 / 发布时间), else ``dated`` (a warning says so); YYYY-MM-DD
    published: str | None = None
    #: the date printed on the report itself (signature, 成文日期 / 发文日期); YYYY-MM-DD
    dated: str | None = None
    #: what ``published`` is: "posted" (the page's posting date) or "dated" (no posting date printed)
    published_basis: str | None = None
    title: str | None = None
    #: government / department / township, or None when the name does not tell
    level: str | None = None
    warnings: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Statistics:
    format: str = "unknown"
    table_render: str = "none"
    sec2: Sec2 = field(default_factory=dict)
    sec3: Sec3 = field(default_factory=dict)
    sec4: Sec4 = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class CellSource:
    """Where the values of one table (sec2 / sec3 / sec4) were read.

    ``method`` is how: html, text, pdf-text, pdf-ocr, docx, doc, wps, xlsx, xls, et, ocr.
    ``document_url`` is the attachment or image the values came from; None means the page itself.
    """

    method: str
    document_url: str | None = None


@dataclass(slots=True)
class ExtractedReport:
    """The structured report: metadata, the three tables, narrative facts and checks."""

    agency: str | None
    agency_as_printed: str | None
    year: int | None
    published: str | None
    format: str
    table_render: str
    sec2: Sec2
    sec3: Sec3
    sec4: Sec4
    narrative: Narrative
    checks: dict[str, CheckResult]
    #: the date printed on the report (signature, 成文日期); ``published`` is the posting date
    dated: str | None = None
    #: "posted" (a posting date) or "dated" (none printed: ``published`` is ``dated``)
    published_basis: str | None = None
    #: what decided ``format``: labels / citation / year (None: nothing told)
    format_basis: str | None = None
    title: str | None = None
    level: str | None = None
    text: str = ""
    attachments: list[Attachment] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    #: provenance per table, keyed "sec2" / "sec3" / "sec4" (not part of the JSON form)
    cell_sources: dict[str, CellSource] = field(default_factory=dict)

    #: the keys of the JSON form, in order (the CLI contract of ``xxgk extract --json``)
    JSON_KEYS = (
        "agency",
        "agency_as_printed",
        "year",
        "published",
        "dated",
        "published_basis",
        "format",
        "format_basis",
        "table_render",
        "sec2",
        "sec3",
        "sec4",
        "narrative",
        "checks",
        "warnings",
    )

    def to_json(self) -> dict[str, Any]:
        return {
            "agency": self.agency,
            "agency_as_printed": self.agency_as_printed,
            "year": self.year,
            "published": self.published,
            "dated": self.dated,
            "published_basis": self.published_basis,
            "format": self.format,
            "format_basis": self.format_basis,
            "table_render": self.table_render,
            "sec2": {
                block: {row: _cells_json(cols) for row, cols in rows.items()}
                for block, rows in self.sec2.items()
            },
            "sec3": {row: _cells_json(cols) for row, cols in self.sec3.items()},
            "sec4": {group: _cells_json(cols) for group, cols in self.sec4.items()},
            "narrative": self.narrative.to_json(),
            "checks": {rule: result.to_json() for rule, result in self.checks.items()},
            "warnings": list(self.warnings),
        }

    def failed_hard_checks(self) -> int:
        return sum(1 for result in self.checks.values() if result.hard and result.status == "fail")


def _cells_json(cells: dict[str, Cell]) -> dict[str, Any]:
    return {code: cell.to_json() for code, cell in cells.items()}


def _json_number(value: Number | None) -> int | float | None:
    """Decimals go out as JSON numbers (万元 amounts have at most a few decimals)."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value
