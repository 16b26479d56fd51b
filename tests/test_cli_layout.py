"""How the CLI is put together (issue 16, item 3): the group in crawler/cli.py, its commands in
crawler/commands/, their shared options in crawler/options.py and the crawl-running code in
crawler/running.py, imported one way only; one ``--data-dir`` everywhere, read from
``XXGK_DATA_DIR`` too; help with an example for every command."""

from __future__ import annotations

import ast
import subprocess
import sys
import tomllib
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from crawler.cli import cli
from crawler.commands.distributed import worker_failures
from crawler.extract.documents.sniff import source_kind
from crawler.running import parse_overrides, spider_arguments

ROOT = Path(__file__).resolve().parent.parent
CLI_MODULES = ("crawler.cli", "crawler.commands")


def imports_of(path: Path) -> list[tuple[int, str]]:
    """(line, module) of every absolute import in a file, wherever it stands (functions too)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
    return found


def is_cli(module: str) -> bool:
    return any(module == name or module.startswith(name + ".") for name in CLI_MODULES)


def library_sources() -> list[Path]:
    files = sorted((ROOT / "crawler").rglob("*.py")) + sorted((ROOT / "pipelines").rglob("*.py"))
    entry_points = ("cli.py", "__main__.py")  # the group, and crawler/__main__.py that runs it
    return [path for path in files if path.parent.name != "commands"
            and not (path.parent.name == "crawler" and path.name in entry_points)]


@pytest.mark.parametrize("path", library_sources(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_library_module_imports_the_command_line(path: Path) -> None:
    assert [(line, module) for line, module in imports_of(path) if is_cli(module)] == []


@pytest.mark.parametrize("path", sorted((ROOT / "crawler" / "commands").glob("*.py")), ids=lambda p: p.name)
def test_commands_never_reach_back_up_into_the_group(path: Path) -> None:
    assert [(line, module) for line, module in imports_of(path) if module == "crawler.cli"] == []


@pytest.mark.parametrize(
    "path", [ROOT / "crawler" / "cli.py", *sorted((ROOT / "crawler" / "commands").glob("*.py"))], ids=lambda p: p.name
)
def test_module_level_imports_come_before_any_code(path: Path) -> None:
    body = ast.parse(path.read_text(encoding="utf-8")).body
    kinds = [isinstance(node, ast.Import | ast.ImportFrom) for node in body
             if not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant))]  # the docstring
    first_code = kinds.index(False) if False in kinds else len(kinds)
    assert not any(kinds[first_code:]), f"{path.name}: an import below code (a circle being dodged?)"


@pytest.mark.parametrize("name", sorted(cli.commands))
def test_every_command_has_help_with_an_example(name: str) -> None:
    result = CliRunner().invoke(cli, [name, "--help"])
    assert result.exit_code == 0 and "Example" in result.output


def data_dir_options() -> list[tuple[str, click.Option]]:
    return [(name, param) for name, command in sorted(cli.commands.items()) for param in command.params
            if isinstance(param, click.Option) and "--data-dir" in param.opts]


def test_the_commands_that_take_a_data_dir_are_the_expected_ones() -> None:
    """A command losing its --data-dir (or a new one without the shared option) is seen here."""
    assert {name for name, _ in data_dir_options()} >= {"crawl", "demo", "serve", "reparse", "export", "replay",
                                                         "worker", "drain", "status", "similar", "sites"}


@pytest.mark.parametrize("name, option", data_dir_options(), ids=lambda v: v if isinstance(v, str) else "")
def test_every_data_dir_is_the_shared_option(name: str, option: click.Option) -> None:
    assert option.envvar == "XXGK_DATA_DIR" and option.show_envvar and option.default == "data"
    assert "XXGK_DATA_DIR" in CliRunner().invoke(cli, [name, "--help"]).output


def test_the_data_dir_is_read_from_the_environment(tmp_path: Path) -> None:
    where = tmp_path / "elsewhere"
    result = CliRunner().invoke(cli, ["status"], env={"XXGK_DATA_DIR": str(where)})
    assert result.exit_code == 1 and f"{where / 'xxgk.db'} does not exist" in result.output
    flag = CliRunner().invoke(cli, ["status", "--data-dir", str(tmp_path)], env={"XXGK_DATA_DIR": str(where)})
    assert str(tmp_path / "xxgk.db") in flag.output and str(where) not in flag.output  # the flag wins


def test_a_setting_without_equals_is_a_one_line_refusal() -> None:
    result = CliRunner().invoke(cli, ["crawl", "wendeng", "-s", "DOWNLOAD_DELAY"])
    assert result.exit_code == 1 and "-s takes KEY=VALUE, got 'DOWNLOAD_DELAY'" in result.output


def test_setting_values_are_json_when_they_parse() -> None:
    parsed = parse_overrides(["A=1", "B=false", "C=text", "D={\"x\": [1]}", "E=a=b"])
    assert parsed == {"A": 1, "B": False, "C": "text", "D": {"x": [1]}, "E": "a=b"}
    with pytest.raises(ValueError, match="KEY=VALUE"):
        parse_overrides(["nothing"])


def test_spider_arguments_force_a_platform_on_urls_only() -> None:
    assert spider_arguments("wendeng", 2023, "trs") == {"year": "2023"}
    assert spider_arguments("http://www.example.gov.cn/", None, "trs") == {"platform": "trs"}
    assert spider_arguments("hy", None) == {}


def test_a_worker_fails_naming_each_unfinished_spider_and_a_lost_state() -> None:
    finished = {"spider": "hy", "finish_reason": "finished"}
    lost = {"spider": "wendeng", "finish_reason": "redis_state_lost"}
    assert worker_failures([finished]) == []
    [spider, state] = worker_failures([finished, lost])
    assert spider == "wendeng: ended with 'redis_state_lost'" and "seed it again" in state


@pytest.mark.parametrize("name, kind", [
    ("report.html", "html"), ("a/b/Report.HTM", "html"), ("x.shtml", "html"), ("x.xhtml", "html"),
    ("notes.txt", "text"), ("notes.md", "text"), ("附件1.pdf", None), ("tables.png", None), ("noextension", None),
    (".html", None),  # a dot-file's name is no extension, as for pathlib
])
def test_source_kind_names_pages_and_text_and_leaves_documents_to_sniffing(name: str, kind: str | None) -> None:
    assert source_kind(name) == kind and source_kind(Path(name)) == kind


def test_the_entry_point_loads_no_command_until_it_runs() -> None:
    """The console script imports its entry module at its top, and each extraction worker re-imports
    the parent's main script (crawler/__main__.py): that import must stay free of Scrapy and the
    commands, or every worker of `xxgk crawl` pays for loading them."""
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["scripts"]
    assert scripts["xxgk"] == "crawler.__main__:main"
    probe = "import sys, crawler.__main__; print(sorted(m for m in ('scrapy', 'twisted', 'crawler.cli') if m in sys.modules))"
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=ROOT)
    assert loaded.stdout.strip() == "[]"
    runs = subprocess.run([sys.executable, "-m", "crawler", "--help"], capture_output=True, text=True, cwd=ROOT)
    assert runs.returncode == 0 and "xxgk crawl" in runs.stdout
