"""``xxgk export --format csv|jsonl`` writes a Frictionless data package: it validates with frictionless,
its schemas carry the Datasette column descriptions, and ``--bom`` files still read back cleanly."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import frictionless
import pytest
from click.testing import CliRunner

from crawler.commands.archive import export as export_command
from crawler.datapackage import column_descriptions
from crawler.export import export


def validate(package: Path) -> frictionless.Report:
    report = frictionless.validate(str(package))
    errors = [error.message for task in report.tasks for error in task.errors] + [e.message for e in report.errors]
    assert report.valid, errors[:5]
    return report


@pytest.mark.parametrize(("fmt", "bom"), [("csv", False), ("csv", True), ("jsonl", False)])
def test_the_data_package_validates_with_frictionless(small_archive: Path, tmp_path: Path, fmt: str, bom: bool) -> None:
    written = export(small_archive / "xxgk.db", tmp_path, fmt, bom=bom)
    report = validate(tmp_path / "datapackage.json")
    assert {task.name: task.stats["rows"] for task in report.tasks} == {path.stem: n for path, n in written.items()}


def test_schemas_carry_the_datasette_column_descriptions(small_archive: Path, tmp_path: Path) -> None:
    export(small_archive / "xxgk.db", tmp_path, "csv")
    package = json.loads((tmp_path / "datapackage.json").read_text(encoding="utf-8"))
    described = column_descriptions()
    for resource in package["resources"]:
        fields = {field["name"]: field for field in resource["schema"]["fields"]}
        own = described[resource["name"]]
        assert all(fields[name]["description"] == own[name] for name in fields if name in own)
        if resource["name"] != "reports":  # agency and year come from reports, with its descriptions
            assert fields["agency"]["description"] == described["reports"]["agency"]
    reports = next(r for r in package["resources"] if r["name"] == "reports")
    assert {"id": "integer", "year": "integer", "agency": "string"}.items() <= {
        f["name"]: f["type"] for f in reports["schema"]["fields"]}.items()  # fmt: skip


def test_the_package_names_licence_source_and_crawl_dates(small_archive: Path, tmp_path: Path) -> None:
    export(small_archive / "xxgk.db", tmp_path, "jsonl")
    package = json.loads((tmp_path / "datapackage.json").read_text(encoding="utf-8"))
    assert package["licenses"][0]["name"] == "MIT" and package["sources"][0]["path"].startswith("https://")
    coverage = package["temporalCoverage"]
    assert coverage["start"] <= coverage["end"] and coverage["start"][:2] == "20"


def test_bom_puts_a_byte_order_mark_before_the_header_only(small_archive: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(export_command, ["--data-dir", str(small_archive), "--bom", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    raw = (tmp_path / "reports.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfid,") and raw.count(b"\xef\xbb\xbf") == 1
    with (tmp_path / "reports.csv").open(encoding="utf-8-sig", newline="") as handle:
        assert next(csv.reader(handle))[0] == "id"
    assert "datapackage.json" in result.output


def test_without_bom_files_are_plain_utf8(small_archive: Path, tmp_path: Path) -> None:
    export(small_archive / "xxgk.db", tmp_path, "csv")
    assert (tmp_path / "cells.csv").read_bytes().startswith(b"agency,")
