"""The scheduling recipes in deploy/: systemd units, the cron file and a Scrapyd deployment, each run
against the replica.

The recipes run as written; only the install paths (/srv/xxgk …) are mapped to this checkout and a
temp data directory, and ``XXGK_FAST=1`` (the ``--fast`` flag's environment variable) drops the
politeness delays, which are for real servers, not the loopback replica.
"""

from __future__ import annotations

import configparser
import json
import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from crawler.db import open_db
from crawler.sites.catalog import known_profiles
from tests.replica.fixture import Replica, running_replica

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
BIN = Path(sys.executable).parent
INSTALL = "/srv/xxgk"


def replica_env(replica: Replica, **extra: str) -> dict[str, str]:
    """The environment of a scheduled run: only the replica as proxy, no politeness delays."""
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    return env | {"http_proxy": replica.proxy_url, "XXGK_FAST": "1", "PYTHONUNBUFFERED": "1", **extra}


def runs(data_dir: Path) -> list[dict[str, Any]]:
    db = open_db(data_dir / "xxgk.db")
    try:
        return list(db.query("SELECT spider, status, new_reports FROM crawl_runs ORDER BY spider"))
    finally:
        db.close()


# --- systemd ---------------------------------------------------------------------------------------


def unit(name: str) -> configparser.ConfigParser:
    # systemd allows repeated keys (OnCalendar=): keep the last, read the repeats with unit_values
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(DEPLOY / "systemd" / name, encoding="utf-8")
    return parser


def unit_values(name: str, key: str) -> list[str]:
    text = (DEPLOY / "systemd" / name).read_text(encoding="utf-8")
    return [match.group(1).strip() for match in re.finditer(rf"^{key}=(.*)$", text, re.M)]


def exec_start_argv(service: str, data_dir: Path, environment: dict[str, str]) -> list[str]:
    """ExecStart as systemd runs it: ``$VAR`` expands to words, ``${VAR}`` to one; install paths mapped."""
    words = []
    for word in shlex.split(unit(service)["Service"]["ExecStart"]):
        if word.startswith("$") and not word.startswith("${"):
            words += environment.get(word[1:], "").split()
            continue
        word = re.sub(r"\$\{(\w+)\}", lambda m: environment.get(m.group(1), ""), word)
        words.append(word.replace(f"{INSTALL}/.venv/bin/", f"{BIN}/").replace(f"{INSTALL}/data", str(data_dir)))
    return words


def service_environment(service: str) -> dict[str, str]:
    pairs = [pair.split("=", 1) for value in unit_values(service, "Environment") for pair in shlex.split(value)]
    return {key: value for key, value in pairs}


SYSTEMD_ANALYZE = shutil.which("systemd-analyze")


@pytest.mark.skipif(SYSTEMD_ANALYZE is None, reason="systemd-analyze is not installed")
def test_systemd_units_verify(tmp_path: Path) -> None:
    for path in (DEPLOY / "systemd").iterdir():
        text = path.read_text(encoding="utf-8").replace(f"{INSTALL}/.venv/bin/", f"{BIN}/")
        # the xxgk user exists only on the server: verify checks the rest
        (tmp_path / path.name).write_text(re.sub(r"^(User|Group)=.*$", r"\1=root", text, flags=re.M))
    names = sorted(str(path) for path in tmp_path.iterdir())
    result = subprocess.run([SYSTEMD_ANALYZE, "verify", *names], capture_output=True, text=True, cwd=tmp_path)
    assert (result.returncode, result.stderr) == (0, "")


@pytest.mark.skipif(SYSTEMD_ANALYZE is None, reason="systemd-analyze is not installed")
@pytest.mark.parametrize("timer", ["xxgk-crawl.timer", "xxgk-crawl-full.timer"])
def test_systemd_timer_calendars_parse(timer: str) -> None:
    calendars = unit_values(timer, "OnCalendar")
    result = subprocess.run([SYSTEMD_ANALYZE, "calendar", *calendars], capture_output=True, text=True)
    assert calendars and result.returncode == 0, result.stderr


