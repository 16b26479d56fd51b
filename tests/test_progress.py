"""Progress on long commands: a bar (or a live count) on a terminal's stderr, nothing at all in a pipe,
and the commands' results on stdout unchanged either way."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from click.testing import CliRunner

from crawler.commands.archive import export as export_command
from crawler.commands.archive import reparse as reparse_command
from crawler.export import export, total_rows
from crawler.progress import on_terminal, progress
from tests.support.redis_server import MISSING, redis_server_binary, running_redis
from tests.support.small_archive import build_small_archive


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data_dir = tmp_path_factory.mktemp("progress") / "data"
    build_small_archive(data_dir, reports=3)
    return data_dir


def test_a_pipe_gets_nothing() -> None:
    pipe = io.StringIO()
    with progress(10, "working", stream=pipe) as bar:
        bar.update(10)
    with progress(None, "drained", stream=pipe) as bar:
        bar.update(3)
    assert pipe.getvalue() == "" and not on_terminal(pipe)


def test_a_terminal_gets_a_bar_with_the_count() -> None:
    terminal = Terminal()
    with progress(4, "exporting", stream=terminal) as bar:
        for _ in range(4):
            bar.update(1)
    assert "exporting" in terminal.getvalue() and "4/4" in terminal.getvalue()


def test_work_without_a_total_gets_a_live_count() -> None:
    terminal = Terminal()
    with progress(None, "drained", stream=terminal) as bar:
        bar.update(1)
        bar.update(2)
    assert terminal.getvalue() == "\rdrained: 1\rdrained: 3\n"


def test_export_ticks_once_per_row_written(data_dir: Path, tmp_path: Path) -> None:
    ticks: list[int] = []
    written = export(data_dir / "xxgk.db", tmp_path, "csv", tick=ticks.append)
    assert sum(ticks) == sum(written.values()) == total_rows(data_dir / "xxgk.db")


def test_reparse_and_export_print_only_their_results_in_a_pipe(data_dir: Path, tmp_path: Path) -> None:
    reparsed = CliRunner().invoke(reparse_command, ["--data-dir", str(data_dir), "--workers", "0"])
    assert reparsed.exit_code == 0, reparsed.output
    assert reparsed.output.count("\n") == 1 and "archived responses" in reparsed.output
    exported = CliRunner().invoke(export_command, ["--data-dir", str(data_dir), "--out", str(tmp_path)])
    assert exported.exit_code == 0 and "exporting" not in exported.output and "\r" not in exported.output


@pytest.mark.skipif(redis_server_binary() is None, reason=MISSING)
def test_the_drainer_ticks_once_per_message(tmp_path: Path) -> None:
    from crawler.distributed.drain import Drainer
    from crawler.distributed.state import Keys
    from pipelines.push import envelope
    from tests.support.distributed import database, document

    with running_redis(tmp_path / "redis") as url:
        server, keys = database(url), Keys("p")
        for n in range(3):
            server.lpush(keys.items, envelope(document(f"http://a/{n}.html"), "w0"))
        server.lpush(keys.items, b"not ours")  # rejected, but drained all the same
        ticks: list[int] = []
        with Drainer(server, keys, tmp_path, tick=ticks.append) as drainer:
            drainer.run(until_complete=False, poll_seconds=0.05)
    assert sum(ticks) == 4
