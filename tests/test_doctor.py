"""``xxgk doctor`` and the one list of Debian packages: present, missing, what each missing one
disables; ``xxgk demo`` stops at once naming what it lacks instead of crawling with errors."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner

from crawler import doctor
from crawler.cli import cli

ROOT = Path(__file__).resolve().parent.parent
FAKE = """
[[package]]
name = "xxgk-no-such-package"
probe = "xxgk-no-such-command"
demo = true
disables = "the imaginary converter"

[[package]]
name = "xxgk-other-missing"
probe = "fonts:xx-no-such-language"
disables = "nothing the demo needs"

[[package]]
name = "python3-here"
probe = "sh"
disables = "never shown"
"""


@pytest.fixture
def fake_list(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "system-packages.toml"
    path.write_text(FAKE, encoding="utf-8")
    monkeypatch.setattr(doctor, "dpkg_installed", lambda name: None)  # decide by the probes alone
    monkeypatch.setattr(doctor, "PACKAGES_FILE", path)
    return path


def test_the_makefile_installs_exactly_the_listed_packages() -> None:
    listed = [package["name"] for package in tomllib.loads((ROOT / "crawler" / "system-packages.toml").read_text())["package"]]
    done = subprocess.run([sys.executable, "-m", "crawler.doctor", "--names"], cwd=ROOT, capture_output=True, text=True, check=True)
    assert done.stdout.split() == listed
    if shutil.which("make") is None:
        pytest.skip("no make here")
    # what make itself reads (a dry run of `system`: nothing is installed)
    dry = subprocess.run(["make", "-n", "system"], cwd=ROOT, capture_output=True, text=True, check=True)
    assert f"for p in {' '.join(listed)}; do" in dry.stdout
    makefile = (ROOT / "Makefile").read_text()
    assert not any(name in makefile for name in listed)  # one place: no second copy of a name


def test_every_listed_package_says_what_it_is_for() -> None:
    for package in doctor.system_packages():
        assert package["name"] and package["probe"] and len(package["disables"]) > 10


def test_the_report_says_what_is_present_missing_and_disabled(fake_list: Path) -> None:
    pieces = doctor.debian_pieces(fake_list)
    assert [piece.present for piece in pieces] == [False, False, True]
    text = doctor.report(pieces)
    missing_line = next(line for line in text.splitlines() if "xxgk-no-such-package" in line)
    assert missing_line.startswith("MISSING") and "the imaginary converter" in missing_line and "demo needs it" in missing_line
    assert next(line for line in text.splitlines() if "python3-here" in line).startswith("ok")
    assert "never shown" not in text
    assert doctor.missing_for_demo(pieces) == ["xxgk-no-such-package"]


def test_require_demo_exits_non_zero_naming_the_package(fake_list: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert doctor.main(["--require-demo"]) == 1
    assert "xxgk-no-such-package" in capsys.readouterr().err


def test_the_demo_stops_at_once_naming_what_is_missing(fake_list: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_replica(seed: int) -> None:
        raise AssertionError("the replica must not start when the demo cannot do its job")

    monkeypatch.setattr("crawler.running.replica_proxy", no_replica)
    result = CliRunner().invoke(cli, ["demo", "--data-dir", str(tmp_path)])
    assert result.exit_code == 1 and "xxgk-no-such-package" in result.output
    assert "xxgk-other-missing" not in result.output  # not needed by the demo


def test_xxgk_doctor_lists_python_pieces_too(fake_list: Path) -> None:
    result = CliRunner().invoke(cli, ["doctor"])
    assert result.exit_code == 0 and "pywb" in result.output and "brotli" in result.output
    assert CliRunner().invoke(cli, ["doctor", "--demo"]).exit_code == 1
