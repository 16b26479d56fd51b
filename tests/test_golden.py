"""``make golden`` rewrites golden files only when asked, prints what changed, and never lets a
ratchet fall silently (tests/golden.py); the derived goldens in the tree match their generator."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests import golden


def figures(hits: int, total: int = 10) -> str:
    return (
        json.dumps({"cells": {"hits": hits, "total": total, "percent": 100 * hits / total}}, indent=1) + "\n"
    )


def test_document_goldens_match_their_generator() -> None:
    stale = {path.name: golden.changed(path, text) for path, text in golden.document_goldens().items()}
    assert {name: diff for name, diff in stale.items() if diff} == {}


def test_nothing_is_written_or_printed_when_nothing_changed(tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    path.write_text("{}\n")
    lines: list[str] = []
    assert golden.regenerate({path: "{}\n"}, out=lines.append) == 0
    assert lines == []


def test_a_change_is_printed_as_a_diff_then_written(tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    path.write_text('{"x": 1}\n')
    lines: list[str] = []
    assert golden.regenerate({path: '{"x": 2}\n', tmp_path / "new.json": "{}\n"}, out=lines.append) == 0
    printed = "\n".join(lines)
    assert '-{"x": 1}' in printed and '+{"x": 2}' in printed and "rewrote" in printed
    assert path.read_text() == '{"x": 2}\n' and (tmp_path / "new.json").read_text() == "{}\n"


def test_check_prints_and_fails_but_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    path.write_text('{"x": 1}\n')
    lines: list[str] = []
    assert golden.regenerate({path: '{"x": 2}\n'}, check=True, out=lines.append) == 1
    assert path.read_text() == '{"x": 1}\n' and '+{"x": 2}' in "\n".join(lines)


@pytest.mark.parametrize(
    ("new", "allow_lower", "written"), [(9, False, True), (7, False, False), (7, True, True)]
)
def test_a_ratchet_rises_freely_and_falls_only_when_allowed(
    tmp_path: Path, new: int, allow_lower: bool, written: bool
) -> None:
    path = tmp_path / "baseline.json"
    path.write_text(figures(8))
    lines: list[str] = []
    status = golden.regenerate(
        {path: figures(new)}, allow_lower=allow_lower, ratchets=frozenset({path}), out=lines.append
    )
    assert (path.read_text() == figures(new)) is written
    assert status == (0 if written else 1)
    assert written or "cells: 8/10 → 7/10" in "\n".join(lines)


def test_a_moved_total_counts_as_a_fall() -> None:
    assert golden.lowered(figures(8), figures(8, total=11)) == ["cells: 8/10 → 8/11"]
    assert golden.lowered(figures(8), figures(9)) == []


def test_unknown_sources_are_refused() -> None:
    with pytest.raises(SystemExit):
        golden.main(["--check", "nothing-of-that-name"])
