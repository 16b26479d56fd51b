"""Replay the archive with pywb (``xxgk replay``): a report URL opens as archived, links rewritten.

pywb pins old versions of libraries the crawler needs newer (``redis==2.10.6`` against
scrapy-redis), so it lives in a virtualenv of its own (``make replay-env`` → ``.venv-pywb``) and
runs as a subprocess; nothing here imports it. The collection is a folder pywb finds by convention:
``ROOT/collections/xxgk/archive/`` holds links to the WARC files (never copies) and
``ROOT/collections/xxgk/indexes/index.cdxj`` the merge of the per-file indexes in CDXJ order, which
pywb binary-searches.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from crawler.archive.cdxj import sorted_lines, warc_files

COLLECTION = "xxgk"
DEFAULT_PORT = 8080
PYWB_ENV_VAR = "XXGK_PYWB"  # path of pywb's ``wayback`` executable, when not in .venv-pywb
CHECKOUT = Path(__file__).resolve().parents[2]


class ReplayError(RuntimeError):
    """pywb is not installed, or did not start."""


def wayback_executable() -> Path | None:
    """pywb's server: $XXGK_PYWB, else the checkout's .venv-pywb, else ``wayback`` on PATH."""
    candidates = [os.environ.get(PYWB_ENV_VAR), str(CHECKOUT / ".venv-pywb" / "bin" / "wayback"), shutil.which("wayback")]
    for candidate in candidates:
        if candidate and os.access(candidate, os.X_OK):
            return Path(candidate)
    return None


def build_collection(warc_dir: Path, root: Path) -> Path:
    """(Re)build the pywb collection for ``warc_dir`` under ``root``; return the collection folder."""
    collection = root.resolve() / "collections" / COLLECTION
    archive, indexes = collection / "archive", collection / "indexes"
    for folder in (archive, indexes):
        folder.mkdir(parents=True, exist_ok=True)
    wanted = {path.name: path.resolve() for path in warc_files(warc_dir)}
    for link in archive.iterdir():
        if link.name not in wanted:
            link.unlink()
    for name, target in wanted.items():
        link = archive / name
        if not link.is_symlink():
            link.symlink_to(target)
    config = root.resolve() / "config.yaml"
    if not config.exists():  # pywb warns without one; its defaults are what we want
        config.write_text("# pywb settings for `xxgk replay` (pywb's defaults otherwise)\nframed_replay: true\n")
    temporary = indexes / "index.cdxj.building"
    with temporary.open("w", encoding="utf-8") as out:
        out.writelines(sorted_lines(warc_dir))
    temporary.replace(indexes / "index.cdxj")
    return collection


def wayback_command(root: Path, port: int, host: str = "127.0.0.1") -> list[str]:
    executable = wayback_executable()
    if executable is None:
        raise ReplayError(
            "pywb is not installed: run `make replay-env` (it creates .venv-pywb), "
            f"or set {PYWB_ENV_VAR} to pywb's `wayback` executable"
        )
    # absolute: pywb is started with its working directory elsewhere (the collection root itself)
    return [str(executable), "-d", str(root.resolve()), "-b", host, "-p", str(port), "-t", "4"]


def replay_url(base: str, timestamp: str, url: str, *, raw: bool = False) -> str:
    """pywb's address of ``url`` captured at ``timestamp`` (14 digits); ``raw``: the payload unrewritten."""
    return f"{base.rstrip('/')}/{COLLECTION}/{timestamp}{'id_' if raw else ''}/{url}"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for(port: int, process: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ReplayError(f"pywb exited with status {process.returncode}")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise ReplayError(f"pywb did not listen on 127.0.0.1:{port} within {timeout:.0f} s")


@contextmanager
def running_replay(warc_dir: Path, root: Path, port: int | None = None, *, timeout: float = 60) -> Iterator[str]:
    """Start pywb over ``warc_dir`` on loopback (tests, screenshots); yield its base URL; stop it."""
    build_collection(warc_dir, root)
    with serving(root, port, timeout=timeout) as base:
        yield base


def add_wacz(root: Path, wacz: Path) -> None:
    """Unpack a WACZ into a fresh pywb collection under ``root`` (pywb's own ``wb-manager``)."""
    executable = wayback_executable()
    if executable is None:
        raise ReplayError("pywb is not installed: run `make replay-env`")
    manager = str(executable.with_name("wb-manager"))
    root.mkdir(parents=True, exist_ok=True)
    for step in (["init", COLLECTION], ["add", "--unpack-wacz", COLLECTION, str(wacz.resolve())]):
        done = subprocess.run([manager, *step], cwd=root, capture_output=True, text=True, timeout=300)
        if done.returncode != 0:
            raise ReplayError(f"wb-manager {step[0]}: {' '.join(done.stderr.split()[-20:])}")


@contextmanager
def serving(root: Path, port: int | None = None, *, timeout: float = 60) -> Iterator[str]:
    """Run pywb over the collections under ``root`` on loopback; yield its base URL; stop it."""
    port = port or free_port()
    process = subprocess.Popen(wayback_command(root, port), cwd=root,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        _wait_for(port, process, timeout)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
