"""Render a :class:`StatTables` as the text layouts that portals, PDFs and Word exports produce.

Each renderer prints sections 二, 三 and 四 (headings and tables) the way the seeds and
report-format.md §9.1 show them, with the traps of each layout when an ``rng`` is given:

* ``render_tsv``: merged-cell debris (group label and sub-label in one cell, the tail of a group
  label leaking into the next row as in ``001_…``), spacer tabs, blank lines inside the table.
* ``render_cell_per_line``: ``003_…``'s tab-indented cells with blank lines between rows, labels
  and headers wrapping onto an unindented line; with ``bars=True`` a "|" line between cells instead.
* ``render_pipe``: ``第二十条第(一)项 | ||||`` rows, truncated or split header cells.
* ``render_flattened``: PDF text: headers one character per line, values on the label's line or
  the next one, labels wrapping, page breaks (blank line, page number) inside tables, and blank
  cells gone.

Without an ``rng`` the output is plain and stable.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from functools import cache

from crawler.extract.schema import generation
from tests.support.values import PrintedValue, StatTables

_HALF = str.maketrans({"（": "(", "）": ")"})
_HEADINGS = {
    "sec2": ("二、主动公开政府信息情况", "二、行政机关主动公开政府信息情况"),
    "sec3": ("三、收到和处理政府信息公开申请情况", "三、政府机关收到和处理政府信息公开申请情况"),
    "sec4": (
        "四、政府信息公开行政复议、行政诉讼情况",
        "四、因政府信息公开工作被申请行政复议、提起行政诉讼情况",
    ),
}


@dataclass
class _Row:
    """One printed table row: label cells (group label, row label) and value cells."""

    labels: list[str]
    values: list[str] = field(default_factory=list)
    header: bool = False


@dataclass
class _Traps:
    rng: random.Random | None

    def chance(self, p: float) -> bool:
        return self.rng is not None and self.rng.random() < p

    def label(self, text: str) -> str:
        if self.chance(0.4):
            text = text.translate(_HALF)
        if self.chance(0.2) and len(text) > 3 and text[0] in "(（":
            close = text.find(")") if ")" in text else text.find("）")
            text = text[: close + 1] + " " + text[close + 1 :]  # "(一) 予以公开"
        return text


def _printed(value: PrintedValue) -> str:
    return "" if value is None else str(value)


# -- the tables as rows -----------------------------------------------------------------------------


def _sec2_rows(tables: StatTables, traps: _Traps) -> list[_Row]:
    gen = generation(tables.generation)["sec2"]
    rows = []
    for block in gen["blocks"]:
        rows.append(_Row([traps.label(block["label"])], header=True))
        rows.append(
            _Row([gen["label_header"]], [traps.label(c["label"]) for c in block["columns"]], header=True)
        )
        for row in block["rows"]:
            key = f"sec2.{block['code']}.{row['code']}"
            printed = tables.sec2[block["code"]][row["code"]]
            values = tables.defects.get(key) or [_printed(printed[c["code"]]) for c in block["columns"]]
            rows.append(_Row([traps.label(row["label"])], list(values)))
    return rows


def _sec3_rows(tables: StatTables, traps: _Traps) -> list[_Row]:
    gen = generation(tables.generation)["sec3"]
    groups = {g["code"]: g["label"] for g in gen["groups"]}
    columns = [c["code"] for c in gen["columns"]]
    rows = [
        _Row([traps.label(gen["header"]["note_label"]), "申请人情况"], header=True),
        _Row(["", "自然人", "法人或其他组织", "总计"], header=True),
        _Row(["", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"], header=True),
    ]
    seen: set[str] = set()
    for row in gen["rows"]:
        group = row.get("group")
        group_label = ""
        if group == "outcome" and "outcome" not in seen:
            group_label = groups["outcome"]
        elif group and group != "outcome" and group not in seen:
            group_label = groups[group]
        if group:
            seen.add(group)
            seen.add("outcome")
        values = tables.defects.get(f"sec3.{row['code']}") or [
            _printed(tables.sec3[row["code"]][c]) for c in columns
        ]
        rows.append(_Row([traps.label(group_label), traps.label(row["label"])], list(values)))
    return rows


def _sec4_rows(tables: StatTables, traps: _Traps) -> list[_Row]:
    gen = generation(tables.generation)["sec4"]
    columns = [c["label"] for c in gen["columns"]]
    split = [
        label[:2] + " " + label[2:] if traps.chance(0.5) and len(label) == 4 else label for label in columns
    ]
    values = tables.defects.get("sec4") or [
        _printed(tables.sec4[g["code"]][c["code"]]) for g in gen["groups"] for c in gen["columns"]
    ]
    return [
        _Row(["行政复议", "行政诉讼"], header=True),
        _Row([*split, "未经复议直接起诉", "复议后起诉"], header=True),
        _Row([*split, *split], header=True),
        _Row([], list(values)),
    ]


def _sections(tables: StatTables, traps: _Traps) -> list[tuple[str, list[_Row]]]:
    def heading(sec: str) -> str:
        choices = _HEADINGS[sec]
        return traps.rng.choice(choices) if traps.rng else choices[0]

    return [
        (heading("sec2"), _sec2_rows(tables, traps)),
        (heading("sec3"), _sec3_rows(tables, traps)),
        (heading("sec4"), _sec4_rows(tables, traps)),
    ]


# -- TSV --------------------------------------------------------------------------------------------


def render_tsv(tables: StatTables, rng: random.Random | None = None) -> str:
    """Tab-separated rows as an HTML-to-text step prints them (``001_…``)."""
    traps = _Traps(rng)
    out: list[str] = []
    for heading, rows in _sections(tables, traps):
        out += [heading, ""]
        leak = ""
        for row in rows:
            labels = list(row.labels)
            if leak and labels and not labels[0]:
                labels[0] = leak  # the group label's tail lands in the next row ("公开\t2.其他…")
            leak = ""
            if len(labels) == 2 and labels[0] and not row.header:
                if traps.chance(0.3):
                    labels = ["", f"{labels[0]} {labels[1]}"]  # "(三) 不予公开 1.属于国家秘密"
                elif traps.chance(0.3) and len(labels[0]) > 4:
                    labels[0], leak = labels[0][:-2], labels[0][-2:]
            out.append("\t".join([*labels, *row.values]))
            if traps.chance(0.05):
                out.append("")  # a page break inside the table
        out.append("")
    return "\n".join(out)


# -- one cell per line ------------------------------------------------------------------------------


def render_cell_per_line(tables: StatTables, rng: random.Random | None = None, *, bars: bool = False) -> str:
    """One cell per line: tab-indented with blank lines between rows, or "|" lines between cells."""
    traps = _Traps(rng)
    out: list[str] = []
    for heading, rows in _sections(tables, traps):
        out.append(heading)
        for row in rows:
            cells = [*row.labels, *row.values]
            if bars:
                out.append(_bar_cells([_wrap(cell, traps) for cell in cells]))
            else:
                out.append("\n".join("\t" + _wrap(cell, traps) for cell in cells))
            out.append("")
        out.append("")
    return "\n".join(out)


def _bar_cells(cells: list[str]) -> str:
    """Cells with a "|" line between them; an empty cell is two "|" lines in a row."""
    lines: list[str] = []
    for index, cell in enumerate(cells):
        if index:
            lines.append("|")
        if cell:
            lines.append(cell)
    return "\n".join(lines)


def _wrap(cell: str, traps: _Traps) -> str:
    """A long label (or a header) wrapping onto the next line, without its indentation."""
    if len(cell) > 12 and traps.chance(0.3):
        cut = traps.rng.randint(6, len(cell) - 3)  # type: ignore[union-attr]
        return cell[:cut] + "\n" + cell[cut:]
    if len(cell) in (2, 4) and cell.isalpha() and traps.chance(0.2):
        half = len(cell) // 2
        return cell[:half] + "\n" + cell[half:]  # "总\n计", "结果\n维持"
    return cell


# -- pipe tables ------------------------------------------------------------------------------------


def render_pipe(tables: StatTables, rng: random.Random | None = None) -> str:
    """Markdown-ish pipe rows with damaged header cells."""
    traps = _Traps(rng)
    out: list[str] = []
    for heading, rows in _sections(tables, traps):
        out += [heading, ""]
        for row in rows:
            if row.header and len(row.labels) == 1 and not row.values:
                out.append(f"{row.labels[0]} | ||||")  # a block title: 第二十条第(一)项 | ||||
                continue
            values = [_damaged_header(v, traps) for v in row.values] if row.header else row.values
            out.append("| " + " | ".join([*row.labels, *values]) + " |")
        out.append("")
    return "\n".join(out)


def _damaged_header(label: str, traps: _Traps) -> str:
    if len(label) > 4 and traps.chance(0.3):
        return label[:-1]  # truncated: "现行有效件", "本年增/"
    if len(label) > 4 and traps.chance(0.3):
        return label[:3] + " " + label[3:]  # split: "本年新 制作数量"
    return label


# -- PDF text ---------------------------------------------------------------------------------------


def render_flattened(tables: StatTables, rng: random.Random | None = None) -> str:
    """Text extracted from a PDF: no cell boundaries, blank cells gone, page furniture inside."""
    traps = _Traps(rng)
    out: list[str] = []
    page = 1
    for heading, rows in _sections(tables, traps):
        out.append(heading)
        for row in rows:
            labels = " ".join(label for label in row.labels if label)
            values = " ".join(v for v in row.values if v)
            if row.header:
                out.extend(_flat_header(labels, values, traps))
            elif len(labels) > 14 and traps.chance(0.2):
                cut = traps.rng.randint(6, len(labels) - 4)  # type: ignore[union-attr]
                out += [labels[:cut], f"{labels[cut:]} {values}".strip()]  # a wrapped label
            elif labels and traps.chance(0.3):
                out += [labels, values]  # the numbers on the next line
            else:
                out.append(f"{labels} {values}".strip())
            if traps.chance(0.04):
                page += 1
                out += ["", f"- {page} -", ""]  # a page break
    return "\n".join(out)


def _flat_header(labels: str, values: str, traps: _Traps) -> list[str]:
    text = f"{labels} {values}".strip()
    first = text.split(" ")[0] if text else ""
    if first.startswith(("第二十条", "行政复议")) or not traps.chance(0.3):
        return [text]  # table titles survive; the rest of a header may be split char by char
    return [ch for ch in text if not ch.isspace()]


# -- one cell per line, closed by a bar or a slash (web pages flattened by a copy step) -------------


def render_closed(tables: StatTables, rng: random.Random | None = None, *, closer: str = "|") -> str:
    """One cell per line, each closed by ``closer`` (「规章 |」, 「0 /」), as copies of real pages print
    them: with a bar, block titles padded with spacer bars (「第二十条第(一)项 | |||」), rows
    opened by a bare bar or not, a blank cell as a bare bar; with a slash, blank cells print 「/」.
    Traps: labels broken by spaces (「自 然 人」), traditional script."""
    traps = _Traps(rng)
    opens = closer == "|" and traps.chance(0.5)
    traditional = traps.chance(0.3)
    out: list[str] = []
    for heading, rows in _sections(tables, traps):
        out.append(heading)
        for row in rows:
            if opens:
                out.append("|")
            labels = [_spaced(label, traps) for label in row.labels if label]
            out += [f"{_script(label, traditional)} {closer}" for label in labels]
            if row.header and not row.values and closer == "|":
                out[-1] += " |||"  # spacer bars of a title row spanning the table
            for value in row.values:
                out.append(f"{value} {closer}" if value else "|" if closer == "|" else "/")
    return "\n".join(out)


def _spaced(label: str, traps: _Traps) -> str:
    if len(label) >= 3 and traps.chance(0.15):
        cut = traps.rng.randint(1, len(label) - 1)  # type: ignore[union-attr]
        return label[:cut] + " " + label[cut:]  # 「本年新 制作数量」
    return label


def _script(label: str, traditional: bool) -> str:
    return _to_traditional(label) if traditional else label


def _to_traditional(label: str) -> str:
    return _traditional_converter().convert(label)


@cache
def _traditional_converter():  # opencc has no type hints
    from opencc import OpenCC

    return OpenCC("s2tw")
