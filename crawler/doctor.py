"""``xxgk doctor``: what the machine has, what it lacks, and what each missing piece disables.

The Debian packages come from crawler/system-packages.toml, the one list the Makefile installs
from; the optional Python pieces (pywb's own virtualenv, brotli/zstandard decoders) are checked
beside them. The Makefile reads the names from the same file (with sed: ``make system`` may run
before any Python 3.11 exists); ``python -m crawler.doctor --names`` prints them too.
"""

from __future__ import annotations

import argparse
import importlib.util
import shutil
import subprocess
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

PACKAGES_FILE = Path(__file__).resolve().parent / "system-packages.toml"


@dataclass(frozen=True, slots=True)
class Piece:
    name: str
    present: bool
    disables: str
    demo: bool = False
    kind: str = "debian"


def system_packages(path: Path | None = None) -> list[dict]:
    return tomllib.loads((path or PACKAGES_FILE).read_text(encoding="utf-8"))["package"]


def dpkg_installed(name: str) -> bool | None:
    """True/False from dpkg; None where there is no dpkg (then the probe decides)."""
    if shutil.which("dpkg-query") is None:
        return None
    done = subprocess.run(["dpkg-query", "-W", "-f=${Status}", name], capture_output=True, text=True)
    return done.returncode == 0 and done.stdout.strip().endswith(" installed")


def probe(spec: str) -> bool:
    if spec.startswith("fonts:"):
        if shutil.which("fc-list") is None:
            return False
        done = subprocess.run(["fc-list", f":lang={spec.removeprefix('fonts:')}", "family"], capture_output=True, text=True)
        return bool(done.stdout.strip())
    return shutil.which(spec) is not None


def debian_pieces(path: Path | None = None) -> list[Piece]:
    pieces = []
    for package in system_packages(path):
        installed = dpkg_installed(package["name"])
        present = probe(package["probe"]) if installed is None else installed and probe(package["probe"])
        pieces.append(Piece(package["name"], present, package["disables"], bool(package.get("demo"))))
    return pieces


def python_pieces() -> list[Piece]:
    from crawler.archive.replay import wayback_executable

    return [
        Piece("pywb (.venv-pywb, make replay-env)", wayback_executable() is not None,
              "xxgk replay and the replay tests (pywb pins redis==2.10.6, so it has a virtualenv of its own)", kind="python"),
        Piece("brotli", importlib.util.find_spec("brotli") is not None,
              "decoding br-encoded responses (reparse, archived copies)", kind="python"),
        Piece("zstandard", importlib.util.find_spec("zstandard") is not None,
              "decoding zstd-encoded responses (rare; Scrapy also needs it to accept zstd)", kind="python"),
    ]  # fmt: skip


def report(pieces: list[Piece]) -> str:
    width = max(len(piece.name) for piece in pieces)
    lines = []
    for piece in pieces:
        mark = "ok     " if piece.present else "MISSING"
        tail = "" if piece.present else f"  → disables {piece.disables}" + ("  [the demo needs it]" if piece.demo else "")
        lines.append(f"{mark} {piece.kind:6} {piece.name:{width}}{tail}".rstrip())
    return "\n".join(lines)


def missing_for_demo(pieces: list[Piece]) -> list[str]:
    return sorted({piece.name for piece in pieces if piece.demo and not piece.present})


def demo_problem() -> str | None:
    """Why the demo cannot do its job here (a one-line reason naming the packages), or None."""
    missing = missing_for_demo(debian_pieces())
    if not missing:
        return None
    return (f"the demo needs Debian packages not installed here: {' '.join(missing)} "
            f"(as root: make system, or apt-get install {' '.join(missing)}; `xxgk doctor` says what each does)")  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m crawler.doctor")
    parser.add_argument("--names", action="store_true", help="print the Debian package names (for the Makefile)")
    parser.add_argument("--require-demo", action="store_true", help="exit 1 naming what the demo lacks")
    args = parser.parse_args(argv)
    if args.names:
        print(" ".join(package["name"] for package in system_packages()))
        return 0
    if args.require_demo:
        problem = demo_problem()
        if problem:
            print(problem, file=sys.stderr)
        return 1 if problem else 0
    print(report(debian_pieces() + python_pieces()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
