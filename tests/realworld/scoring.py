"""Scoring of extracted table cells against hand-read truth keyed by printed labels.

The truth files (README "Truth format") key cells by the source's own labels: section 二 by block /
row / column label, section 三 by row label × the 7 fixed columns, section 四 by group × 5 columns.
The extraction keys cells by schema codes. ``truth_cells`` maps the labels onto codes through the
schema's own labels (both generations, aliases, enumerators stripped), so any table reader — text,
HTML, OCR — can be scored with ``score_cells``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from crawler.extract.schema import generation, match_key

_ENUMERATORS = re.compile(r"^(?:[一二三四五六七八九十]+[,.]|\([一二三四五六七八九十\d]+\)|\d+[,.)])+")
_BLOCK_ITEM = re.compile(r"第\(([一二三四五六七八九十]+)\)项")
_ITEM_NUMBER = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
_UNIT_SUFFIX = re.compile(r"_(?:万元|元)$")
_GENERATIONS = ("G2", "G1")
_FORMATS = {"2021": "G2", "2019": "G1", "pre-2019": "G0"}


@dataclass(frozen=True, slots=True)
class CellScore:
    """One truth cell: its code path, the wanted value and what the extraction gave."""

    key: str
    wanted: Any
    got: Any

    @property
    def hit(self) -> bool:
        return same_number(self.wanted, self.got)


def truth_generation(truth: dict[str, Any]) -> str:
    """G1 / G2 / G0 of a truth file (the table's own format when it names one)."""
    sec2 = (truth.get("ground_truth") or {}).get("sec2") or {}
    version = sec2.get("format") or truth.get("format_version")
    return _FORMATS.get(str(version), "G2")


def _core(label: str) -> str:
    key = _UNIT_SUFFIX.sub("", match_key(label))
    return _ENUMERATORS.sub("", key)


def _similar(a: str, b: str) -> bool:
    return bool(a) and bool(b) and (a == b or a.startswith(b) or b.startswith(a) or a in b or b in a)


def _block(gen: str, label: str) -> dict[str, Any] | None:
    found = _BLOCK_ITEM.search(match_key(label))
    if not found:
        return None
    code = f"art20_{_ITEM_NUMBER.get(found.group(1), 0)}"
    return next((b for b in generation(gen)["sec2"]["blocks"] if b["code"] == code), None)


def _pick(label: str, options: list[dict[str, Any]], index: int) -> str | None:
    """The code of the option whose label matches ``label``: exact first, then similar, then position."""
    core = _core(label)
    for test in (lambda a, b: a == b, _similar):
        for option in options:
            if test(core, _core(option["label"])):
                return option["code"]
    return options[index]["code"] if 0 <= index < len(options) else None


def _sec2_cells(gen: str, sec2: dict[str, Any]) -> dict[str, Any]:
    cells: dict[str, Any] = {}
    for block_label, rows in sec2.items():
        gens = [gen, *(g for g in _GENERATIONS if g != gen)] if gen in _GENERATIONS else list(_GENERATIONS)
        block = (
            next((b for g in gens if (b := _block(g, block_label))), None) if isinstance(rows, dict) else None
        )
        if block is None:
            continue
        row_options = [*block["rows"], *block.get("variant_rows", [])]
        for r, (row_label, cols) in enumerate(rows.items()):
            row = _pick(row_label, row_options, r)
            if isinstance(cols, dict):
                for c, (col_label, value) in enumerate(cols.items()):
                    col = _pick(col_label, block["columns"], c)
                    if row and col and not isinstance(value, (list, dict)):
                        cells[f"sec2.{block['code']}.{row}.{col}"] = value
            elif row and len(block["columns"]) == 1 and not isinstance(cols, list):
                cells[f"sec2.{block['code']}.{row}.{block['columns'][0]['code']}"] = cols
    return cells


def _sec3_cells(gen: str, sec3: dict[str, Any]) -> dict[str, Any]:
    spec = generation(gen if gen in _GENERATIONS else "G2")["sec3"]
    columns = [c["code"] for c in spec["columns"]]
    cells: dict[str, Any] = {}
    for row_label, values in (sec3.get("rows") or {}).items():
        row = _pick(row_label, spec["rows"], -1)
        if row and isinstance(values, list):
            cells.update({f"sec3.{row}.{col}": v for col, v in zip(columns, values, strict=False)})
    return cells


def _sec4_cells(sec4: dict[str, Any]) -> dict[str, Any]:
    spec = generation("G2")["sec4"]
    columns = [c["code"] for c in spec["columns"]]
    cells: dict[str, Any] = {}
    for g, (group_label, values) in enumerate(sec4.items()):
        group = _pick(group_label, spec["groups"], g)
        if group and isinstance(values, list):
            cells.update({f"sec4.{group}.{col}": v for col, v in zip(columns, values, strict=False)})
    return cells


def truth_cells(truth: dict[str, Any]) -> dict[str, Any]:
    """Every legible truth cell as {"sec2.art20_1.regulations.made": value, …}."""
    ground = truth.get("ground_truth") or {}
    gen = truth_generation(truth)
    cells: dict[str, Any] = {}
    sec2 = {k: v for k, v in (ground.get("sec2") or {}).items() if k not in ("format", "note")}
    cells.update(_sec2_cells(gen, sec2))
    if ground.get("sec3"):
        cells.update(_sec3_cells(gen, ground["sec3"]))
    if ground.get("sec4"):
        cells.update(_sec4_cells({k: v for k, v in ground["sec4"].items() if isinstance(v, list)}))
    return cells


def extracted_value(report_json: dict[str, Any], key: str) -> Any:
    """The value at a code path of ``ExtractedReport.to_json()`` (None when absent)."""
    section, *path = key.split(".")
    node: Any = report_json.get(section) or {}
    if section == "sec2":
        block, row, col = path[0], path[1], path[2]
        node = ((node.get(block) or {}).get(row) or {}).get(col)
    else:
        row, col = ".".join(path[:-1]), path[-1]
        node = (node.get(row) or {}).get(col)
    return node.get("value") if isinstance(node, dict) else None


def same_number(wanted: Any, got: Any) -> bool:
    """Numbers compared as numbers; a truth null wants null (never 0)."""
    if wanted is None or got is None:
        return wanted is None and got is None
    try:
        return abs(Decimal(str(wanted)) - Decimal(str(got))) < Decimal("0.000001")
    except ArithmeticError:
        return False


def score_cells(report_json: dict[str, Any], truth: dict[str, Any]) -> list[CellScore]:
    """One ``CellScore`` per truth cell of ``truth`` against an extracted report's JSON form."""
    return [
        CellScore(key, wanted, extracted_value(report_json, key))
        for key, wanted in truth_cells(truth).items()
    ]
