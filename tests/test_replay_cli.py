"""``xxgk replay`` fails in one line when it cannot serve: no archive, or no pywb (and says how to get it)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from crawler.archive import replay
from crawler.cli import cli


def test_no_archive_is_a_one_line_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["replay", "--data-dir", str(tmp_path)])
    assert result.exit_code == 1 and "no WARC files" in result.output


def test_no_pywb_names_the_make_target(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "warc").mkdir()
    (tmp_path / "warc" / "xxgk-t-20250101000000-00000-w.warc.gz").write_bytes(b"")
    monkeypatch.setattr(replay, "wayback_executable", lambda: None)
    result = CliRunner().invoke(cli, ["replay", "--data-dir", str(tmp_path)])
    assert result.exit_code == 1 and "make replay-env" in result.output
    assert not (tmp_path / "replay").exists()  # nothing built for a server that cannot start


def test_the_pywb_executable_can_be_named_by_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = tmp_path / "wayback"
    fake.write_text("#!/bin/sh\n")
    fake.chmod(0o755)
    monkeypatch.setenv(replay.PYWB_ENV_VAR, str(fake))
    assert replay.wayback_executable() == fake
    command = replay.wayback_command(Path("relative/root"), 8123)
    assert command[0] == str(fake) and Path(command[command.index("-d") + 1]).is_absolute()
    assert command[command.index("-b") + 1] == "127.0.0.1"


def test_replay_urls_address_a_capture_or_its_raw_payload() -> None:
    url = "http://www.hy.gov.cn/a.html"
    assert replay.replay_url("http://127.0.0.1:8080/", "20250101000000", url) == f"http://127.0.0.1:8080/xxgk/20250101000000/{url}"
    assert replay.replay_url("http://h", "20250101000000", url, raw=True) == f"http://h/xxgk/20250101000000id_/{url}"
