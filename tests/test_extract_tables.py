"""Sections 二–四: the seeds against hand-written golden files, and the traps of report-format.md §9.

The golden files (tests/golden/seeds/NNN.tables.json) were written by reading the seed text; the
test expands their compact form to every code of the generation and asserts every cell, so a
regression in any golden cell fails here (the evaluation gate).
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from crawler.extract.cells import parse_cell
from crawler.extract.model import Cell, Statistics
from crawler.extract.normalise import normalise_text
from crawler.extract.tables import extract_statistics
from tests.support.render_html import render_html
from tests.support.values import sec2_layout, sec3_columns, sec3_rows, sec4_columns, sec4_groups, seed_tables

ROOT = Path(__file__).parent
SEEDS = {path.name[:3]: path for path in (ROOT / "fixtures" / "seeds").glob("*.txt")}
GOLDEN = ROOT / "golden" / "seeds"
NAMES = sorted(SEEDS)


def golden(name: str) -> dict:
    return json.loads((GOLDEN / f"{name}.tables.json").read_text(encoding="utf-8"))


def expected_cells(spec: dict) -> dict[str, dict]:
    """The compact golden form expanded to one expectation per code of the generation."""
    gen = spec["codes"]
    codes = [
        ("sec2", f"sec2.{block}.{row}.{col}")
        for block, rows, cols in sec2_layout(gen)
        for row in rows
        for col in cols
    ]
    codes += [("sec3", f"sec3.{row}.{col}") for row in sec3_rows(gen) for col in sec3_columns(gen)]
    codes += [("sec4", f"sec4.{group}.{col}") for group in sec4_groups(gen) for col in sec4_columns(gen)]
    expected = {}
    for table, code in codes:
        row_wildcard = code.rsplit(".", 1)[0] + ".*"
        expected[code] = spec["cells"].get(code) or spec["cells"].get(row_wildcard) or spec["default"][table]
    return expected


def actual_cells(stats: Statistics) -> dict[str, Cell]:
    cells = {}
    for block, rows in stats.sec2.items():
        for row, cols in rows.items():
            cells.update({f"sec2.{block}.{row}.{col}": cell for col, cell in cols.items()})
    for row, cols in stats.sec3.items():
        cells.update({f"sec3.{row}.{col}": cell for col, cell in cols.items()})
    for group, cols in stats.sec4.items():
        cells.update({f"sec4.{group}.{col}": cell for col, cell in cols.items()})
    return cells


def seed_text(name: str) -> str:
    return normalise_text(SEEDS[name].read_text(encoding="utf-8"))


def assert_golden(stats: Statistics, spec: dict) -> None:
    expected, actual = expected_cells(spec), actual_cells(stats)
    assert sorted(actual) == sorted(expected)
    wrong = {
        code: (actual[code], want)
        for code, want in expected.items()
        if actual[code].value != want["value"]
        or actual[code].flag != want["flag"]
        or ("raw" in want and actual[code].raw != want["raw"])
    }
    assert not wrong, f"{len(wrong)} golden cells regressed, e.g. {next(iter(wrong.items()))}"


# -- the seeds (evaluation gate) --------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_seed_format(name: str) -> None:
    assert extract_statistics(seed_text(name)).format == golden(name)["format"]


@pytest.mark.parametrize("name", NAMES)
def test_seed_table_render(name: str) -> None:
    assert extract_statistics(seed_text(name)).table_render == golden(name)["table_render"]


@pytest.mark.parametrize("name", NAMES)
def test_seed_cells_match_golden(name: str) -> None:
    assert_golden(extract_statistics(seed_text(name)), golden(name))


@pytest.mark.parametrize("name", NAMES)
def test_seed_cells_match_golden_without_normalisation(name: str) -> None:
    """The raw seed text (before normalise_text) reads the same."""
    assert_golden(extract_statistics(SEEDS[name].read_text(encoding="utf-8")), golden(name))


@pytest.mark.parametrize("name", ["001", "003"])
def test_seed_tables_rerendered_as_html_read_the_same(name: str) -> None:
    tables = seed_tables(name)
    assert tables is not None
    stats = extract_statistics("", render_html(tables))
    spec = {**golden(name), "table_render": "html"}
    assert (stats.format, stats.table_render) == (spec["format"], "html")
    assert_golden(stats, spec)


def test_seed_001_no_info_mismatch_is_warned() -> None:
    assert "sec3.unable.no_info: 6 cells for 7 columns" in extract_statistics(seed_text("001")).warnings


def test_seed_001_fee_amount_is_a_decimal() -> None:
    cell = extract_statistics(seed_text("001")).sec2["art20_8"]["admin_fees"]["fee_amount"]
    assert isinstance(cell.value, Decimal)


@pytest.mark.parametrize("name", ["000", "002", "004"])
def test_image_seeds_have_no_zeros(name: str) -> None:
    assert all(cell.value is None for cell in actual_cells(extract_statistics(seed_text(name))).values())


# -- cell values (§8.1, §8.2) -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "kind", "expected"),
    [
        ("0", "count", Cell(0, "0")),
        ("12", "count", Cell(12, "12")),
        ("１２", "count", Cell(12, "１２")),
        ("1,234", "count", Cell(1234, "1,234")),
        ("", "count", Cell(None, "", "blank")),
        ("-", "count", Cell(None, "-", "marker")),
        ("－", "count", Cell(None, "－", "marker")),
        ("—", "count", Cell(None, "—", "marker")),
        ("/", "count", Cell(None, "/", "marker")),
        ("／", "count", Cell(None, "／", "marker")),
        ("无", "count", Cell(None, "无", "marker")),
        ("260余", "count", Cell(260, "260余", "approx")),
        ("近300", "count", Cell(300, "近300", "approx")),
        ("1600多", "count", Cell(1600, "1600多", "approx")),
        ("5件", "count", Cell(5, "5件")),
        ("1.5", "count", Cell(None, "1.5", "unparsed")),
        ("见附件", "count", Cell(None, "见附件", "unparsed")),
        ("-3", "signed_count", Cell(-3, "-3")),
        ("+2", "signed_count", Cell(2, "+2")),
        ("12.36", "decimal", Cell(Decimal("12.36"), "12.36")),
        ("0", "decimal", Cell(Decimal("0"), "0")),
        ("1.5万元", "decimal", Cell(Decimal("1.5"), "1.5万元")),
        ("251000元", "amount_raw", Cell(251000, "251000元", "raw_amount")),
        ("12.5万元", "amount_raw", Cell(Decimal("12.5"), "12.5万元", "raw_amount")),
        ("0", "amount_raw", Cell(0, "0", "raw_amount")),
        ("/", "amount_raw", Cell(None, "/", "marker")),
    ],
)
def test_parse_cell(raw: str, kind: str, expected: Cell) -> None:
    assert parse_cell(raw, kind) == expected
