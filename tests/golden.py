"""``make golden`` (``python -m tests.golden``): rewrite the golden files derived from something else,
deliberately, and print what changed. Tests only ever compare against these files.

Derived, and rewritten here:

* ``tests/golden/documents/NAME.json``: the printed cells of each document fixture, from the tables
  the fixture was rendered from (tests/support/render_documents.py), never from extraction. (The
  fixtures themselves are rebuilt with ``python -m tests.support.render_documents``: that needs
  LibreOffice and changes binary files.)
* ``tests/realworld/baseline.json``: the real-world evaluation's figures, a ratchet
  (tests/test_realworld_eval.py): a field that falls is refused unless ``--allow-lower`` says so.

Hand-written, never rewritten: ``tests/golden/seeds/*`` and the truth files of tests/realworld/,
read off the reports by a person.

``--check`` prints the changes and exits 1 if there are any, writing nothing.
"""

from __future__ import annotations

import argparse
import difflib
import json
import sys
from collections.abc import Callable
from pathlib import Path

TESTS = Path(__file__).resolve().parent
BASELINE = TESTS / "realworld" / "baseline.json"
DOCUMENTS = TESTS / "golden" / "documents"


def document_goldens() -> dict[Path, str]:
    from tests.support.render_documents import FIXTURES, golden_text

    return {DOCUMENTS / f"{name}.json": golden_text(name) for name in FIXTURES}


def baseline_golden() -> dict[Path, str]:
    from tests.realworld.evaluate import evaluate

    return {BASELINE: json.dumps(evaluate().figures(), indent=1) + "\n"}


SOURCES: dict[str, Callable[[], dict[Path, str]]] = {
    "documents": document_goldens,
    "baseline": baseline_golden,
}


def changed(path: Path, text: str) -> list[str]:
    """The unified diff from the committed file to ``text`` (empty when they are equal)."""
    old = path.read_text(encoding="utf-8") if path.exists() else ""
    name = path.relative_to(TESTS.parent).as_posix() if path.is_relative_to(TESTS.parent) else str(path)
    return list(
        difflib.unified_diff(
            old.splitlines(keepends=True), text.splitlines(keepends=True), f"a/{name}", f"b/{name}"
        )
    )


def lowered(old_text: str, new_text: str) -> list[str]:
    """The ratchet's fields whose hits fell (or whose scored total moved) between two baselines."""
    old, new = json.loads(old_text or "{}"), json.loads(new_text)
    return [
        f"{name}: {old[name]['hits']}/{old[name]['total']} → {new[name]['hits']}/{new[name]['total']}"
        for name in sorted(old.keys() & new.keys())
        if new[name]["hits"] < old[name]["hits"] or new[name]["total"] != old[name]["total"]
    ]


def regenerate(
    goldens: dict[Path, str],
    *,
    check: bool = False,
    allow_lower: bool = False,
    ratchets: frozenset[Path] = frozenset({BASELINE}),
    out: Callable[[str], None] = print,
) -> int:
    """Print every change, then write it (unless ``check``); a ratchet that would fall is not
    written without ``allow_lower``. Returns the exit status."""
    status = 0
    for path, text in sorted(goldens.items()):
        diff = changed(path, text)
        if not diff:
            continue
        out("".join(diff).rstrip("\n"))
        fallen = lowered(path.read_text(encoding="utf-8"), text) if path in ratchets and path.exists() else []
        if fallen and not allow_lower:
            out(f"refused, the baseline would fall ({'; '.join(fallen)}): --allow-lower to mean it")
            status = 1
        elif check:
            status = 1
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            out(f"rewrote {path}")
    if status == 0 and check:
        out("golden files up to date")
    return status


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="print what would change, write nothing")
    parser.add_argument("--allow-lower", action="store_true", help="let the real-world baseline fall")
    parser.add_argument("only", nargs="*", help=f"regenerate only these of {', '.join(SOURCES)}")
    args = parser.parse_args(argv)
    if unknown := set(args.only) - SOURCES.keys():
        parser.error(f"no golden files called {', '.join(sorted(unknown))}")
    goldens: dict[Path, str] = {}
    for name in args.only or SOURCES:
        goldens.update(SOURCES[name]())
    return regenerate(goldens, check=args.check, allow_lower=args.allow_lower)


if __name__ == "__main__":
    sys.exit(main())
