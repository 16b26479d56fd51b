"""The CLI contract: commands, help with examples, exit codes with a one-line reason."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from crawler.cli import cli
from crawler.extract.model import ExtractedReport
from crawler.summary import failed_runs

SEEDS = Path(__file__).parent / "fixtures" / "seeds"


@pytest.mark.parametrize("command", ["crawl", "extract", "demo", "serve"])
def test_every_command_has_help_with_an_example(command: str) -> None:
    result = CliRunner().invoke(cli, [command, "--help"])
    assert result.exit_code == 0 and "Example" in result.output


def test_an_unknown_site_fails_with_a_one_line_reason() -> None:
    result = CliRunner().invoke(cli, ["crawl", "nowhere"])
    assert result.exit_code != 0 and "unknown site(s): nowhere" in result.output


@pytest.mark.parametrize("site", ["http://www.example.gov.cn/", "guyuan"])
def test_distributed_fetches_no_start_page_before_redis_answers(site: str) -> None:
    """A start URL, or a profile with ``platform = "auto"``: the seeder resolves its platform on the start
    page (crawler/distributed/resolve.py), but only once Redis answers — here it does not."""
    result = CliRunner().invoke(cli, ["crawl", site, "--distributed", "--redis", "redis://127.0.0.1:9/0"])
    assert result.exit_code != 0
    assert "cannot reach Redis" in result.output and "platform" not in result.output


@pytest.mark.parametrize(("flag", "setting"), [("--full", "XXGK_INCREMENTAL=False"), ("--lists", "XXGK_LIST_DAYS=1")])
def test_distributed_refuses_the_flags_only_workers_can_honour(flag: str, setting: str) -> None:
    """What to fetch again is each worker's own setting: a flag given to the seeder would be ignored."""
    result = CliRunner().invoke(cli, ["crawl", "wendeng", "--distributed", "--redis", "redis://127.0.0.1:9/0", flag])
    assert result.exit_code != 0
    assert f"{flag} does not reach the workers" in result.output and setting in result.output


def test_extract_json_has_exactly_the_contract_keys() -> None:
    result = CliRunner().invoke(cli, ["extract", str(SEEDS / "001_19cc13ecf0eb244d.txt"), "--json"])
    assert list(json.loads(result.output)) == ["file", *ExtractedReport.JSON_KEYS]


def test_extract_json_of_one_file_is_one_line_like_many() -> None:
    path = str(SEEDS / "001_19cc13ecf0eb244d.txt")
    result = CliRunner().invoke(cli, ["extract", path, "--json"])
    assert len(result.output.splitlines()) == 1 and json.loads(result.output)["file"] == path


def test_extract_json_pretty_is_indented_and_the_same_object() -> None:
    path = str(SEEDS / "001_19cc13ecf0eb244d.txt")
    plain = CliRunner().invoke(cli, ["extract", path, "--json"]).output
    pretty = CliRunner().invoke(cli, ["extract", path, "--json", "--pretty"]).output
    assert len(pretty.splitlines()) > 1 and json.loads(pretty) == json.loads(plain)


def test_extract_json_of_several_files_is_one_object_per_line_naming_its_file() -> None:
    files = sorted(str(path) for path in SEEDS.glob("*.txt"))
    result = CliRunner().invoke(cli, ["extract", *files, "--json"])
    assert [json.loads(line)["file"] for line in result.output.splitlines()] == files


def test_extract_summary_lays_out_the_tables() -> None:
    result = CliRunner().invoke(cli, ["extract", str(SEEDS / "003_a21b5f66e49fb0b9.txt")])
    assert "三、收到和处理政府信息公开申请情况" in result.output and "sec3.identity" in result.output


@pytest.mark.parametrize(
    ("summary", "reason"),
    [
        ({"spider": "hy", "finish_reason": "layout_changed", "report_pages": 3}, "hy: ended with 'layout_changed'"),
        ({"spider": "hy", "finish_reason": "finished", "report_pages": 0}, "hy: found no report"),
    ],
)
def test_a_bad_or_empty_run_is_a_failure(summary: dict, reason: str) -> None:
    assert failed_runs([summary]) == [reason]


def test_a_good_run_is_not_a_failure() -> None:
    assert failed_runs([{"spider": "hy", "finish_reason": "finished", "report_pages": 12}]) == []
