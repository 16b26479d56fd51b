"""Consistency checks over the statistics tables (report-format.md §7, schema.json ``checks``).

Every rule of schema.json gets a :class:`CheckResult`. Hard rules are evaluated per scope (column,
row or group): a scope is ``unknown`` when it has no number at all or a null that is not a blank or
a marker (image-only, missing, mismatched, unparsed); blank and marker cells next to numbers count
as 0 and set ``assumed_zero``. The rule passes only when every scope passes ("all inputs numeric
and the equation holds"), fails when any scope fails, and is unknown otherwise. Values are never
altered. Soft rules (hard=False) are warnings and never count as failures.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from crawler.extract.model import Cell, CheckResult, Narrative, Number, Statistics
from crawler.extract.schema import check_rules

_ASSUMABLE = frozenset({"blank", "marker"})
_APPLICANTS = ("natural_person", "commercial", "research", "public_interest", "legal_service", "other_org")
_SEC3_HEADS = ("new_received", "carried_over", "total_processed", "carried_forward")
_SEC4_PARTS = ("upheld", "corrected", "other", "pending")
_NEEDS_OTHER_YEAR = "needs the other year's report"
_RESTRICTED_LEVELS = ("department", "township")


@dataclass(slots=True)
class _Scope:
    name: str
    status: str  # pass / fail / unknown
    delta: Number | None = None
    assumed_zero: bool = False
    why: str = ""


# -- entry point ------------------------------------------------------------------------------------


def run_checks(
    stats: Statistics, narrative: Narrative | None = None, *, level: str | None = None
) -> dict[str, CheckResult]:
    """One result per schema.json check rule, keyed by its code, in schema order."""
    evaluators = {
        "sec3.identity": lambda: _hard("sec3.identity", _identity_scopes(stats)),
        "sec3.row_total": lambda: _hard("sec3.row_total", _row_total_scopes(stats)),
        "sec3.outcome_total": lambda: _hard("sec3.outcome_total", _outcome_scopes(stats)),
        "sec4.group_total": lambda: _hard("sec4.group_total", _group_total_scopes(stats)),
        "sec3.carry_chain": lambda: _soft("sec3.carry_chain", "unknown", _NEEDS_OTHER_YEAR),
        "sec2.in_force_chain": lambda: _soft("sec2.in_force_chain", "unknown", _NEEDS_OTHER_YEAR),
        "narrative.requests": lambda: _narrative_requests(stats, narrative),
        "narrative.review_litigation": lambda: _narrative_review(stats, narrative),
        "narrative.sec2": lambda: _narrative_sec2(stats, narrative),
        "narrative.proactive_subcounts": lambda: _proactive_subcounts(narrative),
        "sec2.regulations_level": lambda: _regulations_level(stats, level),
    }
    results = {}
    for rule in check_rules():
        code = rule["code"]
        evaluate = evaluators.get(code)
        results[code] = evaluate() if evaluate else _soft(code, "unknown", "rule not implemented")
    return results


# -- hard rules -------------------------------------------------------------------------------------


def _scope(name: str, left: list[Cell | None], right: list[Cell | None]) -> _Scope:
    """left side = right side, over cells; None stands for a cell the table does not have."""
    cells = [*left, *right]
    blanks = 0  # (one pass over the cells: a report has some thirty scopes)
    for cell in cells:
        if cell is None or (cell.value is None and cell.flag not in _ASSUMABLE):
            return _Scope(name, "unknown", why=_why_unknown(cells))
        blanks += cell.value is None
    if blanks == len(cells):
        return _Scope(name, "unknown", why="all blank")
    delta = _sum(left) - _sum(right)
    return _Scope(name, "pass" if delta == 0 else "fail", delta, blanks > 0)


def _why_unknown(cells: list[Cell | None]) -> str:
    flags = sorted(
        {(cell.flag or "null") if cell else "missing" for cell in cells if cell is None or cell.value is None}
    )
    return ", ".join(flags)


def _sum(cells: Iterable[Cell | None]) -> Number:
    return sum([cell.value for cell in cells if cell is not None and cell.value is not None], 0)


def _hard(code: str, scopes: list[_Scope]) -> CheckResult:
    if not scopes:
        return CheckResult(code, "unknown", True, "no table")
    failed = [s for s in scopes if s.status == "fail"]
    unknown = [s for s in scopes if s.status == "unknown"]
    status = "fail" if failed else ("unknown" if unknown else "pass")
    details = [f"{s.name}: delta {s.delta}" for s in failed] + [
        f"{s.name}: unknown ({s.why})" for s in unknown
    ]
    return CheckResult(
        code,
        status,
        True,
        detail="; ".join(details),
        delta=failed[0].delta if failed else (0 if status == "pass" else None),
        assumed_zero=any(s.assumed_zero for s in scopes if s.status != "unknown"),
    )


_NO_ROW: dict[str, Cell] = {}  # (one empty row for every lookup of a row the table lacks)


def _column(stats: Statistics, row: str, column: str) -> Cell | None:
    return stats.sec3.get(row, _NO_ROW).get(column)


def _sec3_columns(stats: Statistics) -> list[str]:
    first = next(iter(stats.sec3.values()), {})
    return list(first)


def _identity_scopes(stats: Statistics) -> list[_Scope]:
    return [
        _scope(
            column,
            [_column(stats, "new_received", column), _column(stats, "carried_over", column)],
            [_column(stats, "total_processed", column), _column(stats, "carried_forward", column)],
        )
        for column in _sec3_columns(stats)
    ]


def _row_total_scopes(stats: Statistics) -> list[_Scope]:
    return [
        _scope(row, [cells.get("total")], [cells.get(column) for column in _APPLICANTS])
        for row, cells in stats.sec3.items()
    ]


def _outcome_scopes(stats: Statistics) -> list[_Scope]:
    # every row that is not one of the four heads is an outcome leaf, in G1 (其他处理) and G2 (其他.*)
    leaves = [row for row in stats.sec3 if row not in _SEC3_HEADS]
    return [
        _scope(
            column,
            [_column(stats, "total_processed", column)],
            [_column(stats, row, column) for row in leaves],
        )
        for column in _sec3_columns(stats)
    ]


def _group_total_scopes(stats: Statistics) -> list[_Scope]:
    return [
        _scope(group, [cells.get("total")], [cells.get(column) for column in _SEC4_PARTS])
        for group, cells in stats.sec4.items()
    ]


# -- soft rules -------------------------------------------------------------------------------------


def _soft(code: str, status: str, detail: str = "", delta: Number | None = None) -> CheckResult:
    return CheckResult(code, status, False, detail=detail, delta=delta)


def carry_chain(earlier: Statistics, later: Statistics) -> CheckResult:
    """sec3.carry_chain: carried_forward of year N = carried_over of year N+1, per column."""
    columns = [c for c in _sec3_columns(earlier) if c in _sec3_columns(later)]
    scopes = [
        _scope(
            column, [_column(earlier, "carried_forward", column)], [_column(later, "carried_over", column)]
        )
        for column in columns
    ]
    result = _hard("sec3.carry_chain", scopes)
    result.hard = False
    return result


def in_force_chain(earlier: Statistics, later: Statistics) -> CheckResult:
    """sec2.in_force_chain (G2): in_force(N) = in_force(N-1) + made(N) - repealed(N), per row."""
    scopes = []
    for row in ("regulations", "normative_documents"):
        before = earlier.sec2.get("art20_1", {}).get(row, {})
        now = later.sec2.get("art20_1", {}).get(row, {})
        if "in_force" not in now or "in_force" not in before:
            continue  # G1 has no in_force column
        # in_force(N) + repealed(N) = in_force(N-1) + made(N)
        scopes.append(
            _scope(row, [now["in_force"], now.get("repealed")], [before["in_force"], now.get("made")])
        )
    result = _hard("sec2.in_force_chain", scopes)
    result.hard = False
    return result


def _total(stats_part: dict[str, dict[str, Cell]], rows: Iterable[str]) -> Number | None:
    """The sum of the 总计 cells of ``rows``; None when none of them is a number."""
    values = [stats_part.get(row, {}).get("total") for row in rows]
    numbers = [cell.value for cell in values if cell is not None and cell.value is not None]
    return sum(numbers, 0) if numbers else None


def _narrative_requests(stats: Statistics, narrative: Narrative | None) -> CheckResult:
    code = "narrative.requests"
    received = _total(stats.sec3, ["new_received"])
    if narrative is None or received is None:
        return _soft(code, "unknown", "no narrative" if narrative is None else "no sec3 numbers")
    if "no_requests" in narrative.zero_statements:
        said = narrative.zero_statements["no_requests"]
        return _soft(
            code,
            "pass" if received == 0 else "fail",
            f"prose: {said!r}; new_received.total {received}",
            received,
        )
    if narrative.requests_stated is not None:
        delta = received - narrative.requests_stated
        return _soft(
            code,
            "pass" if delta == 0 else "fail",
            f"prose {narrative.requests_stated}; table {received}",
            delta,
        )
    return _soft(code, "unknown", "no request count or zero statement in the prose")


def _narrative_review(stats: Statistics, narrative: Narrative | None) -> CheckResult:
    code = "narrative.review_litigation"
    total = _total(stats.sec4, stats.sec4)
    if narrative is None or total is None:
        return _soft(code, "unknown", "no narrative" if narrative is None else "no sec4 numbers")
    said = narrative.zero_statements.get("no_review_litigation")
    if said is None:
        return _soft(code, "unknown", "no statement about review or litigation in the prose")
    return _soft(code, "pass" if total == 0 else "fail", f"prose: {said!r}; sec4 totals {total}", total)


def _narrative_sec2(stats: Statistics, narrative: Narrative | None) -> CheckResult:
    """Counts of 规章 / 规范性文件 in the prose, as facts keyed "sec2.<row>" (e.g. sec2.normative_documents)."""
    code = "narrative.sec2"
    if narrative is None:
        return _soft(code, "unknown", "no narrative")
    block = stats.sec2.get("art20_1", {})
    compared = []
    for fact in narrative.facts:
        row = fact.key.removeprefix("sec2.")
        cells = block.get(row)
        if not fact.key.startswith("sec2.") or not cells or fact.value is None:
            continue
        printed = {cell.value for cell in cells.values() if cell.value is not None}
        compared.append((row, fact.value, fact.value in printed))
    if not compared:
        return _soft(code, "unknown", "no 规章/规范性文件 counts in the prose")
    wrong = [f"{row}: prose {value} not in the table" for row, value, ok in compared if not ok]
    return _soft(code, "fail" if wrong else "pass", "; ".join(wrong))


def _proactive_subcounts(narrative: Narrative | None) -> CheckResult:
    code = "narrative.proactive_subcounts"
    if narrative is None or narrative.proactive_total is None or not narrative.proactive_subcounts:
        return _soft(code, "unknown", "no stated total with channel counts")
    if not narrative.proactive_subcounts_exhaustive:
        return _soft(code, "unknown", "the list is not exhaustive (等)")
    listed = sum(narrative.proactive_subcounts)
    delta = narrative.proactive_total - listed
    detail = f"stated {narrative.proactive_total}, listed {' + '.join(map(str, narrative.proactive_subcounts))} = {listed}"
    return _soft(code, "pass" if delta == 0 else "fail", detail, delta)


def _regulations_level(stats: Statistics, level: str | None) -> CheckResult:
    code = "sec2.regulations_level"
    cells = stats.sec2.get("art20_1", {}).get("regulations", {})
    values = [cell.value for cell in cells.values() if cell.value is not None]
    if not values:
        return _soft(code, "unknown", "no 规章 numbers")
    if level is None:
        return _soft(code, "unknown", "the agency's level is not known")
    if level in _RESTRICTED_LEVELS and any(value != 0 for value in values):
        return _soft(code, "fail", f"a {level} reports 规章 counts {values}; kept as printed")
    return _soft(code, "pass")
