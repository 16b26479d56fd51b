"""``with running_redis(tmp_dir) as url:`` — a throwaway redis-server on a free loopback port.

The server comes from the Debian package ``redis-server`` (``make system``); tests skip with a
clear reason when the binary is missing. No persistence: the data lives and dies with the process.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

REDIS_SERVER = "redis-server"
MISSING = "redis-server is not installed (Debian package redis-server: `make system` as root)"


def redis_server_binary() -> str | None:
    return shutil.which(REDIS_SERVER)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def running_redis(directory: Path) -> Iterator[str]:
    """Start redis-server bound to 127.0.0.1 in ``directory``; yield its URL; stop it."""
    binary = redis_server_binary()
    if binary is None:
        raise RuntimeError(MISSING)
    port = free_port()
    directory.mkdir(parents=True, exist_ok=True)
    command = [binary, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no",
               "--dir", str(directory), "--protected-mode", "yes"]
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    try:
        wait_until_listening(port, proc)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def wait_until_listening(port: int, proc: subprocess.Popen[bytes], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"redis-server exited with {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"redis-server did not listen on 127.0.0.1:{port} within {timeout} s")


class RestartableRedis:
    """A redis-server on one fixed loopback port that a test stops and starts again: with
    ``persist`` its data survives a restart (append-only file, fsync'd on every write), without it
    the restarted server is empty."""

    def __init__(self, directory: Path, persist: bool = True) -> None:
        binary = redis_server_binary()
        if binary is None:
            raise RuntimeError(MISSING)
        self.binary, self.directory, self.persist = binary, directory, persist
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None
        directory.mkdir(parents=True, exist_ok=True)

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        persistence = ["--appendonly", "yes", "--appendfsync", "always"] if self.persist else ["--appendonly", "no"]
        command = [self.binary, "--bind", "127.0.0.1", "--port", str(self.port), "--save", "",
                   *persistence, "--dir", str(self.directory), "--protected-mode", "yes"]
        self.proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        wait_until_listening(self.port, self.proc)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()  # SIGTERM: redis finishes the command at hand and closes its clients
            self.proc.wait(timeout=10)
        self.proc = None

    def restart(self, down_seconds: float = 0.0, *, persist: bool | None = None) -> None:
        self.stop()
        if persist is not None and not persist:
            for leftover in self.directory.glob("appendonly*"):
                shutil.rmtree(leftover) if leftover.is_dir() else leftover.unlink()
            self.persist = False
        time.sleep(down_seconds)
        self.start()
