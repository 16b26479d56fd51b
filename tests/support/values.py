"""Statistics tables as test data: random valid G1/G2 tables, and the seed reports' tables.

Renderers (``render_html.py`` for the replica's published HTML, ``render_text.py`` for the text
layouts) turn a :class:`StatTables` into what a portal would show; extraction must read the same
values back. Values are ``int`` / ``Decimal`` (printed as is), ``str`` (printed as is: a null marker
such as "-" or "/", or an amount with its unit such as "251000元") or ``None`` (a blank cell).
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from crawler.extract.schema import generation

PrintedValue = int | Decimal | str | None


@dataclass
class StatTables:
    generation: str  # "G1" or "G2"
    sec2: dict[str, dict[str, dict[str, PrintedValue]]]
    sec3: dict[str, dict[str, PrintedValue]]
    sec4: dict[str, dict[str, PrintedValue]]
    #: rows printed with the wrong number of cells, as printed: {"sec3.unable.no_info": ["0"] * 6}
    defects: dict[str, list[str]] = field(default_factory=dict)


def sec2_layout(gen: str) -> list[tuple[str, list[str], list[str]]]:
    """[(block code, [row codes], [column codes])] in template order (optional rows left out)."""
    return [
        (block["code"], [row["code"] for row in block["rows"]], [col["code"] for col in block["columns"]])
        for block in generation(gen)["sec2"]["blocks"]
    ]


def sec3_rows(gen: str) -> list[str]:
    return [row["code"] for row in generation(gen)["sec3"]["rows"]]


def sec3_columns(gen: str) -> list[str]:
    return [col["code"] for col in generation(gen)["sec3"]["columns"]]


def sec4_groups(gen: str) -> list[str]:
    return [group["code"] for group in generation(gen)["sec4"]["groups"]]


def sec4_columns(gen: str) -> list[str]:
    return [col["code"] for col in generation(gen)["sec4"]["columns"]]


APPLICANTS = ("natural_person", "commercial", "research", "public_interest", "legal_service", "other_org")
_OUTCOME_HEADS = ("new_received", "carried_over", "total_processed", "carried_forward")


def _outcome_leaves(gen: str) -> list[str]:
    return [row for row in sec3_rows(gen) if row not in _OUTCOME_HEADS]


def _small(rng: random.Random, busy: bool) -> int:
    if not busy:
        return 0 if rng.random() < 0.85 else rng.randint(1, 3)
    return rng.choice((0, 0, 1, 2, 3, 5, 8, 13, 40, 120))


def random_tables(rng: random.Random, gen: str, *, busy: bool | None = None) -> StatTables:
    """A G1 or G2 table set whose hard checks all pass (identity, row totals, outcome, group totals)."""
    if busy is None:
        busy = rng.random() < 0.5
    leaves = _outcome_leaves(gen)
    sec3: dict[str, dict[str, PrintedValue]] = {row: {} for row in sec3_rows(gen)}
    for col in APPLICANTS:
        received, carried = _small(rng, busy), (_small(rng, False) if busy else 0)
        forward = rng.randint(0, min(2, received + carried))
        processed = received + carried - forward
        shares = dict.fromkeys(leaves, 0)
        for _ in range(processed):
            # most requests are granted or cannot be provided; the rest spread thinly
            leaf = rng.choice(("granted", "granted", "partially_granted", "unable.no_info", *leaves))
            shares[leaf] += 1
        sec3["new_received"][col] = received
        sec3["carried_over"][col] = carried
        sec3["total_processed"][col] = processed
        sec3["carried_forward"][col] = forward
        for leaf, count in shares.items():
            sec3[leaf][col] = count
    for cols in sec3.values():
        cols["total"] = sum(int(cols[c]) for c in APPLICANTS)  # type: ignore[arg-type]

    sec4: dict[str, dict[str, PrintedValue]] = {}
    for group in sec4_groups(gen):
        parts = {col: (_small(rng, False)) for col in ("upheld", "corrected", "other", "pending")}
        sec4[group] = {**parts, "total": sum(parts.values())}

    return StatTables(gen, _random_sec2(rng, gen, busy), sec3, sec4)


def _random_sec2(rng: random.Random, gen: str, busy: bool) -> dict[str, dict[str, dict[str, PrintedValue]]]:
    sec2: dict[str, dict[str, dict[str, PrintedValue]]] = {}
    for block, rows, cols in sec2_layout(gen):
        sec2[block] = {}
        for row in rows:
            values: dict[str, PrintedValue] = {}
            for col in cols:
                if col == "fee_amount":
                    values[col] = rng.choice((Decimal("0"), Decimal("0"), Decimal("1.5"), Decimal("12.36")))
                elif col == "delta":
                    values[col] = rng.randint(-5, 5)
                elif col == "amount":
                    values[col] = rng.choice(("0", "251000元", "12.5万元"))
                elif row == "regulations":
                    values[col] = 0  # counties make no 规章
                else:
                    values[col] = rng.randint(0, 400 if busy else 20)
            if gen == "G2" and block == "art20_1":
                values["in_force"] = int(values["made"]) + rng.randint(0, 60)  # type: ignore[arg-type]
            sec2[block][row] = values
    return sec2


def iter_cells(tables: StatTables) -> Iterator[tuple[str, tuple[str, ...], PrintedValue]]:
    """(table, path, printed value) for every cell: ("sec3", ("denied.third_party", "total"), 0)."""
    for block, rows in tables.sec2.items():
        for row, cols in rows.items():
            for col, value in cols.items():
                yield "sec2", (block, row, col), value
    for row, cols in tables.sec3.items():
        for col, value in cols.items():
            yield "sec3", (row, col), value
    for group, cols in tables.sec4.items():
        for col, value in cols.items():
            yield "sec4", (group, col), value


def zero_tables(gen: str) -> StatTables:
    """Every cell 0: what most small bodies print."""
    tables = random_tables(random.Random(0), gen, busy=False)
    for _, path, _ in list(iter_cells(tables)):
        _set(tables, path, 0)
    for block, rows, cols in sec2_layout(gen):
        for row in rows:
            for col in cols:
                tables.sec2[block][row][col] = Decimal("0") if col == "fee_amount" else (
                    "0" if col == "amount" else 0
                )
    return tables


def _set(tables: StatTables, path: tuple[str, ...], value: PrintedValue) -> None:
    if len(path) == 3:
        tables.sec2[path[0]][path[1]][path[2]] = value
    elif path[0] in tables.sec3:
        tables.sec3[path[0]][path[1]] = value
    else:
        tables.sec4[path[0]][path[1]] = value


def seed_tables(name: str) -> StatTables | None:
    """The tables that seed report ``name`` (file-name prefix "001", "003", …) prints, or None when
    its tables are images. Written by hand from the seed text, never from extraction output."""
    if name == "001":
        # G2, TSV: all zeros; 本机关不掌握相关政府信息 has only 6 numbers; 行政复议 is 5 blank cells.
        tables = zero_tables("G2")
        tables.defects["sec3.unable.no_info"] = ["0"] * 6
        for col in sec4_columns("G2"):
            tables.sec4["review"][col] = None
        return tables
    if name == "003":
        return zero_tables("G2")  # G2, one cell per line, all zeros
    return None
