"""Render a :class:`StatTables` as the HTML tables a portal publishes (sections 二, 三 and 四).

The layout follows the official templates *as published*: merged header cells (rowspan/colspan),
group labels as rowspan cells, short rows for ``StatTables.defects``. Extraction must expand the
spans into a grid to read the values back, which is exactly what these tables are for.

With an ``rng`` the markup varies the way real pages do (bracket widths, ``&nbsp;`` in blank cells,
``<p>``/``<span>`` wrappers, one table per section-二 block); without one the output is plain and stable.
"""

from __future__ import annotations

import html
import random
from dataclasses import dataclass

from crawler.extract.schema import generation
from tests.support.values import PrintedValue, StatTables

_FULL_TO_HALF = str.maketrans({"（": "(", "）": ")"})


@dataclass(frozen=True)
class _Style:
    half_width_brackets: bool = False
    nbsp_blanks: bool = False
    wrapper: str = ""  # "", "p" or "span": what each cell's text sits in
    table_per_block: bool = False

    @classmethod
    def pick(cls, rng: random.Random | None) -> _Style:
        if rng is None:
            return cls()
        return cls(
            half_width_brackets=rng.random() < 0.3,
            nbsp_blanks=rng.random() < 0.5,
            wrapper=rng.choice(("", "", "p", "span")),
            table_per_block=rng.random() < 0.3,
        )


def render_html(tables: StatTables, rng: random.Random | None = None) -> str:
    """The three sections' tables, one after another (no headings)."""
    return "\n".join(render_sections(tables, rng).values())


def render_sections(tables: StatTables, rng: random.Random | None = None) -> dict[str, str]:
    """{"sec2": html, "sec3": html, "sec4": html}, for placing each under its own heading."""
    style = _Style.pick(rng)
    return {
        "sec2": _render_sec2(tables, style),
        "sec3": _render_sec3(tables, style),
        "sec4": _render_sec4(tables, style),
    }


# -- cells -------------------------------------------------------------------------------------------


def _label(text: str, style: _Style) -> str:
    return text.translate(_FULL_TO_HALF) if style.half_width_brackets else text


def _td(text: str, style: _Style, *, rowspan: int = 1, colspan: int = 1, escape: bool = True) -> str:
    spans = (f' rowspan="{rowspan}"' if rowspan > 1 else "") + (
        f' colspan="{colspan}"' if colspan > 1 else ""
    )
    content = html.escape(text) if escape else text
    if not content:
        content = "&nbsp;" if style.nbsp_blanks else ""
    elif style.wrapper:
        content = f"<{style.wrapper}>{content}</{style.wrapper}>"
    return f"<td{spans}>{content}</td>"


def _printed(value: PrintedValue) -> str:
    return "" if value is None else str(value)


def _value_cells(values: list[str], style: _Style, last_colspan: int = 1) -> str:
    cells = [_td(v, style) for v in values]
    if cells and last_colspan > 1:
        cells[-1] = _td(values[-1], style, colspan=last_colspan)
    return "".join(cells)


def _table(rows: list[str], css: str) -> str:
    body = "\n".join(f"<tr>{row}</tr>" for row in rows)
    return f'<table class="{css}" border="1" cellspacing="0" cellpadding="0">\n<tbody>\n{body}\n</tbody>\n</table>'


def _row_values(tables: StatTables, key: str, printed: list[PrintedValue]) -> list[str]:
    """The cells of one row as printed: the defect's cells when the row is listed as defective."""
    if key in tables.defects:
        return list(tables.defects[key])
    return [_printed(v) for v in printed]


# -- section 二 ---------------------------------------------------------------------------------------


def _render_sec2(tables: StatTables, style: _Style) -> str:
    blocks = generation(tables.generation)["sec2"]["blocks"]
    width = max(len(block["columns"]) for block in blocks)  # value columns of the widest block
    tables_html: list[str] = []
    rows: list[str] = []
    for block in blocks:
        block_rows = _sec2_block_rows(tables, block, width, style)
        if style.table_per_block:
            tables_html.append(_table(block_rows, "sec2"))
        else:
            rows.extend(block_rows)
    if not style.table_per_block:
        tables_html.append(_table(rows, "sec2"))
    return "\n".join(tables_html)


