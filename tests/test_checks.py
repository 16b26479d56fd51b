"""The consistency checks of report-format.md §7 (schema.json ``checks``)."""

from __future__ import annotations

import random

import pytest

from crawler.extract.checks import carry_chain, in_force_chain, run_checks
from crawler.extract.model import Cell, Narrative, Statistics
from crawler.extract.schema import check_rules
from crawler.extract.tables import extract_statistics
from tests.support.render_text import render_tsv
from tests.support.values import StatTables, random_tables, zero_tables

HARD = ("sec3.identity", "sec3.row_total", "sec3.outcome_total", "sec4.group_total")


def stats_of(tables: StatTables) -> Statistics:
    return extract_statistics(render_tsv(tables))


@pytest.fixture
def valid() -> StatTables:
    return random_tables(random.Random(3), "G2", busy=True)


def test_every_schema_rule_has_a_result(valid: StatTables) -> None:
    assert list(run_checks(stats_of(valid))) == [rule["code"] for rule in check_rules()]


@pytest.mark.parametrize("code", HARD)
def test_valid_tables_pass(valid: StatTables, code: str) -> None:
    result = run_checks(stats_of(valid))[code]
    assert (result.status, result.hard, result.assumed_zero) == ("pass", True, False)


def test_identity_fails_with_its_delta(valid: StatTables) -> None:
    valid.sec3["new_received"]["natural_person"] = int(valid.sec3["new_received"]["natural_person"]) + 2
    result = run_checks(stats_of(valid))["sec3.identity"]
    assert (result.status, result.delta) == ("fail", 2)
    assert "natural_person" in result.detail


def test_row_total_fails_with_its_delta(valid: StatTables) -> None:
    valid.sec3["granted"]["total"] = int(valid.sec3["granted"]["total"]) - 1
    result = run_checks(stats_of(valid))["sec3.row_total"]
    assert (result.status, result.delta, result.detail) == ("fail", -1, "granted: delta -1")


def test_outcome_total_fails(valid: StatTables) -> None:
    valid.sec3["denied.admin_query"]["research"] = int(valid.sec3["denied.admin_query"]["research"]) + 1
    assert run_checks(stats_of(valid))["sec3.outcome_total"].status == "fail"


def test_outcome_total_uses_the_g1_other_row() -> None:
    tables = random_tables(random.Random(4), "G1", busy=True)
    tables.sec3["other"]["total"] = int(tables.sec3["other"]["total"]) + 5
    tables.sec3["other"]["natural_person"] = int(tables.sec3["other"]["natural_person"]) + 5
    result = run_checks(stats_of(tables))["sec3.outcome_total"]
    assert (result.status, result.delta) == ("fail", -5)


def test_group_total_fails(valid: StatTables) -> None:
    valid.sec4["litigation_direct"]["total"] = 9
    valid.sec4["litigation_direct"]["upheld"] = 1
    result = run_checks(stats_of(valid))["sec4.group_total"]
    assert result.status == "fail"
    assert "litigation_direct" in result.detail


def test_blanks_beside_numbers_are_assumed_zero() -> None:
    tables = zero_tables("G2")
    tables.sec4["review"]["other"] = None
    result = run_checks(stats_of(tables))["sec4.group_total"]
    assert (result.status, result.assumed_zero) == ("pass", True)


def test_assumed_zero_never_changes_the_stored_value() -> None:
    tables = zero_tables("G2")
    tables.sec4["review"]["other"] = "-"
    stats = stats_of(tables)
    run_checks(stats)
    assert stats.sec4["review"]["other"] == Cell(None, "-", "marker")


def test_a_wholly_blank_group_is_unknown() -> None:
    """001: 行政复议 is five empty cells."""
    tables = zero_tables("G2")
    for column in tables.sec4["review"]:
        tables.sec4["review"][column] = None
    result = run_checks(stats_of(tables))["sec4.group_total"]
    assert result.status == "unknown"
    assert "review" in result.detail


def test_a_mismatched_row_makes_its_scopes_unknown() -> None:
    tables = zero_tables("G2")
    tables.defects["sec3.unable.no_info"] = ["0"] * 6
    checks = run_checks(stats_of(tables))
    assert checks["sec3.outcome_total"].status == "unknown"
    assert checks["sec3.identity"].status == "pass"


@pytest.mark.parametrize("code", HARD)
def test_image_only_tables_are_unknown(code: str) -> None:
    text = (
        "三、收到和处理政府信息公开申请情况\n[image: 1]\n四、政府信息公开行政复议、行政诉讼情况\n[image: 2]\n"
    )
    assert run_checks(extract_statistics(text))[code].status == "unknown"


