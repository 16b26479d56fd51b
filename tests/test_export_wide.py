"""``xxgk export`` wide tables (issue 19): one row per report, one column per cell code, per generation."""

from __future__ import annotations

import csv
from pathlib import Path

from click.testing import CliRunner

from crawler.commands.archive import export as export_command
from crawler.db import open_db
from crawler.export_wide import REPORT_COLUMNS, export_wide, template_codes


def read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_template_codes_follow_the_schema() -> None:
    g2 = template_codes("G2")
    assert g2[0] == ("sec2", "art20_1.regulations", "made")
    assert ("sec3", "new_received", "total") in g2 and ("sec4", "litigation_after_review", "total") in g2
    assert len(g2) == len(set(g2))
    assert len(template_codes("G1")) != len(g2)  # the generations differ, hence one file each


def test_every_stored_value_is_in_its_reports_row_and_column(reparsed_replica: Path, tmp_path: Path) -> None:
    written = export_wide(reparsed_replica / "xxgk.db", tmp_path)
    db = open_db(reparsed_replica / "xxgk.db")
    try:
        cells = {
            (str(r["report_id"]), f"{r['table']}.{r['row']}.{r['column']}"): r["value"]
            for r in db.query("select * from cells where value is not null")
        }
        formats = {str(r["id"]): r["format"] for r in db.query("select id, format from reports")}
    finally:
        db.close()
    found = {}
    for path in written:
        rows = read(path)
        assert list(rows[0])[: len(REPORT_COLUMNS)] == REPORT_COLUMNS
        assert len({row["report_id"] for row in rows}) == len(rows)  # one row per report
        for row in rows:
            assert path.name == f"wide_{formats[row['report_id']]}.csv"
            found |= {(row["report_id"], code): value for code, value in row.items()
                      if code not in REPORT_COLUMNS and value != ""}  # fmt: skip
    assert found.keys() == cells.keys()
    assert all(float(found[key]) == float(value) for key, value in cells.items())


def test_the_command_writes_the_wide_files_beside_the_long_ones(reparsed_replica: Path, tmp_path: Path) -> None:
    done = CliRunner().invoke(export_command, ["--data-dir", str(reparsed_replica), "--out", str(tmp_path)])
    assert done.exit_code == 0, done.output
    names = sorted(path.name for path in tmp_path.iterdir())
    assert {"reports.csv", "cells.csv", "checks.csv"} <= set(names)
    assert any(name.startswith("wide_G") for name in names)


def test_bom_reaches_the_wide_files_too(reparsed_replica: Path, tmp_path: Path) -> None:
    done = CliRunner().invoke(export_command, ["--data-dir", str(reparsed_replica), "--out", str(tmp_path), "--bom"])
    assert done.exit_code == 0, done.output
    wide = sorted(tmp_path.glob("wide_*.csv"))
    assert wide and all(path.read_bytes().startswith(b"\xef\xbb\xbf") for path in wide)
