"""``xxgk export``: files a CSV reader and json.loads read back, matching the database."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from click.testing import CliRunner

from crawler.commands.archive import export as export_command
from crawler.db import open_db
from crawler.export import export


def counts(reparsed_replica: Path) -> dict[str, int]:
    db = open_db(reparsed_replica / "xxgk.db")
    try:
        return {table: db[table].count for table in ("reports", "cells", "checks")}
    finally:
        db.close()


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_csv_files_read_back_with_a_header_and_every_row(reparsed_replica: Path, tmp_path: Path) -> None:
    written = export(reparsed_replica / "xxgk.db", tmp_path, "csv")
    expected = counts(reparsed_replica)
    assert {path.name: count for path, count in written.items()} == {f"{t}.csv": n for t, n in expected.items()}
    reports = read_csv(tmp_path / "reports.csv")
    assert len(reports) == expected["reports"] and "text" not in reports[0]
    assert all(row["agency"] and row["year"] for row in reports)
    cells = read_csv(tmp_path / "cells.csv")
    assert len(cells) == expected["cells"] > 0
    assert {"agency", "year", "report_id", "table", "row", "column", "value"} <= set(cells[0])
    checks = read_csv(tmp_path / "checks.csv")
    assert len(checks) == expected["checks"] and {"agency", "year", "rule", "status"} <= set(checks[0])


def test_csv_keeps_the_text_when_asked_with_its_newlines_intact(reparsed_replica: Path, tmp_path: Path) -> None:
    export(reparsed_replica / "xxgk.db", tmp_path, "csv", with_text=True)
    db = open_db(reparsed_replica / "xxgk.db")
    texts = {row["url"]: row["text"] for row in db.query("SELECT url, text FROM reports")}
    db.close()
    assert {row["url"]: row["text"] for row in read_csv(tmp_path / "reports.csv")} == texts
    assert any("\n" in text for text in texts.values())


def test_json_lines_parse_and_nest_the_json_columns(reparsed_replica: Path, tmp_path: Path) -> None:
    export(reparsed_replica / "xxgk.db", tmp_path, "jsonl")
    lines = (tmp_path / "reports.jsonl").read_text(encoding="utf-8").splitlines()
    reports = [json.loads(line) for line in lines]
    assert len(reports) == counts(reparsed_replica)["reports"]
    assert all(isinstance(row["urls"], list) and isinstance(row["warnings"], list) for row in reports)
    assert all(row["text"] for row in reports)
    assert reports[0]["agency"] in (tmp_path / "reports.jsonl").read_text(encoding="utf-8")  # UTF-8, unescaped
    cells = [json.loads(line) for line in (tmp_path / "cells.jsonl").read_text(encoding="utf-8").splitlines()]
    assert all(isinstance(row["value"], int | float | None) for row in cells)


def test_the_command_exports_and_fails_in_one_line(reparsed_replica: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    done = runner.invoke(export_command, ["--data-dir", str(reparsed_replica), "--format", "jsonl", "--out", str(tmp_path)])
    assert done.exit_code == 0, done.output
    assert sorted(path.name for path in tmp_path.iterdir()) == ["cells.jsonl", "checks.jsonl", "datapackage.json", "reports.jsonl"]
    missing = runner.invoke(export_command, ["--data-dir", str(tmp_path / "none")])
    assert missing.exit_code != 0 and len(missing.output.strip().splitlines()) == 1
