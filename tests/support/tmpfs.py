"""``with small_filesystem(DIR, "1M") as fs:`` — a size-limited tmpfs mounted at DIR, for full-disk tests.

Needs root and a kernel that lets this process mount (``mount -t tmpfs -o size=…``); tests skip with
the reason when it does not. ``fs.grow(size)`` remounts it bigger: the space an operator frees.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path


class CannotMount(RuntimeError):
    pass


@dataclass
class SmallFilesystem:
    path: Path

    def grow(self, size: str) -> None:
        _mount(["-o", f"remount,size={size}", str(self.path)])


def _mount(args: list[str]) -> None:
    done = subprocess.run(["mount", *args], capture_output=True, text=True, timeout=30)
    if done.returncode != 0:
        raise CannotMount(f"mount {' '.join(args)}: {done.stderr.strip() or done.returncode}")


@contextmanager
def small_filesystem(path: Path, size: str) -> Iterator[SmallFilesystem]:
    path.mkdir(parents=True, exist_ok=True)
    _mount(["-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs", str(path)])
    try:
        yield SmallFilesystem(path)
    finally:
        subprocess.run(["umount", "-l", str(path)], capture_output=True, timeout=30)


def mount_possible(probe: Path) -> str | None:
    """None if a tmpfs can be mounted here, else why not."""
    try:
        with small_filesystem(probe, "64k"):
            return None
    except (CannotMount, OSError) as error:
        return str(error)