def _sec2_block_rows(tables: StatTables, block: dict, width: int, style: _Style) -> list[str]:
    columns = block["columns"]
    # a block narrower than the table lets its last column span the rest (G1 两列 blocks: colspan=2)
    spare = width - len(columns) + 1
    header_labels = [_label(c["label"], style) for c in columns]
    rows = [
        _td(_label(block["label"], style), style, colspan=width + 1),
        _td(_label(generation(tables.generation)["sec2"]["label_header"], style), style)
        + _value_cells(header_labels, style, spare),
    ]
    for row in block["rows"]:
        printed = tables.sec2.get(block["code"], {}).get(row["code"], {})
        values = _row_values(
            tables, f"sec2.{block['code']}.{row['code']}", [printed.get(c["code"]) for c in columns]
        )
        spare_here = spare if len(values) == len(columns) else 1
        rows.append(_td(_label(row["label"], style), style) + _value_cells(values, style, spare_here))
    return rows


# -- section 三 ---------------------------------------------------------------------------------------


def _render_sec3(tables: StatTables, style: _Style) -> str:
    gen = generation(tables.generation)["sec3"]
    columns = [c["code"] for c in gen["columns"]]
    org_columns = [c for c in gen["columns"] if c.get("group") == "legal_or_other_org"]
    header = gen["header"]
    rows = [
        _td(_label(header["note_label"], style), style, rowspan=3, colspan=3)
        + _td(header["label"], style, colspan=len(columns)),
        _td("自然人", style, rowspan=2)
        + _td(header["column_groups"][0]["label"], style, colspan=len(org_columns))
        + _td("总计", style, rowspan=2),
        "".join(_td(c["label"], style) for c in org_columns),
    ]
    groups = {g["code"]: g for g in gen["groups"]}
    group_sizes: dict[str, int] = {}
    for row in gen["rows"]:
        if row.get("group"):
            group_sizes[row["group"]] = group_sizes.get(row["group"], 0) + 1
    outcome_span = sum(group_sizes.values())  # every row inside 三、本年度办理结果
    seen_groups: set[str] = set()
    for row in gen["rows"]:
        values = _row_values(
            tables, f"sec3.{row['code']}", [tables.sec3[row["code"]].get(c) for c in columns]
        )
        label = _label(row["label"], style)
        group = row.get("group")
        prefix = ""
        if group is None:
            prefix = _td(label, style, colspan=3)
        else:
            if "outcome" not in seen_groups:
                seen_groups.add("outcome")
                prefix += _td(_label(groups["outcome"]["label"], style), style, rowspan=outcome_span)
            if group == "outcome":
                prefix += _td(label, style, colspan=2)
            else:
                if group not in seen_groups:
                    seen_groups.add(group)
                    prefix += _td(_label(groups[group]["label"], style), style, rowspan=group_sizes[group])
                prefix += _td(label, style)
        rows.append(prefix + _value_cells(values, style))
    return _table(rows, "sec3")


# -- section 四 ---------------------------------------------------------------------------------------


def _render_sec4(tables: StatTables, style: _Style) -> str:
    gen = generation(tables.generation)["sec4"]
    columns = gen["columns"]
    review, *litigation = gen["groups"]
    width = len(columns)
    rows = [
        _td(review["label"], style, colspan=width)
        + _td(litigation[0]["parent_label"], style, colspan=2 * width),
        "".join(_td(_label(c["label"], style), style, rowspan=2) for c in columns)
        + "".join(_td(g["label"], style, colspan=width) for g in litigation),
        "".join(_td(_label(c["label"], style), style) for _ in litigation for c in columns),
    ]
    printed = [tables.sec4[g["code"]].get(c["code"]) for g in gen["groups"] for c in columns]
    rows.append(_value_cells(_row_values(tables, "sec4", printed), style))
    return _table(rows, "sec4")