def test_each_timer_starts_its_service() -> None:
    pairs = {timer: unit(timer)["Timer"]["Unit"] for timer in ("xxgk-crawl.timer", "xxgk-crawl-full.timer")}
    assert pairs == {"xxgk-crawl.timer": "xxgk-crawl.service", "xxgk-crawl-full.timer": "xxgk-crawl-full.service"}
    assert all((DEPLOY / "systemd" / service).exists() for service in pairs.values())


def test_the_full_service_only_adds_full() -> None:
    daily, monthly = (unit(name)["Service"]["ExecStart"] for name in ("xxgk-crawl.service", "xxgk-crawl-full.service"))
    assert monthly.replace(" --full", "") == daily


@pytest.mark.e2e
def test_the_systemd_service_command_crawls_the_replica(tmp_path: Path) -> None:
    with running_replica(seed=0) as replica:
        argv = exec_start_argv("xxgk-crawl.service", tmp_path, service_environment("xxgk-crawl.service"))
        result = subprocess.run(argv, cwd=ROOT, env=replica_env(replica), capture_output=True, text=True,
                                timeout=600)
    assert argv[:3] == [f"{BIN}/xxgk", "crawl", "--all"]
    assert result.returncode == 0, result.stderr[-2000:]
    assert [(r["spider"], r["status"]) for r in runs(tmp_path)] == [("hy", "ok"), ("wendeng", "ok")]


# --- cron ------------------------------------------------------------------------------------------


def cron_jobs() -> list[tuple[list[str], str, str]]:
    """(five time fields, user, command) of each job line of deploy/cron/xxgk.cron."""
    jobs = []
    for line in (DEPLOY / "cron" / "xxgk.cron").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#") or re.match(r"^\w+=", line):
            continue
        fields = line.split(None, 6)
        jobs.append((fields[:5], fields[5], fields[6]))
    return jobs


def cron_variables() -> dict[str, str]:
    text = (DEPLOY / "cron" / "xxgk.cron").read_text(encoding="utf-8")
    return dict(re.findall(r"^(\w+)=(.*)$", text, re.M))


def test_cron_lines_have_five_time_fields_a_user_and_an_xxgk_crawl() -> None:
    jobs = cron_jobs()
    assert len(jobs) == 3
    for fields, user, command in jobs:
        assert all(re.fullmatch(r"[\d*,/-]+", field) for field in fields), fields
        assert user == "xxgk" and ".venv/bin/xxgk crawl --all" in command
        assert "%" not in command.replace("\\%", ""), "cron turns a bare % into a newline"


@pytest.mark.e2e
def test_the_cron_command_crawls_the_replica(tmp_path: Path) -> None:
    home = tmp_path / "xxgk"
    (home / ".venv" / "bin").mkdir(parents=True)
    (home / ".venv" / "bin" / "xxgk").symlink_to(BIN / "xxgk")
    (home / "data").mkdir()
    _, _, command = cron_jobs()[0]
    shell = cron_variables()["SHELL"]
    with running_replica(seed=0) as replica:
        result = subprocess.run([shell, "-c", command], env=replica_env(replica, XXGK_HOME=str(home)),
                                capture_output=True, text=True, timeout=600)
    log = (home / "data" / "crawl.log").read_text(encoding="utf-8")
    assert result.returncode == 0, log[-2000:]
    assert [(r["spider"], r["status"]) for r in runs(home / "data")] == [("hy", "ok"), ("wendeng", "ok")]
    assert "wendeng: finished" in log