@pytest.mark.parametrize("code", HARD)
def test_g0_has_no_tables_so_hard_rules_are_unknown(code: str) -> None:
    assert run_checks(Statistics(format="G0"))[code].status == "unknown"


def test_soft_rules_are_never_hard(valid: StatTables) -> None:
    checks = run_checks(
        stats_of(valid),
        Narrative(proactive_total=10, proactive_subcounts=[1], proactive_subcounts_exhaustive=True),
    )
    soft = [code for code, rule in ((r["code"], r) for r in check_rules()) if not rule["hard"]]
    assert all(checks[code].hard is False for code in soft)


@pytest.mark.parametrize("code", ["sec3.carry_chain", "sec2.in_force_chain"])
def test_cross_report_rules_need_the_other_year(valid: StatTables, code: str) -> None:
    result = run_checks(stats_of(valid))[code]
    assert (result.status, result.detail) == ("unknown", "needs the other year's report")


def test_carry_chain_helper() -> None:
    earlier, later = zero_tables("G2"), zero_tables("G2")
    earlier.sec3["carried_forward"]["total"] = 2
    result = carry_chain(stats_of(earlier), stats_of(later))
    assert (result.status, result.delta, result.hard) == ("fail", 2, False)


def test_in_force_chain_helper() -> None:
    earlier, later = zero_tables("G2"), zero_tables("G2")
    earlier.sec2["art20_1"]["normative_documents"]["in_force"] = 30
    later.sec2["art20_1"]["normative_documents"].update(made=5, repealed=2, in_force=33)
    assert in_force_chain(stats_of(earlier), stats_of(later)).status == "pass"


@pytest.mark.parametrize(
    ("narrative", "status"),
    [
        (Narrative(zero_statements={"no_requests": "未收到政府信息公开申请"}), "pass"),
        (Narrative(requests_stated=3), "fail"),
        (Narrative(requests_stated=0), "pass"),
        (Narrative(), "unknown"),
    ],
)
def test_narrative_requests(narrative: Narrative, status: str) -> None:
    assert run_checks(stats_of(zero_tables("G2")), narrative)["narrative.requests"].status == status


def test_narrative_zero_statement_against_nonzero_table() -> None:
    tables = zero_tables("G2")
    tables.sec4["review"].update(upheld=1, total=1)
    narrative = Narrative(zero_statements={"no_review_litigation": "未发生行政复议、行政诉讼"})
    assert run_checks(stats_of(tables), narrative)["narrative.review_litigation"].status == "fail"


@pytest.mark.parametrize(
    ("total", "subcounts", "exhaustive", "status"),
    [
        (472, [369, 39, 64], True, "pass"),
        (124, [24, 41, 52], True, "fail"),
        (124, [24, 41], False, "unknown"),
    ],
)
def test_proactive_subcounts(total: int, subcounts: list[int], exhaustive: bool, status: str) -> None:
    narrative = Narrative(
        proactive_total=total, proactive_subcounts=subcounts, proactive_subcounts_exhaustive=exhaustive
    )
    result = run_checks(Statistics(format="G0"), narrative)["narrative.proactive_subcounts"]
    assert (result.status, result.hard) == (status, False)


@pytest.mark.parametrize(
    ("level", "status"),
    [("township", "fail"), ("department", "fail"), ("government", "pass"), (None, "unknown")],
)
def test_regulations_level(level: str | None, status: str) -> None:
    tables = zero_tables("G2")
    tables.sec2["art20_1"]["regulations"]["made"] = 2
    assert run_checks(stats_of(tables), level=level)["sec2.regulations_level"].status == status


def test_narrative_sec2_compares_facts_keyed_by_row() -> None:
    from crawler.extract.model import Fact

    tables = zero_tables("G2")
    tables.sec2["art20_1"]["normative_documents"]["made"] = 4
    narrative = Narrative(facts=[Fact("sec2.normative_documents", 5, "制发规范性文件5件")])
    assert run_checks(stats_of(tables), narrative)["narrative.sec2"].status == "fail"


def test_seed_001_checks() -> None:
    """Every 001 number is 0; no_info is a mismatch and 行政复议 is blank, so those scopes are unknown."""
    from pathlib import Path

    seed = next((Path(__file__).parent / "fixtures" / "seeds").glob("001_*.txt"))
    checks = run_checks(extract_statistics(seed.read_text(encoding="utf-8")))
    statuses = {code: checks[code].status for code in HARD}
    assert statuses == {
        "sec3.identity": "pass",
        "sec3.row_total": "unknown",
        "sec3.outcome_total": "unknown",
        "sec4.group_total": "unknown",
    }
