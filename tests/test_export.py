"""``xxgk export``: files a CSV reader and json.loads read back, matching the database."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from click.testing import CliRunner

from crawler.commands.archive import export as export_command
from crawler.db import open_db
from crawler.export import export
from crawler.reparse import reparse_in_place
from tests.replica.world import build_world
from tests.test_reparse import Archive, page_context


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Five replica report pages with HTML tables, archived and reparsed (the server never runs)."""
    data_dir = tmp_path_factory.mktemp("export") / "data"
    archive = Archive(data_dir / "warc")
    world = build_world(0)
    for report in [r for r in world.current_reports() if r.table_render == "html"][:5]:
        parts = urlsplit(report.url)
        served = world.handle("GET", parts.hostname or "", parts.path)
        archive.fetch(report.url, served.body, page_context(report.site, report.title), headers=dict(served.headers))
    archive.close()
    reparse_in_place(data_dir)
    return data_dir


def counts(data_dir: Path) -> dict[str, int]:
    db = open_db(data_dir / "xxgk.db")
    try:
        return {table: db[table].count for table in ("reports", "cells", "checks")}
    finally:
        db.close()


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_csv_files_read_back_with_a_header_and_every_row(data_dir: Path, tmp_path: Path) -> None:
    written = export(data_dir / "xxgk.db", tmp_path, "csv")
    expected = counts(data_dir)
    assert {path.name: count for path, count in written.items()} == {f"{t}.csv": n for t, n in expected.items()}
    reports = read_csv(tmp_path / "reports.csv")
    assert len(reports) == expected["reports"] and "text" not in reports[0]
    assert all(row["agency"] and row["year"] for row in reports)
    cells = read_csv(tmp_path / "cells.csv")
    assert len(cells) == expected["cells"] > 0
    assert {"agency", "year", "report_id", "table", "row", "column", "value"} <= set(cells[0])
    checks = read_csv(tmp_path / "checks.csv")
    assert len(checks) == expected["checks"] and {"agency", "year", "rule", "status"} <= set(checks[0])


def test_csv_keeps_the_text_when_asked_with_its_newlines_intact(data_dir: Path, tmp_path: Path) -> None:
    export(data_dir / "xxgk.db", tmp_path, "csv", with_text=True)
    db = open_db(data_dir / "xxgk.db")
    texts = {row["url"]: row["text"] for row in db.query("SELECT url, text FROM reports")}
    db.close()
    assert {row["url"]: row["text"] for row in read_csv(tmp_path / "reports.csv")} == texts
    assert any("\n" in text for text in texts.values())


def test_json_lines_parse_and_nest_the_json_columns(data_dir: Path, tmp_path: Path) -> None:
    export(data_dir / "xxgk.db", tmp_path, "jsonl")
    lines = (tmp_path / "reports.jsonl").read_text(encoding="utf-8").splitlines()
    reports = [json.loads(line) for line in lines]
    assert len(reports) == counts(data_dir)["reports"]
    assert all(isinstance(row["urls"], list) and isinstance(row["warnings"], list) for row in reports)
    assert all(row["text"] for row in reports)
    assert reports[0]["agency"] in (tmp_path / "reports.jsonl").read_text(encoding="utf-8")  # UTF-8, unescaped
    cells = [json.loads(line) for line in (tmp_path / "cells.jsonl").read_text(encoding="utf-8").splitlines()]
    assert all(isinstance(row["value"], int | float | None) for row in cells)


def test_the_command_exports_and_fails_in_one_line(data_dir: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    done = runner.invoke(export_command, ["--data-dir", str(data_dir), "--format", "jsonl", "--out", str(tmp_path)])
    assert done.exit_code == 0, done.output
    assert sorted(path.name for path in tmp_path.iterdir()) == ["cells.jsonl", "checks.jsonl", "datapackage.json", "reports.jsonl"]
    missing = runner.invoke(export_command, ["--data-dir", str(tmp_path / "none")])
    assert missing.exit_code != 0 and len(missing.output.strip().splitlines()) == 1