# --- Scrapyd ---------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def api(base: str, endpoint: str, data: list[tuple[str, str]] | None = None) -> dict[str, Any]:
    """Call the Scrapyd JSON API directly (never through a proxy)."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    with opener.open(f"{base}/{endpoint}", data=body, timeout=10) as response:
        return json.loads(response.read())


def scrapyd_config(tmp: Path, port: int) -> Path:
    """deploy/scrapyd/scrapyd.conf with a free port, temp directories and quick polling."""
    config = configparser.ConfigParser(interpolation=None)
    config.read(DEPLOY / "scrapyd" / "scrapyd.conf", encoding="utf-8")
    section = config["scrapyd"]
    assert section["bind_address"] == "127.0.0.1"
    section["http_port"] = str(port)
    section["poll_interval"] = "0.2"
    for name in ("eggs_dir", "dbs_dir", "logs_dir"):
        section[name] = str(tmp / name)
    path = tmp / "scrapyd.conf"
    with path.open("w", encoding="utf-8") as out:
        config.write(out)
    return path


def project_copy(tmp: Path, url: str) -> Path:
    """What scrapyd-deploy packs, in a temp folder (it writes build files where it runs)."""
    copy = tmp / "project"
    copy.mkdir()
    for name in ("crawler", "pipelines"):
        shutil.copytree(ROOT / name, copy / name, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "setup.py", "README.md"):
        shutil.copy(ROOT / name, copy / name)
    cfg = configparser.ConfigParser(interpolation=None)
    cfg.read(ROOT / "scrapy.cfg", encoding="utf-8")
    cfg["deploy"]["url"] = url + "/"
    with (copy / "scrapy.cfg").open("w", encoding="utf-8") as out:
        cfg.write(out)
    return copy


@pytest.fixture
def scrapyd(tmp_path: Path) -> Iterator[tuple[str, Replica]]:
    port = free_port()
    scrapyd_config(tmp_path, port)
    with running_replica(seed=0) as replica:
        env = replica_env(replica, HOME=str(tmp_path))  # no ~/.scrapyd.conf of the user's
        env.pop("XXGK_FAST")  # Scrapyd passes settings per job (schedule.json setting=…)
        log = (tmp_path / "scrapyd.log").open("w")
        process = subprocess.Popen([str(BIN / "scrapyd"), "--nodaemon", "--pidfile="], cwd=tmp_path, env=env,
                                   stdout=log, stderr=subprocess.STDOUT)
        base = f"http://127.0.0.1:{port}"
        try:
            wait_for(lambda: api(base, "daemonstatus.json")["status"] == "ok", 30, "Scrapyd to start")
            yield base, replica
        finally:
            process.terminate()
            process.wait(timeout=10)
            log.close()


def wait_for(condition: Any, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if condition():
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.mark.e2e
def test_scrapyd_runs_a_deployed_crawl_and_the_database_fills(
    scrapyd: tuple[str, Replica], tmp_path: Path
) -> None:
    base, _replica = scrapyd
    copy = project_copy(tmp_path, base)
    deployed = subprocess.run([str(BIN / "scrapyd-deploy"), "--version", "r1"], cwd=copy, capture_output=True,
                              text=True, timeout=300, env={k: v for k, v in os.environ.items() if "proxy" not in k.lower()})
    assert deployed.returncode == 0, deployed.stderr[-2000:]
    # every shipped profile is a spider inside the egg too (its crawler/sites/ is a zipped resource there)
    spiders = api(base, "listspiders.json?project=xxgk")["spiders"]
    assert spiders == sorted(profile.name for profile in known_profiles()) and {"hy", "wendeng"} <= set(spiders)

    data_dir = tmp_path / "data"
    settings = {"XXGK_DATA_DIR": str(data_dir), "DOWNLOAD_DELAY": "0", "AUTOTHROTTLE_ENABLED": "False",
                "CONCURRENT_REQUESTS_PER_DOMAIN": "16"}
    job = api(base, "schedule.json", [("project", "xxgk"), ("spider", "wendeng"), ("year", "2023"),
                                      *(("setting", f"{key}={value}") for key, value in settings.items())])
    assert job["status"] == "ok", job

    def finished() -> bool:
        return any(done["id"] == job["jobid"] for done in api(base, "listjobs.json?project=xxgk")["finished"])

    wait_for(finished, 180, "the Scrapyd job to finish")
    db = open_db(data_dir / "xxgk.db")
    try:
        years = {row["year"] for row in db.query("SELECT year FROM reports")}
        [run] = db.query("SELECT spider, year, status, new_reports FROM crawl_runs")
    finally:
        db.close()
    assert years == {2023}
    assert (run["spider"], run["year"], run["status"], run["new_reports"] > 0) == ("wendeng", 2023, "ok", True)
